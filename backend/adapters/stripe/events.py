"""Turn a verified Stripe event (JSON) into an envelope and the fact Recoup acts on.

This is the edge for webhook bodies: every id, amount, timestamp and enum Recoup keeps is
checked here, so a body that is JSON but not a Stripe event is refused before anything is
stored, and the inside can trust the frozen facts it receives.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from backend.adapters.stripe.ids import MAX_ACCOUNT_ID_LENGTH, is_stripe_id
from backend.domain.analytics import STRIPE_DISPUTE_STATUSES
from backend.domain.billing import StripeAccount
from backend.services.webhook_events import (
    AppInstalled,
    AppUninstalled,
    CardAutomaticallyUpdated,
    CardUpdateCompleted,
    ChargeDisputed,
    ChargeRefunded,
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

# Twelve digits in the smallest unit is above anything Stripe charges in any currency, and keeps
# the 64-bit running totals safe for millions of recoveries.
MAX_AMOUNT = 10**12 - 1
# Unix seconds from 1970 to the end of year 9999: anything else is not a moment Stripe sends.
MAX_TIMESTAMP = 253_402_300_799
_EVENT_TYPE = re.compile(r"[a-z0-9_]+(\.[a-z0-9_]+){1,5}")
_CURRENCY = re.compile(r"[a-z]{3}")
_WORD = re.compile(r"[a-z_]{1,64}")
_RECOVERY_ID = re.compile(r"rec_[A-Za-z0-9]{1,60}")
_INVOICE_STATUSES = ("draft", "open", "paid", "uncollectible", "void")
_COLLECTION_METHODS = ("charge_automatically", "send_invoice")
_PAYMENT_METHOD_PREFIXES = ("pm", "card", "src", "ba")


class MalformedEvent(ValueError):
    """The JSON is not a Stripe event Recoup can read; `field` is the path of the first bad field."""

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"{field}: {problem}")
        self.field = field


class _Object:
    """Typed, validating reads of one JSON object, naming the path of whatever is wrong."""

    def __init__(self, raw: Any, path: str) -> None:
        if not isinstance(raw, dict):
            raise MalformedEvent(path, "must be an object")
        self._raw: dict[str, Any] = raw
        self._path = path

    def _at(self, key: str) -> str:
        return f"{self._path}.{key}" if self._path else key

    def has(self, key: str) -> bool:
        return key in self._raw

    def child(self, key: str, *, optional: bool = False) -> _Object | None:
        value = self._raw.get(key)
        if value is None and optional:
            return None
        return _Object(value, self._at(key))

    def stripe_id(self, key: str, *prefixes: str, optional: bool = False,
                  expandable: bool = False, max_length: int = 255) -> str | None:
        value = self._raw.get(key)
        if expandable and isinstance(value, dict):
            return _Object(value, self._at(key)).stripe_id("id", *prefixes, max_length=max_length)
        if value is None and optional:
            return None
        if not is_stripe_id(value, *prefixes, max_length=max_length):
            raise MalformedEvent(self._at(key), f"must be a Stripe id starting with {' or '.join(prefixes)}_")
        return str(value)

    def required_id(self, key: str, *prefixes: str, expandable: bool = False) -> str:
        found = self.stripe_id(key, *prefixes, expandable=expandable)
        assert found is not None
        return found

    def amount(self, key: str) -> int:
        value = self._raw.get(key)
        if value is None:
            return 0
        if not _is_int(value) or not 0 <= value <= MAX_AMOUNT:
            raise MalformedEvent(self._at(key), "must be a non-negative whole amount")
        return int(value)

    def count(self, key: str) -> int:
        value = self._raw.get(key)
        if value is None:
            return 0
        if not _is_int(value) or not 0 <= value <= 2**31 - 1:
            raise MalformedEvent(self._at(key), "must be a non-negative whole number")
        return int(value)

    def moment(self, key: str) -> datetime | None:
        value = self._raw.get(key)
        if value is None:
            return None
        if not _is_int(value) or not 0 <= value <= MAX_TIMESTAMP:
            raise MalformedEvent(self._at(key), "must be unix seconds between 1970 and 9999")
        return datetime.fromtimestamp(value, UTC)

    def flag(self, key: str) -> bool:
        value = self._raw.get(key, False)
        if value is None:
            return False
        if not isinstance(value, bool):
            raise MalformedEvent(self._at(key), "must be true or false")
        return value

    def choice(self, key: str, allowed: tuple[str, ...], default: str | None = None) -> str:
        value = self._raw.get(key)
        if value is None and default is not None:
            return default
        if value not in allowed:
            raise MalformedEvent(self._at(key), f"must be one of {', '.join(allowed)}")
        return str(value)

    def matching(self, key: str, pattern: re.Pattern[str], default: str | None = None) -> str | None:
        value = self._raw.get(key)
        if value is None:
            return default
        if not isinstance(value, str) or not pattern.fullmatch(value):
            raise MalformedEvent(self._at(key), "has an unexpected value")
        return value


def _is_int(value: Any) -> bool:
    # bool is an int in Python, and 1e400 arrives as a float: neither is an amount or a time.
    return isinstance(value, int) and not isinstance(value, bool)


def parse_event(payload: Any) -> tuple[EventEnvelope, Fact]:
    """Read the envelope and the fact, or raise MalformedEvent naming the first bad field."""
    event = _Object(payload, "")
    event_type = event.matching("type", _EVENT_TYPE)
    if event_type is None or len(event_type) > 128:
        raise MalformedEvent("type", "must be a Stripe event type")
    envelope = EventEnvelope(
        event_id=event.required_id("id", "evt"), type=event_type,
        account_id=event.stripe_id("account", "acct", optional=True, max_length=MAX_ACCOUNT_ID_LENGTH),
        livemode=event.flag("livemode"),
        created=event.moment("created") or datetime.fromtimestamp(0, UTC))
    data = event.child("data")
    assert data is not None
    obj = data.child("object")
    previous = data.child("previous_attributes", optional=True) or _Object({}, "data.previous_attributes")
    assert obj is not None
    account = envelope.account
    if account is None:
        return envelope, Ignored("not sent on behalf of an installed account")
    parser = _PARSERS.get(event_type)
    if parser is None:
        return envelope, Ignored(f"{event_type} is not used")
    return envelope, parser(account, obj, previous, envelope.created)


def _subscription_of(invoice: _Object) -> str | None:
    # Since API 2025-03-31.basil the subscription lives under parent.subscription_details.
    parent = invoice.child("parent", optional=True)
    details = parent.child("subscription_details", optional=True) if parent else None
    return details.stripe_id("subscription", "sub", optional=True, expandable=True) if details else None


def _invoice_payment_failed(account: StripeAccount, invoice: _Object, _prev: _Object, at: datetime) -> Fact:
    amount_due = invoice.amount("amount_due")
    return InvoicePaymentFailed(
        account=account, invoice_id=invoice.required_id("id", "in"),
        customer_id=invoice.required_id("customer", "cus", expandable=True),
        subscription_id=_subscription_of(invoice), amount_due=amount_due,
        amount_remaining=invoice.amount("amount_remaining") or amount_due,
        currency=invoice.matching("currency", _CURRENCY, default="usd") or "usd",
        billing_reason=invoice.matching("billing_reason", _WORD),
        collection_method=invoice.choice("collection_method", _COLLECTION_METHODS, default=_COLLECTION_METHODS[0]),
        attempt_count=invoice.count("attempt_count"),
        next_payment_attempt=invoice.moment("next_payment_attempt"), at=at)


def _invoice_paid(account: StripeAccount, invoice: _Object, _prev: _Object, at: datetime) -> Fact:
    return InvoicePaid(account=account, invoice_id=invoice.required_id("id", "in"),
                       amount_paid=invoice.amount("amount_paid"), at=at,
                       paid_off_stripe=invoice.amount("amount_paid_off_stripe") > 0)


def _invoice_closed(account: StripeAccount, invoice: _Object, _prev: _Object, at: datetime) -> Fact:
    return InvoiceClosed(account=account, invoice_id=invoice.required_id("id", "in"),
                         new_status=invoice.choice("status", _INVOICE_STATUSES), at=at)


def _invoice_updated(account: StripeAccount, invoice: _Object, _prev: _Object, at: datetime) -> Fact:
    return InvoiceUpdated(account=account, invoice_id=invoice.required_id("id", "in"),
                          status=invoice.choice("status", _INVOICE_STATUSES),
                          next_payment_attempt=invoice.moment("next_payment_attempt"),
                          auto_advance=invoice.flag("auto_advance"), at=at)


def _subscription_deleted(account: StripeAccount, subscription: _Object, _prev: _Object, at: datetime) -> Fact:
    return SubscriptionDeleted(account=account, subscription_id=subscription.required_id("id", "sub"), at=at)


def _subscription_updated(account: StripeAccount, subscription: _Object, prev: _Object, at: datetime) -> Fact:
    new_default = subscription.stripe_id("default_payment_method", *_PAYMENT_METHOD_PREFIXES, optional=True,
                                         expandable=True)
    if not prev.has("default_payment_method") or not new_default:
        return Ignored("no new default payment method")
    return DefaultPaymentMethodChanged(account=account,
                                       customer_id=subscription.required_id("customer", "cus", expandable=True),
                                       subscription_id=subscription.required_id("id", "sub"),
                                       payment_method_id=new_default, at=at)


def _customer_updated(account: StripeAccount, customer: _Object, prev: _Object, at: datetime) -> Fact:
    settings = customer.child("invoice_settings", optional=True)
    new_default = settings.stripe_id("default_payment_method", *_PAYMENT_METHOD_PREFIXES, optional=True,
                                     expandable=True) if settings else None
    previous_settings = prev.child("invoice_settings", optional=True) if prev.has("invoice_settings") else None
    if previous_settings is None or not previous_settings.has("default_payment_method") or not new_default:
        return Ignored("no new default payment method")
    return DefaultPaymentMethodChanged(account=account, customer_id=customer.required_id("id", "cus"),
                                       subscription_id=None, payment_method_id=new_default, at=at)


def _checkout_completed(account: StripeAccount, session: _Object, _prev: _Object, at: datetime) -> Fact:
    if session.matching("mode", _WORD) != "setup":
        return Ignored("not a card-update session")
    metadata = session.child("metadata", optional=True)
    return CardUpdateCompleted(account=account, checkout_session_id=session.required_id("id", "cs"),
                               customer_id=session.stripe_id("customer", "cus", optional=True,
                                                             expandable=True) or "",
                               setup_intent_id=session.stripe_id("setup_intent", "seti", optional=True,
                                                                 expandable=True),
                               recovery_id=metadata.matching("recoup_recovery_id", _RECOVERY_ID)
                               if metadata else None, at=at)


def _card_automatically_updated(account: StripeAccount, payment_method: _Object, _prev: _Object,
                                at: datetime) -> Fact:
    """The networks' card updater refreshed a saved card in place (same id, new expiry or number)."""
    payment_method_id = payment_method.required_id("id", *_PAYMENT_METHOD_PREFIXES)
    customer = payment_method.stripe_id("customer", "cus", optional=True, expandable=True)
    if not customer:
        return Ignored("the updated card belongs to no customer")
    return CardAutomaticallyUpdated(account=account, customer_id=customer, payment_method_id=payment_method_id,
                                    at=at)


def _payment_action_required(account: StripeAccount, invoice: _Object, _prev: _Object, at: datetime) -> Fact:
    return PaymentActionRequired(account=account, invoice_id=invoice.required_id("id", "in"), at=at)


def _dispute(account: StripeAccount, dispute: _Object, _prev: _Object, at: datetime) -> Fact:
    return ChargeDisputed(account=account, dispute_id=dispute.required_id("id", "du", "dp"),
                          charge_id=dispute.required_id("charge", "ch", "py", expandable=True),
                          payment_intent_id=dispute.stripe_id("payment_intent", "pi", optional=True,
                                                              expandable=True),
                          amount=dispute.amount("amount"),
                          currency=dispute.matching("currency", _CURRENCY, default="usd") or "usd",
                          status=dispute.choice("status", STRIPE_DISPUTE_STATUSES), at=at)


def _charge_refunded(account: StripeAccount, charge: _Object, _prev: _Object, at: datetime) -> Fact:
    amount, refunded = charge.amount("amount"), charge.amount("amount_refunded")
    if refunded > amount:
        raise MalformedEvent("data.object.amount_refunded", "must not exceed the charge's amount")
    return ChargeRefunded(account=account, charge_id=charge.required_id("id", "ch", "py"),
                          payment_intent_id=charge.stripe_id("payment_intent", "pi", optional=True, expandable=True),
                          amount=amount, amount_refunded=refunded,
                          currency=charge.matching("currency", _CURRENCY, default="usd") or "usd", at=at)


_Parser = Callable[[StripeAccount, _Object, _Object, datetime], Fact]
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
    "invoice.payment_action_required": _payment_action_required,
    "charge.dispute.created": _dispute,
    "charge.dispute.closed": _dispute,
    "charge.refunded": _charge_refunded,
}

# The event types Recoup acts on: the webhook endpoint's enabled events and the app's event permissions.
HANDLED_EVENT_TYPES = frozenset(_PARSERS)
