"""An invoice that is no longer open, or a subscription that ended: close the recovery, charge nothing."""

from __future__ import annotations

from backend.domain.billing import Invoice, InvoiceStatus
from backend.domain.recovery_state import RecoveryEvent
from backend.jobs.outcomes import Done
from backend.jobs.runner import JobDeps, JobRun
from backend.services.lifecycle import end_recovery


async def close_for_settled_invoice(deps: JobDeps, run: JobRun, invoice: Invoice) -> Done:
    """The invoice is paid, void or uncollectible: end the recovery accordingly and finish the job."""
    now = deps.clock.now()
    async with deps.uow_factory() as uow:
        recovery = await uow.recoveries.get(run.job.recovery_id or "")
        if recovery is not None and recovery.is_open:
            if invoice.status is InvoiceStatus.PAID:
                await end_recovery(uow, recovery, RecoveryEvent.PAID, outcome="paid",
                                   attribution=recovery.paid_elsewhere(
                                       paid_off_stripe=invoice.amount_paid_off_stripe > 0), now=now)
            else:
                await end_recovery(uow, recovery, RecoveryEvent.CLOSED_ELSEWHERE,
                                   outcome=f"invoice_{invoice.status.value}", now=now)
        await run.finish(uow)
        await uow.commit()
    return Done()


async def close_for_stopped_subscription(deps: JobDeps, run: JobRun, subscription_status: str) -> Done:
    """The subscription was cancelled (or paused): its invoice is not charged; close the recovery."""
    now = deps.clock.now()
    async with deps.uow_factory() as uow:
        recovery = await uow.recoveries.get(run.job.recovery_id or "")
        if recovery is not None and recovery.is_open:
            outcome = "subscription_canceled" if subscription_status != "paused" else "subscription_paused"
            await end_recovery(uow, recovery, RecoveryEvent.CLOSED_ELSEWHERE, outcome=outcome, now=now)
        await run.finish(uow)
        await uow.commit()
    return Done()
