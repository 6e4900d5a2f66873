"""Read models for the Dashboard: an invoice's recovery story, the home overview, warnings."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from backend.domain.attribution import recovery_rate
from backend.domain.billing import StripeAccount
from backend.services.account_settings import load_settings, require_installed
from backend.services.outreach_records import Engagement
from backend.services.outreach_reporting import Outreach
from backend.services.records import AttemptRecord, DueRecovery, EndedRecovery, RecoveryRecord
from backend.services.unit_of_work import UnitOfWork, UnitOfWorkFactory

WEEKS_SHOWN = 8
NEXT_DUE_SHOWN = 5
RECENT_SHOWN = 10


@dataclass(frozen=True)
class RecoveryStory:
    recovery: RecoveryRecord
    attempts: list[AttemptRecord]


@dataclass(frozen=True)
class Warning:
    code: str
    message: str
    invoice_id: str | None = None


@dataclass
class Overview:
    recovered: dict[str, int] = field(default_factory=dict)  # only payments Recoup caused
    paid_without_recoup: dict[str, int] = field(default_factory=dict)  # shown beside, never inside
    in_flight: dict[str, int] = field(default_factory=dict)
    recovery_rate: float | None = None
    active_count: int = 0
    next_due: list[DueRecovery] = field(default_factory=list)
    recent_outcomes: list[EndedRecovery] = field(default_factory=list)
    weekly: list[tuple[str, int, int]] = field(default_factory=list)  # (week start, recovered, failed)
    # (week start, currency, recovered amount, failed amount), every week asked, per currency seen
    weekly_money: list[tuple[str, str, int, int]] = field(default_factory=list)
    warnings: list[Warning] = field(default_factory=list)


async def recovery_story(uow_factory: UnitOfWorkFactory, account: StripeAccount,
                         invoice_id: str) -> RecoveryStory | None:
    async with uow_factory() as uow:
        await require_installed(uow, account)
        recovery = await uow.recoveries.for_invoice(account, invoice_id)
        if recovery is None:
            return None
        attempts = await uow.attempts.for_recovery(recovery.id)
    return RecoveryStory(recovery, attempts)


@dataclass(frozen=True)
class RecoveryPanel:
    """Everything the invoice panel shows; all None when Recoup has no recovery for the invoice."""

    story: RecoveryStory | None
    max_retries: int | None = None
    outreach: Outreach | None = None


async def recovery_panel(uow_factory: UnitOfWorkFactory, account: StripeAccount, invoice_id: str) -> RecoveryPanel:
    """The invoice panel in one read: the story, the retry budget it is shown against, its messages.

    One unit of work, so a panel costs one transaction and the recovery is looked up once.
    """
    async with uow_factory() as uow:
        await require_installed(uow, account)
        recovery = await uow.recoveries.for_invoice(account, invoice_id)
        if recovery is None:
            return RecoveryPanel(None)
        attempts = await uow.attempts.for_recovery(recovery.id)
        settings = await load_settings(uow, account)
        messages = await uow.messages.for_recovery(recovery.id)
        unsubscribed = await uow.messages.is_unsubscribed(account, recovery.customer_id)
    return RecoveryPanel(RecoveryStory(recovery, attempts), settings.max_retries, Outreach(messages, unsubscribed))


def stripe_retry_warnings(flagged: list[str]) -> list[Warning]:
    """Warn while Stripe's own retries run on invoices Recoup manages (double retries).

    `flagged` holds the invoice ids of the open recoveries Stripe also retries.
    """
    if not flagged:
        return []
    return [Warning("stripe_retries_active",
                    f"Stripe's automatic retries are also on for {len(flagged)} invoice(s) Recoup manages. "
                    "Two retry schedules burn the card's network retry budget; turn Smart Retries off in "
                    "Billing → Revenue recovery, or let Recoup pause them per invoice.",
                    flagged[0] if len(flagged) == 1 else None)]


async def account_warnings(uow_factory: UnitOfWorkFactory, account: StripeAccount) -> list[Warning]:
    async with uow_factory() as uow:
        return stripe_retry_warnings(await uow.recoveries.flagged_stripe_retrying(account))


async def overview(uow_factory: UnitOfWorkFactory, account: StripeAccount, now: datetime) -> Overview:
    """The home view from running totals and a few indexed reads: no scan of the account's history."""
    async with uow_factory() as uow:
        return await _overview(uow, account, now)


async def home(uow_factory: UnitOfWorkFactory, account: StripeAccount, now: datetime) -> tuple[Overview, Engagement]:
    """The Dashboard home: the overview and the customers' engagement with messages, in one transaction."""
    async with uow_factory() as uow:
        view = await _overview(uow, account, now)
        return view, await uow.messages.engagement(account)


async def _overview(uow: UnitOfWork, account: StripeAccount, now: datetime) -> Overview:
    weeks = _week_starts(now)
    await require_installed(uow, account)
    totals = await uow.stats.totals(account)
    weekly = await uow.stats.weekly(account, weeks)
    money = await uow.stats.weekly_money(account, weeks)
    next_due = await uow.recoveries.next_due(account, NEXT_DUE_SHOWN)
    recent = await uow.recoveries.recently_ended(account, RECENT_SHOWN)
    flagged = await uow.recoveries.flagged_stripe_retrying(account)
    return Overview(
        recovered={t.currency: t.recovered_amount for t in totals if t.recovered_count},
        paid_without_recoup={t.currency: t.paid_elsewhere_amount for t in totals if t.paid_elsewhere_count},
        in_flight={t.currency: t.open_amount for t in totals if t.open_count},
        recovery_rate=recovery_rate(sum(t.recovered_count for t in totals), sum(t.exhausted_count for t in totals)),
        active_count=sum(t.open_count for t in totals),
        next_due=next_due, recent_outcomes=recent,
        weekly=[(week, weekly.get(week, (0, 0))[1], weekly.get(week, (0, 0))[0]) for week in weeks],
        weekly_money=[(week, currency, money.get((week, currency), (0, 0))[1], money.get((week, currency), (0, 0))[0])
                      for currency in sorted({currency for _week, currency in money}) for week in weeks],
        warnings=stripe_retry_warnings(flagged))


def _week_starts(now: datetime) -> list[str]:
    monday = now.date() - timedelta(days=now.weekday())
    return [(monday - timedelta(weeks=n)).isoformat() for n in reversed(range(WEEKS_SHOWN))]
