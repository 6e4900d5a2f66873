"""Opening and ending recoveries: the one place that keeps the home view's totals moving."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from backend.domain.analytics import RecoveryFacts, changes, histogram_changes
from backend.domain.attribution import Attribution, caused_by_recoup
from backend.domain.billing import StripeAccount
from backend.domain.difficulty import difficulty_score
from backend.domain.recovery import Recovery
from backend.domain.recovery_state import RecoveryEvent
from backend.jobs.kinds import JobKind, restore_key, tag_key
from backend.services.records import NewJob
from backend.services.unit_of_work import UnitOfWork


async def open_recovery(uow: UnitOfWork, recovery: Recovery, now: datetime) -> None:
    """Store a new recovery and count it as in flight."""
    await uow.recoveries.add(recovery)
    await uow.stats.opened(recovery.account, recovery.currency, recovery.amount, now)
    await move_analytics(uow, recovery.account, None, recovery.facts())


async def end_recovery(uow: UnitOfWork, recovery: Recovery, event: RecoveryEvent, *, outcome: str,
                       now: datetime, attribution: Attribution | None = None, tag: bool = True,
                       restore_collection: bool = True) -> bool:
    """Move an open recovery to its terminal state and save it; False when it had already ended."""
    if not recovery.end(event, outcome=outcome, now=now, attribution=attribution):
        return False
    await recorded_end(uow, recovery, now, tag=tag, restore_collection=restore_collection)
    return True


async def recorded_end(uow: UnitOfWork, recovery: Recovery, now: datetime, *, tag: bool = True,
                       restore_collection: bool = True) -> None:
    """Save a recovery that has just ended: totals, its queued work, the invoice tag, Stripe's collection."""
    if recovery.recovered_by is not None:
        recovery.scored(await score(uow, recovery, now))
    await uow.recoveries.save(recovery)
    await uow.stats.ended(recovery.account, recovery.currency, recovery.amount, recovery.status, now,
                          caused_by_recoup=caused_by_recoup(recovery.recovered_by))
    after = recovery.facts()
    await move_analytics(uow, recovery.account, replace(after, status="scheduled", closed_at=None, recovered_by=None),
                         after)
    # A payment ends the recovery, but a retry whose earlier run was cut off (its answer lost) still
    # runs: it asks Stripe for that answer under the same key and credits the payment if it was ours.
    await uow.jobs.cancel_for_recovery(recovery.id, now, keep_interrupted=recovery.status == "recovered")
    await uow.messages.cancel_planned(recovery.id)  # no reminder after the invoice is settled
    if tag and recovery.status in ("recovered", "exhausted") and not recovery.end_actions_pending:
        await queue_tag(uow, recovery, recovery.status, now)
    if restore_collection and recovery.status != "recovered" and recovery.collection_to_restore():
        await uow.jobs.enqueue(NewJob(kind=JobKind.RESTORE_COLLECTION, account=recovery.account, run_at=now,
                                      recovery_id=recovery.id, dedupe_key=restore_key(recovery.id)), now)


async def correct_attribution(uow: UnitOfWork, recovery: Recovery, attribution: Attribution,
                              now: datetime) -> None:
    """Our own successful attempt outranks the guess a payment webhook made before it."""
    previous = recovery.reattribute(attribution)
    before = caused_by_recoup(previous)
    recovery.scored(await score(uow, recovery, now))
    await uow.recoveries.save(recovery)
    await move_analytics(uow, recovery.account, replace(recovery.facts(), recovered_by=previous), recovery.facts())
    if before != caused_by_recoup(attribution):
        await uow.stats.reattributed(recovery.account, recovery.currency, recovery.amount,
                                     caused_by_recoup=caused_by_recoup(attribution), at=now)


async def move_analytics(uow: UnitOfWork, account: StripeAccount, before: RecoveryFacts | None,
                         after: RecoveryFacts) -> None:
    """Move the daily buckets by what changed in one recovery (nothing when nothing changed)."""
    await uow.analytics.move(account, after.currency, changes(before, after), histogram_changes(before, after))


async def score(uow: UnitOfWork, recovery: Recovery, now: datetime) -> int:
    attempts = await uow.attempts.for_recovery(recovery.id)
    codes = {code for code in [recovery.first_decline_code, *(a.decline_code for a in attempts)] if code}
    return difficulty_score(attempts_needed=len(attempts), distinct_decline_codes=len(codes),
                            hours_to_recover=max(0.0, (now - recovery.started_at).total_seconds() / 3600),
                            recovered_by=recovery.recovered_by or "other")


async def queue_tag(uow: UnitOfWork, recovery: Recovery, status: str, now: datetime) -> None:
    """Queue the invoice metadata write that lets merchants filter invoices by recovery status."""
    await uow.jobs.enqueue(NewJob(kind=JobKind.TAG_INVOICE, account=recovery.account, run_at=now,
                                  recovery_id=recovery.id, payload={"status": status},
                                  dedupe_key=tag_key(recovery.id, status)), now)
