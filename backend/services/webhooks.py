"""Ingest one Stripe event: deduplicate it and apply its effects in one transaction."""

from __future__ import annotations

import logging

from backend.services import recovery_intake
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
from backend.services.installs import app_installed, app_uninstalled
from backend.services.outreach import payment_action_required
from backend.services.ports import Clock
from backend.services.unit_of_work import UnitOfWork, UnitOfWorkFactory

log = logging.getLogger(__name__)


async def ingest_event(uow_factory: UnitOfWorkFactory, clock: Clock, envelope: EventEnvelope,
                       fact: Fact) -> str:
    """Apply the event once; a second delivery of the same event id changes nothing."""
    now = clock.now()
    async with uow_factory() as uow:
        fresh = await uow.events.record(
            event_id=envelope.event_id, type=envelope.type, account_id=envelope.account_id,
            livemode=envelope.livemode, outcome="ignored" if isinstance(fact, Ignored) else "processed",
            now=now)
        if not fresh:
            return "duplicate"
        outcome = await _apply(uow, fact, clock)
        await uow.commit()
    log.info("event %s %s for %s: %s", envelope.event_id, envelope.type, envelope.account_id, outcome)
    return outcome


async def _apply(uow: UnitOfWork, fact: Fact, clock: Clock) -> str:
    now = clock.now()
    match fact:
        case AppInstalled():
            return await app_installed(uow, fact)
        case AppUninstalled():
            return await app_uninstalled(uow, fact, now)
        case InvoicePaymentFailed():
            return await recovery_intake.payment_failed(uow, fact, now)
        case InvoicePaid():
            return await recovery_intake.invoice_paid(uow, fact, now)
        case InvoiceClosed():
            return await recovery_intake.invoice_closed(uow, fact, now)
        case InvoiceUpdated():
            return await recovery_intake.invoice_updated(uow, fact, now)
        case SubscriptionDeleted():
            return await recovery_intake.subscription_deleted(uow, fact, now)
        case DefaultPaymentMethodChanged() | CardUpdateCompleted() | CardAutomaticallyUpdated():
            return await recovery_intake.card_updated(uow, fact, now)
        case PaymentActionRequired():
            return await payment_action_required(uow, fact, now)  # outreach: confirm-payment e-mail
        case Ignored(reason=reason):
            return f"ignored: {reason}"
