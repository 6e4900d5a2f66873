"""Decide a recovery's next step with the domain rules, and queue the work it implies."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from backend.domain.declines import DeclineCategory
from backend.domain.recovery_state import RecoveryEvent, RecoveryStatus, transition
from backend.domain.retry_schedule import (
    AskForNewCard,
    GiveUp,
    NextStep,
    RetryAt,
    RetryContext,
    plan_next_attempt,
    strategy_name,
)
from backend.domain.settings import RecoverySettings
from backend.services.job_kinds import JobKind, assess_key, end_key, scheduled_pay_key
from backend.services.outreach import plan_messages
from backend.services.records import NewJob, RecoveryRecord
from backend.services.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class CardFacts:
    """What the network budget needs about the card that was (or will be) charged."""

    brand: str | None
    attempts: tuple[datetime, ...]


async def plan_and_queue(uow: UnitOfWork, recovery: RecoveryRecord, settings: RecoverySettings, *,
                         card: CardFacts, now: datetime) -> NextStep:
    """Plan the step after the latest failure, update the recovery and queue its job."""
    category = DeclineCategory(recovery.latest_decline_category or DeclineCategory.OTHER)
    # The dunning length is the merchant's current setting, so a changed length moves the deadline
    # of recoveries already under way the next time they are planned.
    recovery.deadline = recovery.started_at + timedelta(days=settings.dunning_days)
    step = plan_next_attempt(RetryContext(
        category=category, recovery_started_at=recovery.started_at, last_failed_at=now,
        retries_made=recovery.attempts_made, max_retries=settings.max_retries,
        dunning_days=settings.dunning_days, customer_country=recovery.customer_country,
        card_brand=card.brand,
        card_attempts=card.attempts, advice_code=recovery.latest_advice_code,
        network_advice_code=recovery.latest_network_advice_code), now)
    recovery.strategy = strategy_name(category)
    await _apply_step(uow, recovery, step, observe_only=settings.observe_only, now=now)
    await plan_messages(uow, recovery, settings, now)  # outreach: e-mails beside the retries
    return step


async def _apply_step(uow: UnitOfWork, recovery: RecoveryRecord, step: NextStep, *, observe_only: bool,
                     now: datetime) -> None:
    """Move the recovery to what `step` says and queue the job that carries it out."""
    status = RecoveryStatus(recovery.status)
    observing = status is RecoveryStatus.OBSERVING
    match step:
        case RetryAt(when=when):
            recovery.next_attempt_at = when
            if not observing:
                recovery.status = str(transition(status, RecoveryEvent.RETRY_SCHEDULED))
            await _enqueue(uow, recovery, JobKind.PAY_INVOICE, when, {"trigger": "schedule"},
                           scheduled_pay_key(recovery.id, recovery.attempts_made, int(when.timestamp())), now)
        case AskForNewCard():
            # Only a new card helps: wait for one (a card update queues an immediate retry), and end
            # dunning at the deadline if none arrives.
            recovery.next_attempt_at = None
            if not observing:
                recovery.status = str(transition(status, RecoveryEvent.NEW_CARD_NEEDED))
            await _enqueue(uow, recovery, JobKind.END_DUNNING, recovery.deadline, {},
                           end_key(recovery.id, int(recovery.deadline.timestamp())), now)
        case GiveUp(reason=reason):
            recovery.next_attempt_at = None
            await _enqueue(uow, recovery, JobKind.END_DUNNING, now, {"reason": reason},
                           end_key(recovery.id, int(now.timestamp())), now)
    prefix = "observe only, nothing is charged: " if observe_only or observing else ""
    recovery.next_attempt_reason = prefix + step.reason


async def _enqueue(uow: UnitOfWork, recovery: RecoveryRecord, kind: JobKind, run_at: datetime,
                   payload: dict[str, str], dedupe_key: str, now: datetime) -> None:
    await uow.jobs.enqueue(NewJob(kind=kind, account=recovery.account, run_at=run_at,
                                  recovery_id=recovery.id, payload=payload, dedupe_key=dedupe_key), now)


async def queue_replan(uow: UnitOfWork, recovery: RecoveryRecord, now: datetime, *, why: str) -> None:
    """Drop the planned retries and plan again from now (after a pause or recovery switched back on).

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
    if keep is not None:
        recovery.next_attempt_at = now
        recovery.next_attempt_reason = f"{why}: retrying with the card added meanwhile"
        return
    await uow.jobs.enqueue(NewJob(kind=JobKind.ASSESS_FAILURE, account=recovery.account, run_at=now,
                                  recovery_id=recovery.id,
                                  dedupe_key=f"{assess_key(recovery.id)}:replan-{int(now.timestamp())}"), now)
    recovery.next_attempt_at = None
    recovery.next_attempt_reason = f"{why}: planning the next retry"
