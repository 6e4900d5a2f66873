"""Retry planning: when to charge a failed invoice again, or why not to, in one readable line."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from backend.domain.customer_time import (
    describe_local,
    local_date,
    morning_on,
    next_local_morning,
    timezone_for_country,
)
from backend.domain.declines import DeclineCategory
from backend.domain.network_budget import network_allows_retry


@dataclass(frozen=True)
class RetryAt:
    when: datetime
    reason: str


@dataclass(frozen=True)
class AskForNewCard:
    reason: str


@dataclass(frozen=True)
class WaitForDeadline:
    """No retry fits any more: wait for the customer, and end at the deadline."""

    reason: str


@dataclass(frozen=True)
class GiveUp:
    """The dunning period is over: end now."""

    reason: str


NextStep = RetryAt | AskForNewCard | WaitForDeadline | GiveUp


@dataclass(frozen=True)
class RetryContext:
    """Everything the planner needs about one recovery, as of its latest failure."""

    category: DeclineCategory
    recovery_started_at: datetime
    last_failed_at: datetime
    retries_made: int
    max_retries: int
    dunning_days: int
    customer_country: str | None = None
    card_brand: str | None = None
    card_attempts: tuple[datetime, ...] = ()
    advice_code: str | None = None
    network_advice_code: str | None = None

    @property
    def deadline(self) -> datetime:
        """Return the end of the dunning period."""
        return self.recovery_started_at + timedelta(days=self.dunning_days)


_C = DeclineCategory
# Day offsets from the start of the recovery (DESIGN 7). When a plan's listed days are used up and the
# merchant's retry count and dunning length still allow more, it continues weekly.
GENERIC_DAYS = (3, 7, 14, 21)
STANDARD_DAYS = (1, 3, 7, 14, 21, 28)
# Temporary errors are about the issuer's systems, not the customer: retry after hours, not days, and
# without waiting for the customer's morning.
TEMPORARY_DELAYS = (timedelta(hours=4), timedelta(hours=24))
# A balance changes on payday, not hours after a decline: a payday slot is never sooner than this.
PAYDAY_MIN_GAP = timedelta(hours=20)
# Keeps a day-plan slot from following a failure within the same few hours (e.g. after a merchant's
# "retry now"), yet is short enough that "day 1" survives a failure late on day 0 (09:00 is >= 9 h away).
DAY_PLAN_MIN_GAP = timedelta(hours=8)
_WEEKLY = 7
_STRATEGIES: dict[DeclineCategory, str] = {
    _C.INSUFFICIENT_FUNDS: "payday",
    _C.NEEDS_NEW_CARD: "card update",
    _C.NEEDS_AUTHENTICATION: "customer authentication",
    _C.GENERIC: "back-off",
    _C.TEMPORARY: "quick retry, then standard",
    _C.OTHER: "standard",
}
_LABELS: dict[DeclineCategory, str] = {
    _C.INSUFFICIENT_FUNDS: "insufficient funds",
    _C.GENERIC: "generic decline",
    _C.TEMPORARY: "temporary issuer problem",
    _C.OTHER: "unrecognised decline",
}


def strategy_name(category: DeclineCategory) -> str:
    """Return the short strategy name the panel shows for a category."""
    return _STRATEGIES[category]


def plan_next_attempt(ctx: RetryContext, now: datetime) -> NextStep:
    """Return the next step for a recovery whose latest payment attempt failed."""
    if now >= ctx.deadline:
        return GiveUp(f"dunning period of {ctx.dunning_days} days ended "
                      f"{ctx.deadline:%Y-%m-%d %H:%M} UTC")
    if ctx.retries_made >= ctx.max_retries:
        return WaitForDeadline(f"retry limit reached: {ctx.retries_made} of {ctx.max_retries} retries made; "
                               f"{_waiting_until(ctx)}")
    if ctx.category is _C.NEEDS_NEW_CARD:
        return AskForNewCard("needs a new card: the issuer will refuse this card again, "
                             f"so no blind retry; {_waiting_until(ctx)}")
    if ctx.category is _C.NEEDS_AUTHENTICATION:
        return AskForNewCard("needs authentication: the bank wants the customer to confirm the "
                             f"payment; {_waiting_until(ctx)}")
    when, why = _plan_slot(ctx, now)
    if when > ctx.deadline:
        # Ending now would cut the merchant's dunning period short by up to a week.
        return WaitForDeadline(f"{why} would fall after the dunning deadline; {_waiting_until(ctx)}")
    return _within_network_budget(ctx, when, why)


def _waiting_until(ctx: RetryContext) -> str:
    return f"waiting for the customer until the deadline, {ctx.deadline:%Y-%m-%d %H:%M} UTC"


def _plan_slot(ctx: RetryContext, now: datetime) -> tuple[datetime, str]:
    tz = timezone_for_country(ctx.customer_country)
    label = _LABELS[ctx.category]
    if ctx.category is _C.INSUFFICIENT_FUNDS:
        when, payday = next_payday(max(now, ctx.last_failed_at + PAYDAY_MIN_GAP), tz)
        which = "" if payday == "Friday" else f" ({payday})"
        return when, f"{label}: next payday{which}, {describe_local(when, tz)}"
    if ctx.category is _C.TEMPORARY and ctx.retries_made < len(TEMPORARY_DELAYS):
        delay = TEMPORARY_DELAYS[ctx.retries_made]
        when = max(now, ctx.last_failed_at + delay)
        hours = int(delay.total_seconds() // 3600)
        return when, f"{label}: quick retry {hours} h after the failure, {describe_local(when, tz)}"
    days = GENERIC_DAYS if ctx.category is _C.GENERIC else STANDARD_DAYS
    day, when = _day_plan_slot(ctx, days, tz, max(now, ctx.last_failed_at + DAY_PLAN_MIN_GAP))
    plan = "back-off plan" if ctx.category is _C.GENERIC else "standard plan"
    return when, f"{label}: {plan}, day {day} of the recovery, {describe_local(when, tz)}"


def next_payday(earliest: datetime, tz: ZoneInfo) -> tuple[datetime, str]:
    """Return the first local-morning 1st, 15th or Friday at or after `earliest`, and which it is."""
    day = local_date(earliest, tz)
    # A Friday comes within 7 days, so this loop ends within 8 iterations.
    while True:
        when = morning_on(day, tz)
        name = _payday_name(day)
        if name and when >= earliest:
            return when, name
        day += timedelta(days=1)


def _payday_name(day: date) -> str | None:
    # Salaries and benefits land on the 1st or the 15th in most countries, weekly wages on Fridays;
    # the month's days win the label when they fall on a Friday.
    if day.day == 1:
        return "1st of the month"
    if day.day == 15:
        return "15th of the month"
    if day.weekday() == 4:
        return "Friday"
    return None


def _day_plan_slot(ctx: RetryContext, days: tuple[int, ...], tz: ZoneInfo,
                   earliest: datetime) -> tuple[int, datetime]:
    start = local_date(ctx.recovery_started_at, tz)
    for offset in _offsets(days):
        when = morning_on(start + timedelta(days=offset), tz)
        if when >= earliest:
            return offset, when
    raise AssertionError("unreachable: the offsets never end")


def _offsets(days: tuple[int, ...]) -> Iterator[int]:
    yield from days
    offset = days[-1]
    while True:
        offset += _WEEKLY
        yield offset


def _within_network_budget(ctx: RetryContext, when: datetime, why: str) -> NextStep:
    verdict = network_allows_retry(ctx.card_brand or "unknown", ctx.card_attempts, when,
                                   advice_code=ctx.advice_code,
                                   network_advice_code=ctx.network_advice_code)
    if verdict.allowed:
        return RetryAt(when, why)
    if verdict.earliest is None:
        return AskForNewCard(f"card network rule: {verdict.reason}; {_waiting_until(ctx)}")
    if verdict.earliest > ctx.deadline:
        return WaitForDeadline(f"card network budget used up: {verdict.reason}; {_waiting_until(ctx)}")
    tz = timezone_for_country(ctx.customer_country)
    morning = next_local_morning(verdict.earliest, tz)
    later = morning if morning <= ctx.deadline else verdict.earliest
    return RetryAt(later, f"{why} postponed to {describe_local(later, tz)}: {verdict.reason}")
