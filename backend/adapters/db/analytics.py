"""Daily analytics buckets, moved with single upserts and summed over a period."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from backend.adapters.db.counters import add_to_counters
from backend.adapters.db.tables import MessageDayRow, RecoveryDayRow, RecoveryDaysToRecoverRow, RecoveryRow
from backend.domain.analytics import COUNTERS
from backend.domain.billing import StripeAccount
from backend.domain.recovery_state import RecoveryStatus, is_terminal
from backend.services.analytics_ports import DueSoon, PeriodTotals

_TERMINAL = [str(status) for status in RecoveryStatus if is_terminal(status)]
_MESSAGE_COUNTERS = ("sent_count", "opened_count", "clicked_count")


async def count_message(session: AsyncSession, account: StripeAccount, sent_at: datetime, counter: str) -> None:
    """Count a message sent, opened or clicked on the day it was sent."""
    deltas = {name: int(name == counter) for name in _MESSAGE_COUNTERS}
    key = {"account_id": account.id, "livemode": account.livemode, "day": sent_at.date().isoformat()}
    await add_to_counters(session, MessageDayRow, key, deltas)


class SqlAnalytics:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def move(self, account: StripeAccount, currency: str, changes: dict[str, dict[str, int]],
                   histogram: dict[tuple[str, int], int]) -> None:
        for day, deltas in changes.items():
            await add_to_counters(self._session, RecoveryDayRow, {
                "account_id": account.id, "livemode": account.livemode, "day": day, "currency": currency,
            }, {name: deltas.get(name, 0) for name in COUNTERS})
        for (day, days), delta in histogram.items():
            await add_to_counters(self._session, RecoveryDaysToRecoverRow, {
                "account_id": account.id, "livemode": account.livemode, "day": day, "days": days,
            }, {"count": delta})

    async def period(self, account: StripeAccount, first_day: str, last_day: str) -> PeriodTotals:
        totals = PeriodTotals()
        columns = RecoveryDayRow.__table__.c  # type: ignore[attr-defined]
        rows = (await self._session.execute(
            select(columns.currency, *[func.sum(columns[name]) for name in COUNTERS])
            .where(columns.account_id == account.id, columns.livemode == account.livemode,
                   columns.day >= first_day, columns.day <= last_day)
            .group_by(columns.currency).order_by(columns.currency))).all()
        for row in rows:
            totals.by_currency[str(row[0])] = {name: int(row[i + 1] or 0) for i, name in enumerate(COUNTERS)}
        spread = (await self._session.execute(
            select(col(RecoveryDaysToRecoverRow.days), func.sum(col(RecoveryDaysToRecoverRow.count)))
            .where(col(RecoveryDaysToRecoverRow.account_id) == account.id,
                   col(RecoveryDaysToRecoverRow.livemode) == account.livemode,
                   col(RecoveryDaysToRecoverRow.day) >= first_day, col(RecoveryDaysToRecoverRow.day) <= last_day)
            .group_by(col(RecoveryDaysToRecoverRow.days)))).all()
        totals.days_to_recover = {int(days): int(count) for days, count in spread if count}
        messages = (await self._session.execute(
            select(*[func.coalesce(func.sum(getattr(MessageDayRow, name)), 0) for name in _MESSAGE_COUNTERS])
            .where(col(MessageDayRow.account_id) == account.id, col(MessageDayRow.livemode) == account.livemode,
                   col(MessageDayRow.day) >= first_day, col(MessageDayRow.day) <= last_day))).one()
        totals.sent, totals.opened, totals.clicked = (int(value) for value in messages)
        return totals

    async def due_before(self, account: StripeAccount, until: datetime) -> list[DueSoon]:
        rows = (await self._session.execute(
            select(col(RecoveryRow.currency), func.count(), func.sum(col(RecoveryRow.amount)))
            .where(col(RecoveryRow.account_id) == account.id, col(RecoveryRow.livemode) == account.livemode,
                   col(RecoveryRow.status).not_in(_TERMINAL), col(RecoveryRow.next_attempt_at).is_not(None),
                   col(RecoveryRow.next_attempt_at) < until)
            .group_by(col(RecoveryRow.currency)).order_by(col(RecoveryRow.currency)))).all()
        return [DueSoon(currency=str(currency), count=int(count), amount=int(amount or 0))
                for currency, count, amount in rows]
