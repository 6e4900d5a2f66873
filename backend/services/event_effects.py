"""What each kind of Stripe event does to Recoup: the one table from event to use case."""

from __future__ import annotations

from datetime import datetime

from backend.services import stripe_changes
from backend.services.installs import app_installed, app_uninstalled
from backend.services.money_back import charge_disputed, charge_refunded
from backend.services.outreach import payment_action_required
from backend.services.unit_of_work import UnitOfWork
from backend.services.webhook_events import (
    AppInstalled,
    AppUninstalled,
    CardAutomaticallyUpdated,
    CardUpdateCompleted,
    ChargeDisputed,
    ChargeRefunded,
    DefaultPaymentMethodChanged,
    Fact,
    Ignored,
    InvoiceClosed,
    InvoicePaid,
    InvoicePaymentFailed,
    InvoiceUpdated,
    PaymentActionRequired,
    SubscriptionDeleted,
)


async def apply_fact(uow: UnitOfWork, fact: Fact, now: datetime) -> str:
    """What each kind of event does: the one table from event to use case."""
    match fact:
        case AppInstalled():
            return await app_installed(uow, fact)
        case AppUninstalled():
            return await app_uninstalled(uow, fact, now)
        case InvoicePaymentFailed():
            return await stripe_changes.payment_failed(uow, fact, now)
        case InvoicePaid():
            return await stripe_changes.invoice_paid(uow, fact, now)
        case InvoiceClosed():
            return await stripe_changes.invoice_closed(uow, fact, now)
        case InvoiceUpdated():
            return await stripe_changes.invoice_updated(uow, fact, now)
        case SubscriptionDeleted():
            return await stripe_changes.subscription_deleted(uow, fact, now)
        case DefaultPaymentMethodChanged() | CardUpdateCompleted() | CardAutomaticallyUpdated():
            return await stripe_changes.card_updated(uow, fact, now)
        case PaymentActionRequired():
            return await payment_action_required(uow, fact, now)  # the confirm-your-payment e-mail
        case ChargeDisputed():
            return await charge_disputed(uow, fact, now)
        case ChargeRefunded():
            return await charge_refunded(uow, fact, now)
        case Ignored(reason=reason):
            return f"ignored: {reason}"
