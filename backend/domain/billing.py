"""Recoup's own view of the Stripe objects it works with.

The gateway adapter turns Stripe's JSON into these frozen values, so nothing past the
adapter ever handles an SDK object or a raw dict.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


@dataclass(frozen=True)
class StripeAccount:
    """An installed account in one mode: test and live state never mix."""

    id: str
    livemode: bool


class InvoiceStatus(StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    PAID = "paid"
    VOID = "void"
    UNCOLLECTIBLE = "uncollectible"


@dataclass(frozen=True)
class CardDecline:
    """Why a card payment failed, as the issuer and Stripe explained it."""

    code: str | None = None  # e.g. "card_declined", "expired_card", "authentication_required"
    decline_code: str | None = None  # e.g. "insufficient_funds"
    advice_code: str | None = None  # confirm_card_data | do_not_try_again | try_again_later
    network_advice_code: str | None = None  # two digits, e.g. Mastercard "03" / "21"
    network_decline_code: str | None = None
    network_status: str | None = None  # approved_by_network | declined_by_network | not_sent_to_network | ...
    outcome_type: str | None = None  # issuer_declined | blocked | invalid | ...
    outcome_reason: str | None = None  # e.g. previously_declined_do_not_retry
    message: str | None = None
    payment_method_id: str | None = None
    charge_id: str | None = None
    payment_intent_id: str | None = None


@dataclass(frozen=True)
class Card:
    """A card payment method on file for a customer."""

    id: str
    brand: str  # visa | mastercard | amex | ...
    last4: str
    exp_month: int
    exp_year: int
    fingerprint: str | None = None
    country: str | None = None


@dataclass(frozen=True)
class Invoice:
    id: str
    customer_id: str
    status: InvoiceStatus
    amount_due: int
    amount_remaining: int
    currency: str
    collection_method: str  # charge_automatically | send_invoice
    billing_reason: str | None
    subscription_id: str | None  # from parent.subscription_details (Basil and later)
    attempt_count: int
    next_payment_attempt: datetime | None  # set while Stripe itself plans a retry
    auto_advance: bool
    created: datetime
    livemode: bool
    metadata: dict[str, str] = field(default_factory=dict)
    default_payment_method: str | None = None
    hosted_invoice_url: str | None = None
    number: str | None = None
    # The decline behind the most recent failed payment, from the expanded PaymentIntent.
    latest_decline: CardDecline | None = None
    # The payment method that the most recent attempt charged.
    latest_payment_method_id: str | None = None
    # Money recorded as paid outside Stripe (`paid_out_of_band`): Recoup had no part in it.
    amount_paid_off_stripe: int = 0
    # The charge that paid the invoice (its PaymentIntent succeeded), when `payments` was expanded.
    paid_by_charge_id: str | None = None


@dataclass(frozen=True)
class Subscription:
    id: str
    customer_id: str
    status: str  # active | past_due | unpaid | canceled | incomplete | trialing | paused ...
    default_payment_method: str | None
    metadata: dict[str, str]
    cancel_at_period_end: bool
    current_period_end: datetime | None  # from the subscription items under Basil and later
    latest_invoice_id: str | None


@dataclass(frozen=True)
class Customer:
    id: str
    email: str | None
    name: str | None
    country: str | None  # address.country, used to place retries in the customer's morning
    default_payment_method: str | None  # invoice_settings.default_payment_method
    preferred_locales: tuple[str, ...] = ()
    phone: str | None = None  # for SMS reminders, when the merchant switched them on


@dataclass(frozen=True)
class InvoicePayment:
    id: str
    invoice_id: str
    status: str  # open | paid | canceled
    payment_intent_id: str | None
    amount_paid: int | None
    is_default: bool


@dataclass(frozen=True)
class CheckoutSession:
    id: str
    url: str
    status: str = "open"  # open | complete | expired
    customer_id: str | None = None
    metadata: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class SettledCharge:
    """A charge that took the money for an invoice: which card, and when."""

    id: str
    payment_method_id: str | None
    created: datetime


@dataclass(frozen=True)
class Paid:
    """Invoice Pay succeeded: the invoice as Stripe returned it."""

    invoice: Invoice
    request_id: str | None


@dataclass(frozen=True)
class Declined:
    """Invoice Pay reached the card and the card said no: an expected outcome, not an error."""

    decline: CardDecline
    request_id: str | None


PayOutcome = Paid | Declined
