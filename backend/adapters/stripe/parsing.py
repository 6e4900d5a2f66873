"""Turn Stripe JSON (API 2026-10-28.endive) into Recoup's frozen billing values.

Every function takes the plain JSON object Stripe returned. Optional fields may be absent or
null; an expandable field may be an id or the expanded object.
"""

from __future__ import annotations

from datetime import datetime

from backend.adapters.stripe.declines import latest_invoice_decline, paying_charge_id
from backend.adapters.stripe.fields import Json, id_of, metadata, timestamp
from backend.domain.billing import (
    Card,
    CheckoutSession,
    Customer,
    Invoice,
    InvoicePayment,
    InvoiceStatus,
    SettledCharge,
    Subscription,
)
from backend.domain.takeover import ListedInvoice


def parse_invoice(raw: Json) -> Invoice:
    """Build an Invoice, with the latest decline when `payments` was expanded."""
    decline, latest_payment_method = latest_invoice_decline(raw)
    return Invoice(
        id=raw["id"],
        customer_id=_customer_of(raw),
        status=InvoiceStatus(raw["status"]),
        amount_due=int(raw.get("amount_due") or 0),
        amount_remaining=int(raw.get("amount_remaining") or 0),
        currency=raw["currency"],
        collection_method=raw.get("collection_method") or "charge_automatically",
        billing_reason=raw.get("billing_reason"),
        subscription_id=_subscription_of(raw),
        attempt_count=int(raw.get("attempt_count") or 0),
        next_payment_attempt=timestamp(raw.get("next_payment_attempt")),
        auto_advance=bool(raw.get("auto_advance")),
        created=_required_timestamp(raw, "created"),
        livemode=bool(raw.get("livemode")),
        metadata=metadata(raw),
        default_payment_method=id_of(raw.get("default_payment_method")),
        hosted_invoice_url=raw.get("hosted_invoice_url"),
        number=raw.get("number"),
        latest_decline=decline,
        latest_payment_method_id=latest_payment_method,
        amount_paid_off_stripe=int(raw.get("amount_paid_off_stripe") or 0),
        paid_by_charge_id=paying_charge_id(raw),
    )


def parse_listed_invoice(raw: Json) -> ListedInvoice:
    """Build an invoice of a list page, with its subscription's status when it came expanded."""
    details = (raw.get("parent") or {}).get("subscription_details") or {}
    subscription = details.get("subscription")
    status = subscription.get("status") if isinstance(subscription, dict) else None
    return ListedInvoice(invoice=parse_invoice(raw), subscription_status=status)


def parse_subscription(raw: Json) -> Subscription:
    """Build a Subscription; the period end comes from its items (moved there in Basil)."""
    return Subscription(
        id=raw["id"],
        customer_id=id_of(raw.get("customer")) or "",
        status=raw["status"],
        default_payment_method=id_of(raw.get("default_payment_method")),
        metadata=metadata(raw),
        cancel_at_period_end=bool(raw.get("cancel_at_period_end")),
        current_period_end=_items_period_end(raw),
        latest_invoice_id=id_of(raw.get("latest_invoice")),
    )


def parse_customer(raw: Json) -> Customer:
    """Build a Customer with country, invoice default payment method and locales."""
    address = raw.get("address") or {}
    invoice_settings = raw.get("invoice_settings") or {}
    return Customer(
        id=raw["id"],
        email=raw.get("email"),
        name=raw.get("name"),
        country=address.get("country"),
        default_payment_method=id_of(invoice_settings.get("default_payment_method")),
        preferred_locales=tuple(raw.get("preferred_locales") or ()),
        phone=raw.get("phone"),
    )


def parse_card(raw: Json) -> Card | None:
    """Build a Card from a PaymentMethod, or None for a method that is not a card."""
    card = raw.get("card")
    if raw.get("type") != "card" or not card:
        return None
    return Card(
        id=raw["id"],
        brand=card.get("brand") or "unknown",
        last4=card.get("last4") or "",
        exp_month=int(card.get("exp_month") or 0),
        exp_year=int(card.get("exp_year") or 0),
        fingerprint=card.get("fingerprint"),
        country=card.get("country"),
    )


def parse_invoice_payment(raw: Json) -> InvoicePayment:
    """Build an InvoicePayment; only PaymentIntent-backed payments carry an intent id."""
    payment = raw.get("payment") or {}
    amount_paid = raw.get("amount_paid")
    return InvoicePayment(
        id=raw["id"],
        invoice_id=id_of(raw.get("invoice")) or "",
        status=raw["status"],
        payment_intent_id=id_of(payment.get("payment_intent")),
        amount_paid=None if amount_paid is None else int(amount_paid),
        is_default=bool(raw.get("is_default")),
    )


def parse_settled_charge(raw: Json) -> SettledCharge:
    """Build the charge that paid an invoice: its card and creation time."""
    return SettledCharge(id=raw["id"], payment_method_id=id_of(raw.get("payment_method")),
                         created=_required_timestamp(raw, "created"))


def parse_checkout_session(raw: Json) -> CheckoutSession:
    """Build a CheckoutSession with the hosted page URL."""
    return CheckoutSession(id=raw["id"], url=raw.get("url") or "", status=raw.get("status") or "open",
                           customer_id=id_of(raw.get("customer")), metadata=metadata(raw))


def _required_timestamp(raw: Json, key: str) -> datetime:
    moment = timestamp(raw.get(key))
    if moment is None:
        raise ValueError(f"{raw.get('object', 'object')} {raw.get('id')} has no {key}")
    return moment


def _customer_of(raw: Json) -> str:
    # Invoices billed to an Accounts v2 customer carry `customer_account` instead of `customer`.
    return id_of(raw.get("customer")) or id_of(raw.get("customer_account")) or ""


def _subscription_of(raw: Json) -> str | None:
    # Basil removed Invoice.subscription; the link now lives under parent.subscription_details.
    parent = raw.get("parent") or {}
    details = parent.get("subscription_details") or {}
    return id_of(details.get("subscription"))


def _items_period_end(raw: Json) -> datetime | None:
    # Basil moved current_period_end from the subscription to each item. Items can differ
    # (mixed intervals); the latest end is how long the subscription is paid up.
    items = (raw.get("items") or {}).get("data") or []
    ends = [moment for item in items if (moment := timestamp(item.get("current_period_end")))]
    return max(ends) if ends else timestamp(raw.get("current_period_end"))
