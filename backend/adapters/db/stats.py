"""Running totals for the home view, moved with single upserts (no read-modify-write races)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from backend.adapters.db.repositories import insert_ignoring_duplicates
from backend.adapters.db.tables import RecoveryTotalsRow, RecoveryWeekMoneyRow, RecoveryWeekRow
from backend.domain.billing import StripeAccount
from backend.services.unit_of_work import CurrencyTotals

_TOTALS = ("open_count", "open_amount", "recovered_count", "recovered_amount", "exhausted_count",
           "exhausted_amount", "closed_count", "paid_elsewhere_count", "paid_elsewhere_amount")
_WEEK = ("failed_count", "recovered_count")


def week_start(moment: datetime) -> str:
    """The Monday (UTC) of the week `moment` falls in, as an ISO date."""
    day = moment.date()
    return (day - timedelta(days=day.weekday())).isoformat()


class SqlRecoveryStats:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def opened(self, account: StripeAccount, currency: str, amount: int, at: datetime) -> None:
        await self._add_totals(account, currency, open_count=1, open_amount=amount)
        await self._add_week(account, week_start(at), failed_count=1)
        await self._add_week_money(account, week_start(at), currency, failed_amount=amount)

    async def ended(self, account: StripeAccount, currency: str, amount: int, status: str,
                    at: datetime, *, caused_by_recoup: bool = False) -> None:
        moved: dict[str, int] = {"open_count": -1, "open_amount": -amount}
        if status == "recovered":
            bucket = "recovered" if caused_by_recoup else "paid_elsewhere"
            moved[f"{bucket}_count"] = 1
            moved[f"{bucket}_amount"] = amount
        elif status == "exhausted":
            moved["exhausted_count"] = 1
            moved["exhausted_amount"] = amount
        else:
            moved["closed_count"] = 1
        await self._add_totals(account, currency, **moved)
        if status == "recovered" and caused_by_recoup:
            await self._add_week(account, week_start(at), recovered_count=1)
            await self._add_week_money(account, week_start(at), currency, recovered_amount=amount)

    async def reattributed(self, account: StripeAccount, currency: str, amount: int, *, caused_by_recoup: bool,
                           at: datetime) -> None:
        sign = 1 if caused_by_recoup else -1
        await self._add_totals(account, currency, recovered_count=sign, recovered_amount=sign * amount,
                               paid_elsewhere_count=-sign, paid_elsewhere_amount=-sign * amount)
        await self._add_week(account, week_start(at), recovered_count=sign)
        await self._add_week_money(account, week_start(at), currency, recovered_amount=sign * amount)

    async def totals(self, account: StripeAccount) -> list[CurrencyTotals]:
        rows = (await self._session.execute(select(RecoveryTotalsRow).where(
            col(RecoveryTotalsRow.account_id) == account.id, col(RecoveryTotalsRow.livemode) == account.livemode,
        ).order_by(col(RecoveryTotalsRow.currency)))).scalars().all()
        return [CurrencyTotals(currency=row.currency, **{name: getattr(row, name) for name in _TOTALS})
                for row in rows]

    async def weekly(self, account: StripeAccount, weeks: Sequence[str]) -> dict[str, tuple[int, int]]:
        rows = (await self._session.execute(select(RecoveryWeekRow).where(
            col(RecoveryWeekRow.account_id) == account.id, col(RecoveryWeekRow.livemode) == account.livemode,
            col(RecoveryWeekRow.week_start).in_(list(weeks))))).scalars().all()
        return {row.week_start: (row.failed_count, row.recovered_count) for row in rows}

    async def weekly_money(self, account: StripeAccount,
                           weeks: Sequence[str]) -> dict[tuple[str, str], tuple[int, int]]:
        rows = (await self._session.execute(select(RecoveryWeekMoneyRow).where(
            col(RecoveryWeekMoneyRow.account_id) == account.id,
            col(RecoveryWeekMoneyRow.livemode) == account.livemode,
            col(RecoveryWeekMoneyRow.week_start).in_(list(weeks))))).scalars().all()
        return {(row.week_start, row.currency): (row.failed_amount, row.recovered_amount) for row in rows}

    async def _add_week_money(self, account: StripeAccount, week: str, currency: str, **deltas: int) -> None:
        values = {name: deltas.get(name, 0) for name in ("failed_amount", "recovered_amount")}
        await self._upsert(RecoveryWeekMoneyRow, {"account_id": account.id, "livemode": account.livemode,
                                                  "week_start": week, "currency": currency}, values)

    async def _add_totals(self, account: StripeAccount, currency: str, **deltas: int) -> None:
        values = {name: deltas.get(name, 0) for name in _TOTALS}
        await self._upsert(RecoveryTotalsRow, {"account_id": account.id, "livemode": account.livemode,
                                               "currency": currency}, values)

    async def _add_week(self, account: StripeAccount, week: str, **deltas: int) -> None:
        values = {name: deltas.get(name, 0) for name in _WEEK}
        await self._upsert(RecoveryWeekRow, {"account_id": account.id, "livemode": account.livemode,
                                             "week_start": week}, values)

    async def _upsert(self, table: Any, key: dict[str, Any], deltas: dict[str, int]) -> None:
        # One statement adds the deltas whether or not the row exists yet, so two processes
        # ending recoveries of one account at once cannot lose an update.
        insert = insert_ignoring_duplicates(self._session, table).values(**key, **deltas)
        columns = table.__table__.c
        await self._session.execute(insert.on_conflict_do_update(
            index_elements=list(key),
            set_={name: columns[name] + insert.excluded[name] for name in deltas},
        ))
