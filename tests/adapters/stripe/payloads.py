"""Stripe JSON as API 2026-10-28.endive returns it, built for tests."""

from __future__ import annotations

from typing import Any

Json = dict[str, Any]

CREATED = 1_764_547_200  # 2025-12-01T00:00:00Z
PERIOD_END = 1_767_225_600  # 2026-01-01T00:00:00Z


def customer(cid: str = "cus_1", **overrides: Any) -> Json:
    return {
        "id": cid, "object": "customer", "address": {
            "city": "Berlin", "country": "DE", "line1": "Invalidenstr. 1", "line2": None,
            "postal_code": "10115", "state": None},
        "balance": 0, "created": CREATED, "currency": "eur", "default_source": None,
        "delinquent": True, "description": None, "email": "ada@example.com",
        "invoice_prefix": "ADA1", "invoice_settings": {
            "custom_fields": None, "default_payment_method": "pm_visa", "footer": None,
            "rendering_options": None},
        "livemode": False, "metadata": {}, "name": "Ada Lovelace", "phone": None,
        "preferred_locales": ["de-DE", "en"], "shipping": None, "tax_exempt": "none",
        "test_clock": None, **overrides,
    }


def card_payment_method(pmid: str = "pm_visa", *, brand: str = "visa", last4: str = "4242",
                        customer_id: str = "cus_1") -> Json:
    return {
        "id": pmid, "object": "payment_method", "allow_redisplay": "unspecified",
        "billing_details": {"address": None, "email": None, "name": None, "phone": None},
        "card": {"brand": brand, "checks": None, "country": "DE", "display_brand": brand,
                 "exp_month": 12, "exp_year": 2030, "fingerprint": f"fp_{pmid}",
                 "funding": "credit", "last4": last4, "networks": {"available": [brand]},
                 "wallet": None},
        "created": CREATED, "customer": customer_id, "livemode": False, "metadata": {},
        "type": "card",
    }


def last_payment_error(*, charge_id: str = "ch_failed", pm: Json | None = None,
                       decline_code: str = "insufficient_funds") -> Json:
    return {
        "advice_code": "try_again_later", "charge": charge_id, "code": "card_declined",
        "decline_code": decline_code, "doc_url": "https://docs.stripe.com/error-codes/card-declined",
        "message": "Your card has insufficient funds.", "network_advice_code": "01",
        "network_decline_code": "51", "payment_method": pm or card_payment_method(),
        "type": "card_error",
    }


def payment_intent(piid: str = "pi_1", *, error: Json | None = None, created: int = CREATED,
                   latest_charge: Any = "ch_failed") -> Json:
    return {
        "id": piid, "object": "payment_intent", "amount": 2000, "amount_received": 0,
        "capture_method": "automatic", "created": created, "currency": "eur",
        "customer": "cus_1", "last_payment_error": error, "latest_charge": latest_charge,
        "livemode": False, "metadata": {}, "next_action": None, "payment_method": None,
        "payment_method_types": ["card"], "status": "requires_payment_method",
    }


def invoice_payment(ipid: str = "inpay_1", *, intent: Any = "pi_1", invoice_id: str = "in_1",
                    status: str = "open", created: int = CREATED) -> Json:
    return {
        "id": ipid, "object": "invoice_payment", "amount_paid": 2000 if status == "paid" else None,
        "amount_requested": 2000, "created": created, "currency": "eur", "invoice": invoice_id,
        "is_default": True, "livemode": False,
        "payment": {"type": "payment_intent", "payment_intent": intent},
        "status": status, "status_transitions": {"canceled_at": None, "paid_at": None},
    }


def invoice(iid: str = "in_1", *, status: str = "open", payments: list[Json] | None = None,
            subscription: str | None = "sub_1", **overrides: Any) -> Json:
    parent: Json | None = None
    if subscription is not None:
        parent = {"type": "subscription_details", "quote_details": None,
                  "subscription_details": {"metadata": {}, "subscription": subscription,
                                           "subscription_proration_date": None}}
    body: Json = {
        "id": iid, "object": "invoice", "account_country": "DE", "amount_due": 2000,
        "amount_overpaid": 0, "amount_paid": 0, "amount_paid_off_stripe": 0,
        "amount_remaining": 2000, "attempt_count": 2, "attempted": True, "auto_advance": True,
        "automatically_finalizes_at": None, "billing_reason": "subscription_cycle",
        "collection_method": "charge_automatically", "created": CREATED, "currency": "eur",
        "customer": "cus_1", "customer_account": None, "default_payment_method": None,
        "hosted_invoice_url": f"https://invoice.stripe.com/i/{iid}",
        "last_finalization_error": None, "livemode": False, "metadata": {"plan": "pro"},
        "next_payment_attempt": PERIOD_END, "number": "ADA1-0007", "parent": parent,
        "status": status, "status_transitions": {"finalized_at": CREATED,
                                                 "marked_uncollectible_at": None,
                                                 "paid_at": None, "voided_at": None},
        "total": 2000, "webhooks_delivered_at": CREATED,
    }
    if payments is not None:
        body["payments"] = list_of(payments, url="/v1/invoice_payments")
    return {**body, **overrides}


def subscription(sid: str = "sub_1", **overrides: Any) -> Json:
    return {
        "id": sid, "object": "subscription", "billing_cycle_anchor": CREATED,
        "cancel_at": None, "cancel_at_period_end": False, "canceled_at": None,
        "cancellation_details": {"comment": None, "feedback": None, "reason": None},
        "collection_method": "charge_automatically", "created": CREATED, "currency": "eur",
        "customer": "cus_1", "default_payment_method": "pm_visa",
        "items": list_of([{
            "id": "si_1", "object": "subscription_item", "created": CREATED,
            "current_period_end": PERIOD_END, "current_period_start": CREATED, "metadata": {},
            "quantity": 1, "subscription": sid}], url=f"/v1/subscription_items?subscription={sid}"),
        "latest_invoice": "in_1", "livemode": False, "metadata": {}, "status": "past_due",
        **overrides,
    }


def charge(chid: str = "ch_failed", **outcome_overrides: Any) -> Json:
    return {
        "id": chid, "object": "charge", "amount": 2000, "captured": False, "created": CREATED,
        "currency": "eur", "customer": "cus_1", "failure_code": "card_declined",
        "failure_message": "Your card has insufficient funds.", "livemode": False,
        "outcome": {"advice_code": "try_again_later", "network_advice_code": "01",
                    "network_decline_code": "51", "network_status": "declined_by_network",
                    "reason": None, "risk_level": "normal", "risk_score": 12,
                    "seller_message": "The bank returned the decline code `insufficient_funds`.",
                    "type": "issuer_declined", **outcome_overrides},
        "paid": False, "payment_intent": "pi_1", "payment_method": "pm_visa", "status": "failed",
    }


def checkout_session(csid: str = "cs_test_1") -> Json:
    return {
        "id": csid, "object": "checkout.session", "cancel_url": "https://recoup.example/cancel",
        "currency": "eur", "customer": "cus_1", "livemode": False, "metadata": {},
        "mode": "setup", "payment_method_types": ["card"], "setup_intent": "seti_1",
        "status": "open", "success_url": "https://recoup.example/done",
        "url": f"https://checkout.stripe.com/c/pay/{csid}",
    }


def secret(name: str, payload: str | None) -> Json:
    return {"id": "appsecret_1", "object": "apps.secret", "created": CREATED, "deleted": False,
            "expires_at": None, "livemode": False, "name": name, "payload": payload,
            "scope": {"type": "account"}}


def list_of(data: list[Json], *, url: str, has_more: bool = False) -> Json:
    return {"object": "list", "data": data, "has_more": has_more, "url": url}


def error(type_: str, message: str, **fields: Any) -> Json:
    return {"error": {"type": type_, "message": message, **fields}}


def card_error(*, decline_code: str = "insufficient_funds", charge_id: str = "ch_failed",
               with_network_codes: bool = True) -> Json:
    fields: Json = {
        "code": "card_declined", "decline_code": decline_code, "advice_code": "try_again_later",
        "charge": charge_id, "doc_url": "https://docs.stripe.com/error-codes/card-declined",
        "payment_intent": payment_intent(error=last_payment_error(decline_code=decline_code)),
        "payment_method": card_payment_method(),
        "request_log_url": "https://dashboard.stripe.com/test/logs/req_decline",
    }
    if with_network_codes:
        fields |= {"network_advice_code": "01", "network_decline_code": "51"}
    return error("card_error", "Your card has insufficient funds.", **fields)
