"""What a merchant can do from an invoice's panel: retry now, pause, resume, stop, enrol."""

from __future__ import annotations

from datetime import datetime

from backend.domain.billing import InvoiceStatus, StripeAccount
from backend.domain.recovery import ActionRefused, Recovery
from backend.domain.recovery_state import RecoveryEvent
from backend.jobs.kinds import JobKind, assess_key, merchant_pay_key
from backend.services.account_settings import load_settings, require_installed
from backend.services.audit_trail import record_merchant_action
from backend.services.errors import ActionNotAllowed, RecoveryNotFound
from backend.services.lifecycle import end_recovery, open_recovery
from backend.services.planning import queue_replan
from backend.services.ports import Clock, StripeGateway
from backend.services.records import NewJob
from backend.services.stripe_changes import new_recovery_id
from backend.services.unit_of_work import UnitOfWork, UnitOfWorkFactory

ACTIONS = ("retry_now", "pause", "resume", "stop", "enrol")


async def act_on_recovery(uow_factory: UnitOfWorkFactory, clock: Clock, gateway: StripeGateway,
                          account: StripeAccount, invoice_id: str, action: str) -> Recovery:
    """Apply a merchant action; raise RecoveryNotFound or ActionNotAllowed (with the reason) when it cannot apply."""
    if action == "enrol":
        return await enrol_invoice(uow_factory, clock, gateway, account, invoice_id)
    now = clock.now()
    async with uow_factory() as uow:
        await require_installed(uow, account)
        recovery = await uow.recoveries.for_invoice(account, invoice_id)
        if recovery is None:
            raise RecoveryNotFound(invoice_id)
        if action == "stop":
            if action not in recovery.actions:
                raise ActionNotAllowed(f"a {recovery.status} recovery cannot be asked to stop")
            await end_recovery(uow, recovery, RecoveryEvent.STOPPED_BY_MERCHANT, outcome="stopped_by_merchant",
                               now=now)
        else:
            try:
                recovery.act(action, now, await uow.attempts.for_recovery(recovery.id))
            except ActionRefused as refused:
                raise ActionNotAllowed(refused.reason) from None
            await _FOLLOW_UPS[action](uow, recovery, now)
            await uow.recoveries.save(recovery)
        await record_merchant_action(uow, now, account, f"recovery.{action}", invoice_id=invoice_id,
                                     recovery_id=recovery.id)
        await uow.commit()
        return recovery


async def _retry_now(uow: UnitOfWork, recovery: Recovery, now: datetime) -> None:
    # A second press before the retry ran finds the same key and changes nothing: one charge.
    key = merchant_pay_key(recovery.id, recovery.attempts_made)
    if await uow.jobs.enqueue(NewJob(kind=JobKind.PAY_INVOICE, account=recovery.account, run_at=now,
                                     recovery_id=recovery.id, payload={"trigger": "merchant"},
                                     dedupe_key=key), now):
        await uow.jobs.cancel_for_recovery(recovery.id, now, kinds=[JobKind.PAY_INVOICE.value],
                                           except_dedupe_key=key)


async def _pause(uow: UnitOfWork, recovery: Recovery, _now: datetime) -> None:
    await uow.jobs.pause_for_recovery(recovery.id)


async def _resume(uow: UnitOfWork, recovery: Recovery, now: datetime) -> None:
    await queue_replan(uow, recovery, now, why="resumed from the Dashboard")


_FOLLOW_UPS = {"retry_now": _retry_now, "pause": _pause, "resume": _resume}


async def enrol_invoice(uow_factory: UnitOfWorkFactory, clock: Clock, gateway: StripeGateway,
                        account: StripeAccount, invoice_id: str) -> Recovery:
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
        recovery = Recovery.open(
            recovery_id=new_recovery_id(), account=account, invoice_id=invoice.id, customer_id=invoice.customer_id,
            subscription_id=invoice.subscription_id, amount=invoice.amount_remaining, currency=invoice.currency,
            settings=settings, now=now, reason="enrolled from the Dashboard: reading the decline reason")
        await open_recovery(uow, recovery, now)
        await uow.jobs.enqueue(NewJob(kind=JobKind.ASSESS_FAILURE, account=account, run_at=now,
                                      recovery_id=recovery.id, dedupe_key=assess_key(recovery.id)), now)
        await record_merchant_action(uow, now, account, "recovery.enrol", invoice_id=invoice.id,
                                     recovery_id=recovery.id)
        await uow.commit()
    return recovery
