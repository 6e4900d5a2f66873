"""Stripe events as the pinned API version sends them, signed the way Stripe signs them."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import stripe

API_VERSION = "2026-10-28.endive"
WEBHOOK_SECRET = "whsec_bench"


def event(type: str, account: str, obj: dict[str, Any], *, event_id: str, created: datetime) -> dict[str, Any]:
    return {"id": event_id, "object": "event", "api_version": API_VERSION,
            "created": int(created.timestamp()), "livemode": False, "account": account, "type": type,
            "data": {"object": obj}, "pending_webhooks": 1, "request": {"id": None, "idempotency_key": None}}


def install_event(account: str, *, created: datetime) -> dict[str, Any]:
    return event("account.application.authorized", account,
                 {"id": "ca_recoup", "object": "application", "name": "Recoup"},
                 event_id=f"evt_install_{account}", created=created)


def failed_invoice(n: int, *, created: datetime) -> dict[str, Any]:
    """A Basil subscription renewal invoice after its first declined attempt (Smart Retries off)."""
    at = int(created.timestamp())
    invoice_id = f"in_bench{n:08d}"
    return {
        "id": invoice_id, "object": "invoice", "account_country": "US", "amount_due": 2500,
        "amount_paid": 0, "amount_remaining": 2500, "attempt_count": 1, "attempted": True,
        "auto_advance": True, "billing_reason": "subscription_cycle",
        "collection_method": "charge_automatically", "created": at, "currency": "usd",
        "customer": f"cus_bench{n:08d}", "default_payment_method": None, "due_date": None,
        "hosted_invoice_url": f"https://invoice.stripe.com/i/{invoice_id}",
        "lines": {"object": "list", "has_more": False, "url": f"/v1/invoices/{invoice_id}/lines",
                  "data": [{"id": f"il_bench{n:08d}", "object": "line_item", "amount": 2500,
                            "currency": "usd", "description": "1 × Subscription",
                            "period": {"start": at, "end": at + 30 * 86400}, "quantity": 1}]},
        "livemode": False, "metadata": {}, "next_payment_attempt": None, "number": f"BENCH-{n:08d}",
        "parent": {"type": "subscription_details", "quote_details": None,
                   "subscription_details": {"metadata": {}, "subscription": f"sub_bench{n:08d}",
                                            "subscription_proration_date": None}},
        "period_end": at, "period_start": at - 30 * 86400, "status": "open",
        "status_transitions": {"finalized_at": at, "marked_uncollectible_at": None, "paid_at": None,
                               "voided_at": None},
        "subtotal": 2500, "total": 2500,
    }


def product(n: int, *, created: datetime) -> dict[str, Any]:
    """A product: an event type Recoup does not use, so its cost is the dedupe insert alone."""
    return {"id": f"prod_bench{n:08d}", "object": "product", "active": True, "created": int(created.timestamp()),
            "default_price": None, "description": "A plan nobody has failed to pay for yet",
            "images": [], "livemode": False, "metadata": {}, "name": f"Plan {n}",
            "package_dimensions": None, "shippable": None, "statement_descriptor": None,
            "tax_code": None, "unit_label": None, "updated": int(created.timestamp()), "url": None}


def signed(payload: dict[str, Any], *, at: datetime) -> tuple[bytes, dict[str, str]]:
    """The body and headers Stripe would POST for `payload`, signed at `at`."""
    body = json.dumps(payload)
    header = stripe.WebhookSignature.generate_signature_header(body, WEBHOOK_SECRET,
                                                               timestamp=int(at.timestamp()))
    return body.encode(), {"Stripe-Signature": header, "Content-Type": "application/json"}
