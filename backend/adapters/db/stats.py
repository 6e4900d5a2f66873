"""Running totals for the home view, moved with single upserts (no read-modify-write races)."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Table, bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.adapters.db.counters import add_to_counters
from backend.adapters.db.prebuilt import account_params, of_account
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


@functools.cache
def _totals_statement() -> Any:
    """The home's totals, built once with bound parameters (it runs on every home read)."""
    table: Table = RecoveryTotalsRow.__table__  # type: ignore[attr-defined]
    return select(table.c.currency, *(table.c[name] for name in _TOTALS)).where(
        *of_account(table)).order_by(table.c.currency)


@functools.cache
def _weeks_statement(row: type[RecoveryWeekRow] | type[RecoveryWeekMoneyRow], *columns: str) -> Any:
    """A range of weeks of a per-week table, built once with bound parameters.

    A range of the key rather than IN (the weeks asked): an expanding IN is rendered again on
    every call, and the caller keeps only the weeks it asked for.
    """
    table: Table = row.__table__  # type: ignore[union-attr]
    return select(*(table.c[name] for name in columns)).where(
        *of_account(table), table.c.week_start.between(bindparam("first"), bindparam("last")))


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
        result = await self._session.execute(_totals_statement(), account_params(account))
        return [CurrencyTotals(**row._mapping) for row in result]

    async def weekly(self, account: StripeAccount, weeks: Sequence[str]) -> dict[str, tuple[int, int]]:
        if not weeks:
            return {}
        result = await self._session.execute(
            _weeks_statement(RecoveryWeekRow, "week_start", "failed_count", "recovered_count"),
            {**account_params(account), "first": min(weeks), "last": max(weeks)})
        asked = set(weeks)
        return {week: (failed, recovered) for week, failed, recovered in result if week in asked}

    async def weekly_money(self, account: StripeAccount,
                           weeks: Sequence[str]) -> dict[tuple[str, str], tuple[int, int]]:
        if not weeks:
            return {}
        result = await self._session.execute(
            _weeks_statement(RecoveryWeekMoneyRow, "week_start", "currency", "failed_amount", "recovered_amount"),
            {**account_params(account), "first": min(weeks), "last": max(weeks)})
        asked = set(weeks)
        return {(week, currency): (failed, recovered)
                for week, currency, failed, recovered in result if week in asked}

    async def _add_week_money(self, account: StripeAccount, week: str, currency: str, **deltas: int) -> None:
        values = {name: deltas.get(name, 0) for name in ("failed_amount", "recovered_amount")}
        key = {"account_id": account.id, "livemode": account.livemode, "week_start": week, "currency": currency}
        await add_to_counters(self._session, RecoveryWeekMoneyRow, key, values)

    async def _add_totals(self, account: StripeAccount, currency: str, **deltas: int) -> None:
        values = {name: deltas.get(name, 0) for name in _TOTALS}
        key = {"account_id": account.id, "livemode": account.livemode, "currency": currency}
        await add_to_counters(self._session, RecoveryTotalsRow, key, values)

    async def _add_week(self, account: StripeAccount, week: str, **deltas: int) -> None:
        values = {name: deltas.get(name, 0) for name in _WEEK}
        key = {"account_id": account.id, "livemode": account.livemode, "week_start": week}
        await add_to_counters(self._session, RecoveryWeekRow, key, values)
