"""Read models for the Dashboard: an invoice's recovery story, the home overview, warnings."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from backend.domain.billing import StripeAccount
from backend.domain.recovery_state import RecoveryStatus, allowed_actions, is_terminal
from backend.services.account_settings import require_installed
from backend.services.records import AttemptRecord, RecoveryRecord
from backend.services.unit_of_work import UnitOfWorkFactory

WEEKS_SHOWN = 8


@dataclass(frozen=True)
class RecoveryStory:
    recovery: RecoveryRecord
    attempts: list[AttemptRecord]
    actions: tuple[str, ...]


@dataclass(frozen=True)
class Warning:
    code: str
    message: str
    invoice_id: str | None = None


@dataclass
class Overview:
    recovered: dict[str, int] = field(default_factory=dict)
    in_flight: dict[str, int] = field(default_factory=dict)
    recovery_rate: float | None = None
    active_count: int = 0
    next_due: list[RecoveryRecord] = field(default_factory=list)
    recent_outcomes: list[RecoveryRecord] = field(default_factory=list)
    weekly: list[tuple[str, int, int]] = field(default_factory=list)  # (week start, recovered, failed)
    warnings: list[Warning] = field(default_factory=list)


async def recovery_story(uow_factory: UnitOfWorkFactory, account: StripeAccount,
                         invoice_id: str) -> RecoveryStory | None:
    async with uow_factory() as uow:
        await require_installed(uow, account)
        recovery = await uow.recoveries.for_invoice(account, invoice_id)
        if recovery is None:
            return None
        attempts = await uow.attempts.for_recovery(recovery.id)
    return RecoveryStory(recovery, attempts, allowed_actions(RecoveryStatus(recovery.status)))


def stripe_retry_warnings(recoveries: list[RecoveryRecord]) -> list[Warning]:
    """Warn while Stripe's own retries run on invoices Recoup manages (double retries)."""
    flagged = [r for r in recoveries if r.stripe_retrying and not is_terminal(RecoveryStatus(r.status))]
    if not flagged:
        return []
    return [Warning("stripe_retries_active",
                    f"Stripe's automatic retries are also on for {len(flagged)} invoice(s) Recoup manages. "
                    "Two retry schedules burn the card's network retry budget; turn Smart Retries off in "
                    "Billing → Revenue recovery, or let Recoup pause them per invoice.",
                    flagged[0].invoice_id if len(flagged) == 1 else None)]


async def account_warnings(uow_factory: UnitOfWorkFactory, account: StripeAccount) -> list[Warning]:
    async with uow_factory() as uow:
        return stripe_retry_warnings(await uow.recoveries.open_for_account(account))


async def overview(uow_factory: UnitOfWorkFactory, account: StripeAccount, now: datetime) -> Overview:
    async with uow_factory() as uow:
        await require_installed(uow, account)
        recoveries = await uow.recoveries.list_for_account(account)
    result = Overview()
    recovered: defaultdict[str, int] = defaultdict(int)
    in_flight: defaultdict[str, int] = defaultdict(int)
    ended = won = 0
    for recovery in recoveries:
        status = RecoveryStatus(recovery.status)
        if status is RecoveryStatus.RECOVERED:
            recovered[recovery.currency] += recovery.amount
        elif not is_terminal(status):
            in_flight[recovery.currency] += recovery.amount
            result.active_count += 1
        if status in (RecoveryStatus.RECOVERED, RecoveryStatus.EXHAUSTED):
            ended += 1
            won += status is RecoveryStatus.RECOVERED
    result.recovered, result.in_flight = dict(recovered), dict(in_flight)
    result.recovery_rate = won / ended if ended else None
    open_ones = [r for r in recoveries if not is_terminal(RecoveryStatus(r.status))]
    result.next_due = sorted((r for r in open_ones if r.next_attempt_at),
                             key=lambda r: r.next_attempt_at or now)[:5]
    result.recent_outcomes = sorted((r for r in recoveries if r.closed_at),
                                    key=lambda r: r.closed_at or now, reverse=True)[:10]
    result.weekly = _weekly(recoveries, now)
    result.warnings = stripe_retry_warnings(open_ones)
    return result


def _week_start(moment: datetime) -> datetime:
    day = moment.replace(hour=0, minute=0, second=0, microsecond=0)
    return day - timedelta(days=day.weekday())


def _weekly(recoveries: list[RecoveryRecord], now: datetime) -> list[tuple[str, int, int]]:
    weeks = [_week_start(now) - timedelta(weeks=n) for n in reversed(range(WEEKS_SHOWN))]
    recovered: defaultdict[datetime, int] = defaultdict(int)
    failed: defaultdict[datetime, int] = defaultdict(int)
    for recovery in recoveries:
        failed[_week_start(recovery.started_at)] += 1
        if recovery.status == RecoveryStatus.RECOVERED and recovery.closed_at:
            recovered[_week_start(recovery.closed_at)] += 1
    return [(week.date().isoformat(), recovered[week], failed[week]) for week in weeks]
