"""Builders for Stripe objects in the shape of API version 2026-10-28.endive (Basil invoices)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

API_VERSION = "2026-10-28.endive"


def ts(moment: datetime | None) -> int | None:
    return None if moment is None else int(moment.timestamp())


def customer(cid: str, *, created: datetime, livemode: bool, email: str | None, name: str | None,
             country: str | None, metadata: dict[str, str]) -> dict[str, Any]:
    return {
        "id": cid, "object": "customer",
        "address": {"city": None, "country": country, "line1": None, "line2": None,
                    "postal_code": None, "state": None},
        "balance": 0, "created": ts(created), "currency": None, "default_source": None,
        "delinquent": False, "description": None, "email": email,
        "invoice_prefix": cid[-8:].upper(),
        "invoice_settings": {"custom_fields": None, "default_payment_method": None, "footer": None,
                             "rendering_options": None},
        "livemode": livemode, "metadata": metadata, "name": name, "phone": None,
        "preferred_locales": [], "shipping": None, "tax_exempt": "none", "test_clock": None,
    }


def card_payment_method(pmid: str, *, created: datetime, livemode: bool, customer: str | None,
                        brand: str, last4: str, exp_month: int, exp_year: int, fingerprint: str,
                        country: str) -> dict[str, Any]:
    return {
        "id": pmid, "object": "payment_method", "allow_redisplay": "unspecified",
        "billing_details": {"address": None, "email": None, "name": None, "phone": None,
                            "tax_id": None},
        "card": {
            "brand": brand, "checks": {"address_line1_check": None,
                                       "address_postal_code_check": None, "cvc_check": "pass"},
            "country": country, "display_brand": brand, "exp_month": exp_month,
            "exp_year": exp_year, "fingerprint": fingerprint, "funding": "credit",
            "generated_from": None, "last4": last4,
            "networks": {"available": [brand], "preferred": None},
            "regulated_status": "unregulated", "three_d_secure_usage": {"supported": True},
            "wallet": None,
        },
        "created": ts(created), "customer": customer, "livemode": livemode, "metadata": {},
        "type": "card",
    }


def subscription(sid: str, *, created: datetime, livemode: bool, customer: str, item_id: str,
                 price_id: str, product_id: str, amount: int, currency: str, interval: str,
                 period_start: datetime, period_end: datetime,
                 default_payment_method: str | None, metadata: dict[str, str]) -> dict[str, Any]:
    return {
        "id": sid, "object": "subscription", "application": None,
        "application_fee_percent": None,
        "automatic_tax": {"disabled_reason": None, "enabled": False, "liability": None},
        "billing_cycle_anchor": ts(period_start), "billing_cycle_anchor_config": None,
        # API 2025-09-30.clover made flexible billing the default for new subscriptions.
        "billing_mode": {"flexible": {"proration_discounts": "included"}, "type": "flexible",
                         "updated_at": ts(created)},
        "billing_schedules": [], "billing_thresholds": None, "cancel_at": None,
        "cancel_at_period_end": False, "canceled_at": None,
        "cancellation_details": {"comment": None, "feedback": None, "reason": None},
        "collection_method": "charge_automatically", "created": ts(created),
        "currency": currency, "customer": customer,
        "customer_account": None, "days_until_due": None,
        "default_payment_method": default_payment_method, "default_source": None,
        "default_tax_rates": [], "description": None, "discounts": [], "ended_at": None,
        "invoice_settings": {"account_tax_ids": None, "issuer": {"type": "self"}},
        "items": {"object": "list", "has_more": False, "url": f"/v1/subscription_items?subscription={sid}",
                  "data": [{
                      "id": item_id, "object": "subscription_item", "created": ts(created),
                      "current_period_start": ts(period_start),
                      "current_period_end": ts(period_end), "discounts": [], "metadata": {},
                      "quantity": 1, "subscription": sid, "tax_rates": [],
                      "plan": plan(price_id, created=created, livemode=livemode, amount=amount,
                                   currency=currency, interval=interval, product=product_id),
                      "price": price(price_id, created=created, livemode=livemode, amount=amount,
                                     currency=currency, interval=interval, product=product_id),
                  }]},
        "latest_invoice": None, "livemode": livemode, "metadata": metadata,
        "next_pending_invoice_item_invoice": None, "on_behalf_of": None,
        "pause_collection": None,
        "payment_settings": {"payment_method_options": None, "payment_method_types": None,
                             "save_default_payment_method": "off"},
        "pending_invoice_item_interval": None, "pending_setup_intent": None,
        "pending_update": None, "schedule": None, "start_date": ts(created), "status": "active",
        "test_clock": None, "transfer_data": None, "trial_end": None,
        "trial_settings": {"end_behavior": {"missing_payment_method": "create_invoice"}},
        "trial_start": None,
    }


def price(price_id: str, *, created: datetime, livemode: bool, amount: int, currency: str,
          interval: str, product: str) -> dict[str, Any]:
    return {
        "id": price_id, "object": "price", "active": True, "billing_scheme": "per_unit",
        "created": ts(created), "currency": currency, "custom_unit_amount": None,
        "livemode": livemode, "lookup_key": None, "metadata": {}, "nickname": None,
        "product": product,
        "recurring": {"interval": interval, "interval_count": 1, "meter": None,
                      "usage_type": "licensed"},
        "tax_behavior": "unspecified", "tiers_mode": None, "transform_quantity": None,
        "type": "recurring", "unit_amount": amount, "unit_amount_decimal": str(amount),
    }


def plan(plan_id: str, *, created: datetime, livemode: bool, amount: int, currency: str,
         interval: str, product: str) -> dict[str, Any]:
    """The legacy Plan view of a recurring price, which subscription items still carry."""
    return {
        "id": plan_id, "object": "plan", "active": True, "amount": amount,
        "amount_decimal": str(amount), "billing_scheme": "per_unit", "created": ts(created),
        "currency": currency, "interval": interval, "interval_count": 1, "livemode": livemode,
        "metadata": {}, "meter": None, "nickname": None, "product": product, "tiers_mode": None,
        "transform_usage": None, "trial_period_days": None, "usage_type": "licensed",
    }


def invoice(iid: str, *, created: datetime, livemode: bool, account_id: str,
            customer: dict[str, Any], amount: int, currency: str, billing_reason: str,
            subscription: str | None, subscription_metadata: dict[str, str] | None,
            period_start: datetime, period_end: datetime, line_id: str) -> dict[str, Any]:
    parent = None
    if subscription is not None:
        parent = {"type": "subscription_details", "quote_details": None,
                  "subscription_details": {"metadata": subscription_metadata or {},
                                           "subscription": subscription,
                                           "subscription_proration_date": None}}
    return {
        "id": iid, "object": "invoice", "account_country": "US", "account_name": account_id,
        "account_tax_ids": None, "amount_due": amount, "amount_overpaid": 0, "amount_paid": 0,
        "amount_paid_off_stripe": 0, "amount_remaining": amount, "amount_shipping": 0,
        "application": None, "attempt_count": 0, "attempted": False, "auto_advance": True,
        "automatic_tax": {"enabled": False, "liability": None, "status": None},
        "automatically_finalizes_at": None, "billing_reason": billing_reason,
        "collection_method": "charge_automatically", "confirmation_secret": None,
        "created": ts(created), "currency": currency, "custom_fields": None,
        "customer": customer["id"], "customer_account": None,
        "customer_address": customer.get("address"), "customer_email": customer.get("email"),
        "customer_name": customer.get("name"), "customer_phone": customer.get("phone"),
        "customer_shipping": customer.get("shipping"),
        "customer_tax_exempt": customer.get("tax_exempt", "none"), "customer_tax_ids": [],
        "default_payment_method": None, "default_source": None, "default_tax_rates": [],
        "description": None, "discounts": [], "due_date": None, "effective_at": None,
        "ending_balance": None, "footer": None, "from_invoice": None,
        "hosted_invoice_url": None, "invoice_pdf": None, "issuer": {"type": "self"},
        "last_finalization_error": None, "latest_revision": None,
        "lines": {"object": "list", "has_more": False, "url": f"/v1/invoices/{iid}/lines",
                  "data": [line_item(line_id, invoice=iid, livemode=livemode, amount=amount,
                                     currency=currency, subscription=subscription,
                                     period_start=period_start, period_end=period_end)]},
        "livemode": livemode, "metadata": {}, "next_payment_attempt": None, "number": None,
        "on_behalf_of": None, "parent": parent,
        "payment_settings": {"default_mandate": None, "payment_method_options": None,
                             "payment_method_types": None},
        "period_end": ts(period_end), "period_start": ts(period_start),
        "post_payment_credit_notes_amount": 0, "pre_payment_credit_notes_amount": 0,
        "receipt_number": None, "rendering": None, "shipping_cost": None,
        "shipping_details": None, "starting_balance": 0, "statement_descriptor": None,
        "status": "draft", "status_details": None,
        "status_transitions": {"finalized_at": None, "marked_uncollectible_at": None,
                               "paid_at": None, "voided_at": None},
        "subtotal": amount, "subtotal_excluding_tax": amount, "test_clock": None,
        "threshold_reason": None, "total": amount, "total_discount_amounts": [],
        "total_excluding_tax": amount, "total_pretax_credit_amounts": [], "total_taxes": [],
        "webhooks_delivered_at": None,
    }


def line_item(line_id: str, *, invoice: str, livemode: bool, amount: int, currency: str,
              subscription: str | None, period_start: datetime,
              period_end: datetime) -> dict[str, Any]:
    return {
        "id": line_id, "object": "line_item", "amount": amount, "currency": currency,
        "description": "1 × Subscription" if subscription else "Invoice item",
        "discount_amounts": [], "discountable": True, "discounts": [], "invoice": invoice,
        "livemode": livemode, "metadata": {}, "parent": None,
        "period": {"start": ts(period_start), "end": ts(period_end)},
        "pretax_credit_amounts": [], "pricing": None, "quantity": 1,
        "subscription": subscription, "subtotal": amount, "taxes": [],
    }


def payment_intent(piid: str, *, created: datetime, livemode: bool, amount: int, currency: str,
                   customer: str | None) -> dict[str, Any]:
    return {
        "id": piid, "object": "payment_intent", "amount": amount, "amount_capturable": 0,
        "amount_received": 0, "canceled_at": None, "cancellation_reason": None,
        "capture_method": "automatic", "client_secret": f"{piid}_secret_sim",
        "confirmation_method": "automatic", "created": ts(created), "currency": currency,
        "customer": customer, "description": "Subscription update", "last_payment_error": None,
        "latest_charge": None, "livemode": livemode, "metadata": {}, "next_action": None,
        "payment_method": None, "payment_method_types": ["card"],
        "setup_future_usage": "off_session", "status": "requires_payment_method",
    }


def charge(chid: str, *, created: datetime, livemode: bool, amount: int, currency: str,
           customer: str, payment_intent: str, pm: dict[str, Any], succeeded: bool,
           failure_code: str | None, failure_message: str | None,
           outcome: dict[str, Any]) -> dict[str, Any]:
    card = pm["card"]
    return {
        "id": chid, "object": "charge", "amount": amount,
        "amount_captured": amount if succeeded else 0, "amount_refunded": 0,
        "balance_transaction": None, "billing_details": pm["billing_details"],
        "captured": succeeded, "created": ts(created), "currency": currency, "customer": customer,
        "description": "Subscription update", "disputed": False,
        "failure_balance_transaction": None, "failure_code": failure_code,
        "failure_message": failure_message, "livemode": livemode, "metadata": {},
        "outcome": outcome, "paid": succeeded, "payment_intent": payment_intent,
        "payment_method": pm["id"],
        "payment_method_details": {"type": "card", "card": {
            "brand": card["brand"], "country": card["country"], "exp_month": card["exp_month"],
            "exp_year": card["exp_year"], "fingerprint": card["fingerprint"],
            "funding": card["funding"], "last4": card["last4"], "network": card["brand"],
            "checks": card["checks"], "regulated_status": card["regulated_status"],
            "wallet": None}},
        "refunded": False, "status": "succeeded" if succeeded else "failed",
    }


def invoice_payment(ipid: str, *, created: datetime, livemode: bool, invoice: str, amount: int,
                    currency: str, payment_intent: str) -> dict[str, Any]:
    return {
        "id": ipid, "object": "invoice_payment", "amount_paid": None, "amount_requested": amount,
        "created": ts(created), "currency": currency, "invoice": invoice, "is_default": True,
        "livemode": livemode,
        "payment": {"type": "payment_intent", "payment_intent": payment_intent},
        "status": "open", "status_transitions": {"canceled_at": None, "paid_at": None},
    }


def list_object(url: str, data: list[dict[str, Any]], has_more: bool) -> dict[str, Any]:
    return {"object": "list", "data": data, "has_more": has_more, "url": url}


def event(evid: str, *, created: datetime, livemode: bool, account: str | None, type_: str,
          obj: dict[str, Any], previous_attributes: dict[str, Any] | None,
          request_id: str | None, idempotency_key: str | None) -> dict[str, Any]:
    """`account` (and `context`) only on events of a connected account, as Stripe sends them."""
    data: dict[str, Any] = {"object": obj}
    if previous_attributes is not None:
        data["previous_attributes"] = previous_attributes
    connected = {"account": account, "context": account} if account is not None else {}
    return {
        "id": evid, "object": "event", **connected, "api_version": API_VERSION,
        "created": ts(created), "data": data, "livemode": livemode,
        "pending_webhooks": 0, "request": {"id": request_id, "idempotency_key": idempotency_key},
        "type": type_,
    }
