"""What a Stripe event tells Recoup, parsed at the edge into plain values."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from backend.domain.billing import CardDecline, StripeAccount


@dataclass(frozen=True)
class EventEnvelope:
    """The parts of every Stripe event used for deduplication and ordering."""

    event_id: str
    type: str
    account_id: str | None
    livemode: bool
    created: datetime

    @property
    def account(self) -> StripeAccount | None:
        return StripeAccount(self.account_id, self.livemode) if self.account_id else None


@dataclass(frozen=True)
class AppInstalled:
    account: StripeAccount
    at: datetime


@dataclass(frozen=True)
class AppUninstalled:
    account: StripeAccount
    at: datetime


@dataclass(frozen=True)
class InvoicePaymentFailed:
    account: StripeAccount
    invoice_id: str
    customer_id: str
    subscription_id: str | None
    amount_due: int
    amount_remaining: int
    currency: str
    billing_reason: str | None
    collection_method: str
    attempt_count: int
    next_payment_attempt: datetime | None
    at: datetime
    # Present when the event carried it (an expanded PaymentIntent); the charge.failed event
    # or the first job's invoice read fills it in otherwise.
    decline: CardDecline | None = None


@dataclass(frozen=True)
class InvoicePaid:
    account: StripeAccount
    invoice_id: str
    amount_paid: int
    at: datetime
    # Some of the money was recorded outside Stripe (`paid_out_of_band`, a bank transfer settled by hand).
    paid_off_stripe: bool = False


@dataclass(frozen=True)
class InvoiceClosed:
    """Voided or marked uncollectible outside Recoup's end-of-dunning."""

    account: StripeAccount
    invoice_id: str
    new_status: str  # void | uncollectible
    at: datetime


@dataclass(frozen=True)
class InvoiceUpdated:
    account: StripeAccount
    invoice_id: str
    status: str
    next_payment_attempt: datetime | None
    auto_advance: bool
    at: datetime


@dataclass(frozen=True)
class SubscriptionDeleted:
    account: StripeAccount
    subscription_id: str
    at: datetime


@dataclass(frozen=True)
class DefaultPaymentMethodChanged:
    """A customer or subscription got a new default card: a chance to retry at once."""

    account: StripeAccount
    customer_id: str
    subscription_id: str | None
    payment_method_id: str
    at: datetime


@dataclass(frozen=True)
class CardUpdateCompleted:
    """A setup-mode Checkout Session finished: the customer gave a new card."""

    account: StripeAccount
    checkout_session_id: str
    customer_id: str
    setup_intent_id: str | None
    recovery_id: str | None
    at: datetime


@dataclass(frozen=True)
class CardAutomaticallyUpdated:
    """The card networks refreshed a card in place (card updater): worth one immediate retry."""

    account: StripeAccount
    customer_id: str
    payment_method_id: str
    at: datetime


@dataclass(frozen=True)
class PaymentActionRequired:
    """The bank wants the customer to confirm the invoice's payment (3-D Secure)."""

    account: StripeAccount
    invoice_id: str
    at: datetime


@dataclass(frozen=True)
class ChargeDisputed:
    """A charge was disputed, or its dispute changed or closed."""

    account: StripeAccount
    dispute_id: str
    charge_id: str
    payment_intent_id: str | None
    amount: int
    currency: str
    status: str  # Stripe's dispute status, e.g. needs_response, won, lost
    at: datetime


@dataclass(frozen=True)
class ChargeRefunded:
    """A charge was refunded, in part or in full; `amount_refunded` is the total so far."""

    account: StripeAccount
    charge_id: str
    payment_intent_id: str | None
    amount: int
    amount_refunded: int
    currency: str
    at: datetime


@dataclass(frozen=True)
class Ignored:
    """An event type Recoup does not act on."""

    reason: str


Fact = (AppInstalled | AppUninstalled | InvoicePaymentFailed | InvoicePaid
        | InvoiceClosed | InvoiceUpdated | SubscriptionDeleted | DefaultPaymentMethodChanged
        | CardUpdateCompleted | CardAutomaticallyUpdated | PaymentActionRequired | ChargeDisputed
        | ChargeRefunded | Ignored)
