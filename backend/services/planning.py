"""Ask the recovery for its next step, and queue the job that carries it out."""

from __future__ import annotations

from datetime import datetime

from backend.domain.recovery import CardHistory, Recovery
from backend.domain.retry_schedule import AskForNewCard, GiveUp, NextStep, RetryAt, WaitForDeadline
from backend.domain.settings import RecoverySettings
from backend.jobs.kinds import JobKind, assess_key, end_key, scheduled_pay_key
from backend.services.outreach import plan_messages
from backend.services.records import NewJob
from backend.services.unit_of_work import UnitOfWork


async def plan_and_queue(uow: UnitOfWork, recovery: Recovery, settings: RecoverySettings, *,
                         card: CardHistory, now: datetime) -> NextStep:
    """Plan the step after the latest failure (the recovery moves itself) and queue its job."""
    step = recovery.plan(settings, card, now)
    match step:
        case RetryAt(when=when):
            await enqueue(uow, recovery, JobKind.PAY_INVOICE, when, {"trigger": "schedule"},
                          scheduled_pay_key(recovery.id, recovery.attempts_made + recovery.paper_attempts_made,
                                            int(when.timestamp())), now)
            # The end of dunning stays on the calendar whatever the retries do.
            await queue_end(uow, recovery, now)
        case AskForNewCard() | WaitForDeadline():
            # No retry fits: wait for the customer (a card update queues an immediate retry), and run
            # the end actions at the deadline, not before.
            await queue_end(uow, recovery, now)
        case GiveUp(reason=reason):
            await enqueue(uow, recovery, JobKind.END_DUNNING, now, {"reason": reason},
                          end_key(recovery.id, int(now.timestamp())), now)
    if not isinstance(step, GiveUp):
        await plan_messages(uow, recovery, settings, now)  # the customer's e-mails, beside the retries
    return step


async def queue_end(uow: UnitOfWork, recovery: Recovery, now: datetime) -> None:
    """Queue the end of dunning at the recovery's deadline, dropping one planned for another moment."""
    key = end_key(recovery.id, int(recovery.deadline.timestamp()))
    await uow.jobs.cancel_for_recovery(recovery.id, now, kinds=[JobKind.END_DUNNING.value], except_dedupe_key=key)
    await enqueue(uow, recovery, JobKind.END_DUNNING, max(recovery.deadline, now), {}, key, now)


async def enqueue(uow: UnitOfWork, recovery: Recovery, kind: JobKind, run_at: datetime,
                  payload: dict[str, str], dedupe_key: str, now: datetime) -> None:
    await uow.jobs.enqueue(NewJob(kind=kind, account=recovery.account, run_at=run_at,
                                  recovery_id=recovery.id, payload=payload, dedupe_key=dedupe_key), now)


async def queue_replan(uow: UnitOfWork, recovery: Recovery, now: datetime, *, why: str) -> None:
    """Drop the planned retries and plan again from now (after a pause, a settings change, going live).

    A retry with a card the customer added in the meantime is kept and runs first: its outcome
    plans whatever comes next. Otherwise the recovery is assessed afresh.
    """
    waiting = [job for job in await uow.jobs.pending_for_recovery(recovery.id)
               if job.kind == JobKind.PAY_INVOICE and job.payload.get("trigger") in ("card_update", "card_updater")]
    keep = waiting[-1].dedupe_key if waiting else None
    await uow.jobs.cancel_for_recovery(recovery.id, now,
                                       kinds=[JobKind.PAY_INVOICE.value, JobKind.END_DUNNING.value],
                                       except_dedupe_key=keep)
    await uow.jobs.resume_for_recovery(recovery.id, now)
    recovery.replanning(now, why, card_retry_waiting=keep is not None)
    if keep is not None:
        await queue_end(uow, recovery, now)
        return
    await uow.jobs.enqueue(NewJob(kind=JobKind.ASSESS_FAILURE, account=recovery.account, run_at=now,
                                  recovery_id=recovery.id,
                                  dedupe_key=replan_key(recovery, now)), now)


def replan_key(recovery: Recovery, now: datetime) -> str:
    # Two re-plans within one second (two settings saves, say) are two pieces of work: the version
    # tells them apart, so the second is not swallowed by the first one's finished job.
    return f"{assess_key(recovery.id)}:replan-{int(now.timestamp())}-v{recovery.version}"
