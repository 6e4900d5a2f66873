"""Refunds and disputes of a payment Recoup recovered: flag the recovery, take the money off the figures."""

from __future__ import annotations

from datetime import datetime

from backend.domain.analytics import dispute_outcome
from backend.services.lifecycle import move_analytics
from backend.services.unit_of_work import UnitOfWork
from backend.services.webhook_events import ChargeDisputed, ChargeRefunded


async def charge_disputed(uow: UnitOfWork, fact: ChargeDisputed, _now: datetime) -> str:
    """Record a dispute's state on the recovery it paid; a lost dispute leaves net recovered money."""
    recovery = await uow.recoveries.for_payment(fact.account, fact.payment_intent_id, fact.charge_id)
    if recovery is None:
        return "ignored: the disputed charge paid no invoice Recoup managed"
    before = recovery.facts()
    if not recovery.disputed(dispute_outcome(fact.status), fact.amount):
        return "ignored: nothing new about this dispute"
    await uow.recoveries.save(recovery)
    await move_analytics(uow, recovery.account, before, recovery.facts())
    return f"dispute {recovery.dispute_status} on {recovery.invoice_id}"


async def charge_refunded(uow: UnitOfWork, fact: ChargeRefunded, _now: datetime) -> str:
    """Record how much of a recovered payment was refunded (Stripe's running total: counted once)."""
    recovery = await uow.recoveries.for_payment(fact.account, fact.payment_intent_id, fact.charge_id)
    if recovery is None:
        return "ignored: the refunded charge paid no invoice Recoup managed"
    before = recovery.facts()
    if not recovery.refunded(fact.amount_refunded):
        return "ignored: no more refunded than already counted"
    await uow.recoveries.save(recovery)
    await move_analytics(uow, recovery.account, before, recovery.facts())
    return f"refunded {recovery.refunded_amount} of {recovery.invoice_id}"
