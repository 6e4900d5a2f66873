"""Turn a verified Stripe event (JSON) into an envelope and the fact Recoup acts on."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from backend.adapters.stripe.fields import id_of
from backend.domain.billing import StripeAccount
from backend.services.facts import (
    AppInstalled,
    AppUninstalled,
    CardAutomaticallyUpdated,
    CardUpdateCompleted,
    DefaultPaymentMethodChanged,
    EventEnvelope,
    Fact,
    Ignored,
    InvoiceClosed,
    InvoicePaid,
    InvoicePaymentFailed,
    InvoiceUpdated,
    PaymentActionRequired,
    SubscriptionDeleted,
)


class MalformedEvent(ValueError):
    """The JSON is not a Stripe event (missing id, type or data.object)."""


def parse_event(payload: Any) -> tuple[EventEnvelope, Fact]:
    if not isinstance(payload, dict):
        raise MalformedEvent("the body is not a JSON object")
    event_id, event_type = payload.get("id"), payload.get("type")
    if not isinstance(event_id, str) or not event_id or not isinstance(event_type, str):
        raise MalformedEvent("an event needs a string id and type")
    data = payload.get("data")
    if not isinstance(data, dict) or not isinstance(data.get("object"), dict):
        raise MalformedEvent("an event needs data.object")
    account_id = payload.get("account")
    envelope = EventEnvelope(
        event_id=event_id, type=event_type,
        account_id=account_id if isinstance(account_id, str) else None,
        livemode=bool(payload.get("livemode", False)),
        created=_time(payload.get("created")) or datetime.fromtimestamp(0, UTC))
    account = envelope.account
    if account is None:
        return envelope, Ignored("not sent on behalf of an installed account")
    parser = _PARSERS.get(event_type)
    if parser is None:
        return envelope, Ignored(f"{event_type} is not used")
    try:
        return envelope, parser(account, data["object"], data.get("previous_attributes") or {},
                                envelope.created)
    except (KeyError, TypeError, ValueError) as error:
        raise MalformedEvent(f"{event_type}: {error}") from error


def _time(value: Any) -> datetime | None:
    return datetime.fromtimestamp(int(value), UTC) if isinstance(value, int | float) else None


def _subscription_of(invoice: dict[str, Any]) -> str | None:
    # Since API 2025-03-31.basil the subscription lives under parent.subscription_details.
    parent = invoice.get("parent") or {}
    details = parent.get("subscription_details") or {}
    return id_of(details.get("subscription"))


def _invoice_payment_failed(account: StripeAccount, invoice: dict[str, Any], _prev: dict[str, Any],
                            at: datetime) -> Fact:
    return InvoicePaymentFailed(
        account=account, invoice_id=invoice["id"], customer_id=id_of(invoice["customer"]) or "",
        subscription_id=_subscription_of(invoice), amount_due=int(invoice.get("amount_due") or 0),
        amount_remaining=int(invoice.get("amount_remaining") or invoice.get("amount_due") or 0),
        currency=str(invoice.get("currency") or "usd"), billing_reason=invoice.get("billing_reason"),
        collection_method=str(invoice.get("collection_method") or "charge_automatically"),
        attempt_count=int(invoice.get("attempt_count") or 0),
        next_payment_attempt=_time(invoice.get("next_payment_attempt")), at=at)


def _invoice_paid(account: StripeAccount, invoice: dict[str, Any], _prev: dict[str, Any],
                  at: datetime) -> Fact:
    return InvoicePaid(account=account, invoice_id=invoice["id"],
                       amount_paid=int(invoice.get("amount_paid") or 0), at=at)


def _invoice_closed(account: StripeAccount, invoice: dict[str, Any], _prev: dict[str, Any],
                    at: datetime) -> Fact:
    return InvoiceClosed(account=account, invoice_id=invoice["id"], new_status=str(invoice["status"]),
                         at=at)


def _invoice_updated(account: StripeAccount, invoice: dict[str, Any], _prev: dict[str, Any],
                     at: datetime) -> Fact:
    return InvoiceUpdated(account=account, invoice_id=invoice["id"], status=str(invoice["status"]),
                          next_payment_attempt=_time(invoice.get("next_payment_attempt")),
                          auto_advance=bool(invoice.get("auto_advance")), at=at)


def _subscription_deleted(account: StripeAccount, subscription: dict[str, Any], _prev: dict[str, Any],
                          at: datetime) -> Fact:
    return SubscriptionDeleted(account=account, subscription_id=subscription["id"], at=at)


def _subscription_updated(account: StripeAccount, subscription: dict[str, Any], prev: dict[str, Any],
                          at: datetime) -> Fact:
    new_default = id_of(subscription.get("default_payment_method"))
    if "default_payment_method" not in prev or not new_default:
        return Ignored("no new default payment method")
    return DefaultPaymentMethodChanged(account=account, customer_id=id_of(subscription["customer"]) or "",
                                       subscription_id=subscription["id"],
                                       payment_method_id=new_default, at=at)


def _customer_updated(account: StripeAccount, customer: dict[str, Any], prev: dict[str, Any],
                      at: datetime) -> Fact:
    previous_settings = prev.get("invoice_settings")
    new_default = id_of((customer.get("invoice_settings") or {}).get("default_payment_method"))
    if not isinstance(previous_settings, dict) or "default_payment_method" not in previous_settings \
            or not new_default:
        return Ignored("no new default payment method")
    return DefaultPaymentMethodChanged(account=account, customer_id=customer["id"], subscription_id=None,
                                       payment_method_id=new_default, at=at)


def _checkout_completed(account: StripeAccount, session: dict[str, Any], _prev: dict[str, Any],
                        at: datetime) -> Fact:
    if session.get("mode") != "setup":
        return Ignored("not a card-update session")
    metadata = session.get("metadata") or {}
    return CardUpdateCompleted(account=account, checkout_session_id=session["id"],
                               customer_id=id_of(session.get("customer")) or "",
                               setup_intent_id=id_of(session.get("setup_intent")),
                               recovery_id=metadata.get("recoup_recovery_id"), at=at)


def _card_automatically_updated(account: StripeAccount, payment_method: dict[str, Any], _prev: dict[str, Any],
                                at: datetime) -> Fact:
    customer = id_of(payment_method.get("customer"))
    if not customer:
        return Ignored("the updated card belongs to no customer")
    return CardAutomaticallyUpdated(account=account, customer_id=customer,
                                    payment_method_id=payment_method["id"], at=at)


_Parser = Callable[[StripeAccount, dict[str, Any], dict[str, Any], datetime], Fact]
_PARSERS: dict[str, _Parser] = {
    "account.application.authorized": lambda account, _o, _p, at: AppInstalled(account, at),
    "account.application.deauthorized": lambda account, _o, _p, at: AppUninstalled(account, at),
    "invoice.payment_failed": _invoice_payment_failed,
    "invoice.paid": _invoice_paid,
    "invoice.voided": _invoice_closed,
    "invoice.marked_uncollectible": _invoice_closed,
    "invoice.updated": _invoice_updated,
    "customer.subscription.deleted": _subscription_deleted,
    "customer.subscription.updated": _subscription_updated,
    "customer.updated": _customer_updated,
    "checkout.session.completed": _checkout_completed,
    "payment_method.automatically_updated": _card_automatically_updated,
    "invoice.payment_action_required": lambda account, invoice, _p, at: PaymentActionRequired(
        account=account, invoice_id=invoice["id"], at=at),
}
