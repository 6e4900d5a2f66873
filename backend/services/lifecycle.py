"""Opening and ending recoveries: the one place that keeps the home view's totals moving."""

from __future__ import annotations

from datetime import datetime

from backend.domain.difficulty import difficulty_score
from backend.domain.recovery_state import RecoveryEvent, RecoveryStatus, is_terminal, transition
from backend.services.job_kinds import JobKind, tag_key
from backend.services.records import NewJob, RecoveryRecord
from backend.services.unit_of_work import UnitOfWork


async def open_recovery(uow: UnitOfWork, recovery: RecoveryRecord, now: datetime) -> None:
    """Store a new recovery and count it as in flight."""
    await uow.recoveries.add(recovery)
    await uow.stats.opened(recovery.account, recovery.currency, recovery.amount, now)


async def end_recovery(uow: UnitOfWork, recovery: RecoveryRecord, event: RecoveryEvent, *, outcome: str,
                       now: datetime, recovered_by: str | None = None, tag: bool = True) -> bool:
    """Move an open recovery to its terminal state; False when it had already ended."""
    status = RecoveryStatus(recovery.status)
    if is_terminal(status):
        return False
    recovery.status = str(transition(status, event))
    recovery.outcome = outcome
    recovery.closed_at = now
    recovery.next_attempt_at = None
    recovery.next_attempt_reason = None
    if event is RecoveryEvent.PAID:
        recovery.recovered_by = recovered_by or "other"
        recovery.difficulty = await score(uow, recovery, now)
    await uow.recoveries.save(recovery)
    await uow.stats.ended(recovery.account, recovery.currency, recovery.amount, recovery.status, now)
    # A payment closes the recovery, but a retry whose earlier run was cut off (its answer lost) must
    # still run: it asks Stripe for that answer under the same key and credits the payment if it was ours.
    await uow.jobs.cancel_for_recovery(recovery.id, now, keep_interrupted=event is RecoveryEvent.PAID)
    if tag and event in (RecoveryEvent.PAID, RecoveryEvent.EXHAUSTED):
        await queue_tag(uow, recovery, recovery.status, now)
    return True


def paid_elsewhere_by(recovery: RecoveryRecord) -> str:
    """Who paid an invoice when it was not our retry: the customer if we had asked them, else someone."""
    return "customer" if recovery.status == RecoveryStatus.AWAITING_CUSTOMER else "other"


async def score(uow: UnitOfWork, recovery: RecoveryRecord, now: datetime) -> int:
    attempts = await uow.attempts.for_recovery(recovery.id)
    codes = {code for code in [recovery.first_decline_code, *(a.decline_code for a in attempts)] if code}
    return difficulty_score(attempts_needed=len(attempts), distinct_decline_codes=len(codes),
                            hours_to_recover=max(0.0, (now - recovery.started_at).total_seconds() / 3600),
                            recovered_by=recovery.recovered_by or "other")


async def queue_tag(uow: UnitOfWork, recovery: RecoveryRecord, status: str, now: datetime) -> None:
    """Queue the invoice metadata write that lets merchants filter invoices by recovery status."""
    await uow.jobs.enqueue(NewJob(kind=JobKind.TAG_INVOICE, account=recovery.account, run_at=now,
                                  recovery_id=recovery.id, payload={"status": status},
                                  dedupe_key=tag_key(recovery.id, status)), now)
