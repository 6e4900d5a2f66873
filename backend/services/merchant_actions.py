"""What a merchant can do from an invoice's panel: retry now, pause, resume, stop, enrol."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from backend.domain.billing import InvoiceStatus, StripeAccount
from backend.domain.recovery_state import (
    RecoveryEvent,
    RecoveryStatus,
    allowed_actions,
    event_for_action,
    transition,
)
from backend.services.account_settings import load_settings, require_installed
from backend.services.errors import ActionNotAllowed, RecoveryNotFound
from backend.services.job_kinds import JobKind, assess_key, merchant_pay_key
from backend.services.lifecycle import end_recovery, open_recovery
from backend.services.planning import queue_replan
from backend.services.ports import Clock, StripeGateway
from backend.services.records import NewJob, RecoveryRecord
from backend.services.recovery_intake import new_recovery_id
from backend.services.unit_of_work import UnitOfWork, UnitOfWorkFactory

ACTIONS = ("retry_now", "pause", "resume", "stop", "enrol")


async def act_on_recovery(uow_factory: UnitOfWorkFactory, clock: Clock, gateway: StripeGateway,
                          account: StripeAccount, invoice_id: str, action: str) -> RecoveryRecord:
    """Apply a merchant action; raise RecoveryNotFound or ActionNotAllowed when it cannot apply."""
    if action == "enrol":
        return await enrol_invoice(uow_factory, clock, gateway, account, invoice_id)
    now = clock.now()
    async with uow_factory() as uow:
        await require_installed(uow, account)
        recovery = await uow.recoveries.for_invoice(account, invoice_id)
        if recovery is None:
            raise RecoveryNotFound(invoice_id)
        status = RecoveryStatus(recovery.status)
        if action not in allowed_actions(status):
            raise ActionNotAllowed(f"a {status.value} recovery cannot be asked to {action.replace('_', ' ')}")
        if action == "stop":
            await end_recovery(uow, recovery, RecoveryEvent.STOPPED_BY_MERCHANT, outcome="stopped_by_merchant",
                               now=now)
        else:
            recovery.status = str(transition(status, event_for_action(action)))
            await _STEPS[action](uow, recovery, now)
            await uow.recoveries.save(recovery)
        await uow.commit()
        return recovery


async def _retry_now(uow: UnitOfWork, recovery: RecoveryRecord, now: datetime) -> None:
    # A second press before the retry ran finds the same key and changes nothing: one charge.
    key = merchant_pay_key(recovery.id, recovery.attempts_made)
    if await uow.jobs.enqueue(NewJob(kind=JobKind.PAY_INVOICE, account=recovery.account, run_at=now,
                                     recovery_id=recovery.id, payload={"trigger": "merchant"},
                                     dedupe_key=key), now):
        await uow.jobs.cancel_for_recovery(recovery.id, now, kinds=[JobKind.PAY_INVOICE.value],
                                           except_dedupe_key=key)
    recovery.next_attempt_at = now
    recovery.next_attempt_reason = "retry requested from the Dashboard"


async def _pause(uow: UnitOfWork, recovery: RecoveryRecord, _now: datetime) -> None:
    await uow.jobs.pause_for_recovery(recovery.id)
    recovery.next_attempt_at = None
    recovery.next_attempt_reason = "paused from the Dashboard"


async def _resume(uow: UnitOfWork, recovery: RecoveryRecord, now: datetime) -> None:
    await queue_replan(uow, recovery, now, why="resumed from the Dashboard")


_STEPS: dict[str, Callable[[UnitOfWork, RecoveryRecord, datetime], Awaitable[None]]] = {
    "retry_now": _retry_now, "pause": _pause, "resume": _resume,
}


async def enrol_invoice(uow_factory: UnitOfWorkFactory, clock: Clock, gateway: StripeGateway,
                        account: StripeAccount, invoice_id: str) -> RecoveryRecord:
    """Put an open, automatically charged invoice into recovery by hand."""
    async with uow_factory() as uow:
        await require_installed(uow, account)
        if not (await load_settings(uow, account)).enabled:
            raise ActionNotAllowed("switch recovery on in Settings before enrolling invoices")
        if await uow.recoveries.for_invoice(account, invoice_id) is not None:
            raise ActionNotAllowed("this invoice is already in recovery")
    invoice = await gateway.retrieve_invoice(account, invoice_id)
    if invoice.status is not InvoiceStatus.OPEN or invoice.collection_method != "charge_automatically":
        raise ActionNotAllowed("only open invoices that Stripe charges automatically can be enrolled")
    now = clock.now()
    async with uow_factory() as uow:
        # Checked again in the transaction that inserts: a second click may have enrolled it meanwhile.
        if await uow.recoveries.for_invoice(account, invoice_id) is not None:
            raise ActionNotAllowed("this invoice is already in recovery")
        settings = await load_settings(uow, account)
        recovery = RecoveryRecord(
            id=new_recovery_id(), account_id=account.id, livemode=account.livemode, invoice_id=invoice.id,
            customer_id=invoice.customer_id, subscription_id=invoice.subscription_id,
            amount=invoice.amount_remaining, currency=invoice.currency,
            status=str(RecoveryStatus.OBSERVING if settings.observe_only else RecoveryStatus.SCHEDULED),
            started_at=now, deadline=now + timedelta(days=settings.dunning_days),
            next_attempt_reason="enrolled from the Dashboard: reading the decline reason")
        await open_recovery(uow, recovery, now)
        await uow.jobs.enqueue(NewJob(kind=JobKind.ASSESS_FAILURE, account=account, run_at=now,
                                      recovery_id=recovery.id, dedupe_key=assess_key(recovery.id)), now)
        await uow.commit()
    return recovery
