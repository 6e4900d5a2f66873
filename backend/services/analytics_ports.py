"""What the analytics use cases read and write: daily buckets summed over a period."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from backend.domain.billing import StripeAccount


@dataclass(frozen=True)
class DueSoon:
    currency: str
    count: int
    amount: int


@dataclass
class PeriodTotals:
    """The daily buckets of one account and mode, summed over a period."""

    by_currency: dict[str, dict[str, int]] = field(default_factory=dict)  # currency -> counter -> sum
    days_to_recover: dict[int, int] = field(default_factory=dict)  # whole days -> recoveries
    sent: int = 0
    opened: int = 0
    clicked: int = 0


class AnalyticsRepository(Protocol):
    """Daily buckets per (account, mode, day, currency), moved by single upserts."""

    async def move(self, account: StripeAccount, currency: str, changes: dict[str, dict[str, int]],
                   histogram: dict[tuple[str, int], int]) -> None:
        """Add per-day counter deltas and days-to-recover count deltas."""
        ...

    async def period(self, account: StripeAccount, first_day: str, last_day: str) -> PeriodTotals:
        """Sum the buckets of the days from `first_day` to `last_day`, both included."""
        ...

    async def due_before(self, account: StripeAccount, until: datetime) -> list[DueSoon]:
        """Open recoveries whose next attempt is before `until`, per currency (an indexed read)."""
        ...
