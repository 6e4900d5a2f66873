"""Retry planning per decline category, clipped by retries, deadline and network budgets."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from backend.domain.declines import DeclineCategory
from backend.domain.retry_schedule import (
    AskForNewCard,
    GiveUp,
    NextStep,
    RetryAt,
    RetryContext,
    WaitForDeadline,
    plan_next_attempt,
    strategy_name,
)

C = DeclineCategory
BERLIN = ZoneInfo("Europe/Berlin")
# Monday 23 Nov 2026, 18:00 in Berlin. Day N of the recovery is 09:00 Berlin (08:00 UTC) N days later.
START = datetime(2026, 11, 23, 17, 0, tzinfo=UTC)


def utc(month: int, day: int, hour: int = 0, minute: int = 0, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def context(category: DeclineCategory, **changes: object) -> RetryContext:
    base = RetryContext(category=category, recovery_started_at=START, last_failed_at=START,
                        retries_made=0, max_retries=6, dunning_days=28, customer_country="DE",
                        card_brand="visa")
    return replace(base, **changes)  # type: ignore[arg-type]


def plan(category: DeclineCategory, now: datetime | None = None, **changes: object) -> NextStep:
    ctx = context(category, **changes)
    return plan_next_attempt(ctx, now or ctx.last_failed_at)


def retry_time(step: NextStep) -> datetime:
    assert isinstance(step, RetryAt), step
    return step.when


# --- insufficient funds: payday ------------------------------------------------------------------

@pytest.mark.parametrize(("failed_at", "country", "expected"), [
    # Monday: the coming Friday, 09:00 Berlin.
    (utc(11, 23, 17), "DE", utc(11, 27, 8)),
    # Saturday 28 Nov: Tuesday 1 Dec comes before the next Friday (across the month end).
    (utc(11, 28, 10), "DE", utc(12, 1, 8)),
    # Saturday 12 Dec: Tuesday the 15th comes before Friday the 18th.
    (utc(12, 12, 10), "DE", utc(12, 15, 8)),
    # Saturday 27 Feb 2027: 1 March, the day after the short month ends.
    (utc(2, 27, 10, year=2027), "DE", utc(3, 1, 8, year=2027)),
    # Thursday 14:00 UTC: Friday 09:00 Berlin is only 18 h away, under the 20 h minimum.
    (utc(11, 26, 14), "DE", utc(12, 1, 8)),
    # Thursday 10:00 UTC: Friday 09:00 Berlin is 22 h away, enough.
    (utc(11, 26, 10), "DE", utc(11, 27, 8)),
    # Sydney: Thursday 16:00 UTC is already Friday 03:00 there, and Friday morning is too close;
    # the next payday is Tuesday 1 Dec in Sydney, which is still 30 Nov in UTC.
    (utc(11, 26, 16), "AU", utc(11, 30, 22)),
    # Unknown country: 09:00 UTC.
    (utc(11, 23, 17), None, utc(11, 27, 9)),
    # DST: Friday 30 Oct is after Berlin's switch back, so 09:00 is 08:00 UTC, not 07:00.
    (utc(10, 23, 7), "DE", utc(10, 30, 8)),
    (utc(10, 21, 7), "DE", utc(10, 23, 7)),
])
def test_insufficient_funds_waits_for_the_next_payday_morning(failed_at: datetime,
                                                              country: str | None,
                                                              expected: datetime) -> None:
    step = plan(C.INSUFFICIENT_FUNDS, recovery_started_at=failed_at, last_failed_at=failed_at,
                customer_country=country)

    assert retry_time(step) == expected


@pytest.mark.parametrize(("failed_at", "phrase"), [
    (utc(11, 23, 17), "insufficient funds: next payday, Friday 27 Nov 09:00 customer time "
                      "(Europe/Berlin)"),
    (utc(11, 28, 10), "insufficient funds: next payday (1st of the month), Tuesday 1 Dec 09:00"),
    (utc(12, 12, 10), "next payday (15th of the month), Tuesday 15 Dec"),
])
def test_payday_reason_says_which_payday_and_when_for_the_customer(failed_at: datetime,
                                                                   phrase: str) -> None:
    step = plan(C.INSUFFICIENT_FUNDS, recovery_started_at=failed_at, last_failed_at=failed_at)

    assert isinstance(step, RetryAt)
    assert phrase in step.reason


# --- hard declines ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("category", "word"), [(C.NEEDS_NEW_CARD, "new card"),
                                                (C.NEEDS_AUTHENTICATION, "authentication")])
def test_hard_decline_is_never_retried(category: DeclineCategory, word: str) -> None:
    step = plan(category)

    assert isinstance(step, AskForNewCard)
    assert word in step.reason


# --- back-off, standard and temporary plans --------------------------------------------------------

@pytest.mark.parametrize(("last_failed_at", "retries", "expected"), [
    (START, 0, utc(11, 26, 8)),          # day 3
    (utc(11, 26, 8, 1), 1, utc(11, 30, 8)),  # day 7
    (utc(11, 30, 8, 1), 2, utc(12, 7, 8)),   # day 14
    (utc(12, 7, 8, 1), 3, utc(12, 14, 8)),   # day 21
    (utc(12, 14, 8, 1), 4, utc(12, 21, 8)),  # listed days used: weekly, day 28
])
def test_generic_decline_backs_off_to_day_3_7_14_21(last_failed_at: datetime, retries: int,
                                                    expected: datetime) -> None:
    step = plan(C.GENERIC, last_failed_at=last_failed_at, retries_made=retries)

    assert retry_time(step) == expected


@pytest.mark.parametrize(("last_failed_at", "expected"), [
    (START, utc(11, 24, 8)),                 # day 1
    (utc(11, 24, 8, 1), utc(11, 26, 8)),     # day 3
    (utc(11, 26, 8, 1), utc(11, 30, 8)),     # day 7
    (utc(11, 30, 8, 1), utc(12, 7, 8)),      # day 14
    (utc(12, 7, 8, 1), utc(12, 14, 8)),      # day 21
    (utc(12, 14, 8, 1), utc(12, 21, 8)),     # day 28
])
def test_unknown_decline_follows_the_standard_plan(last_failed_at: datetime,
                                                   expected: datetime) -> None:
    step = plan(C.OTHER, last_failed_at=last_failed_at, max_retries=10)

    assert retry_time(step) == expected


def test_standard_day_one_survives_a_failure_late_in_the_evening() -> None:
    late = utc(11, 23, 22, 59)  # 23:59 in Berlin

    step = plan(C.OTHER, recovery_started_at=late, last_failed_at=late)

    assert retry_time(step) == utc(11, 24, 8)


@pytest.mark.parametrize(("last_failed_at", "expected"), [
    (utc(11, 29, 22), utc(11, 30, 8)),   # 10 h before the day-7 slot: keep it
    (utc(11, 30, 2), utc(12, 7, 8)),     # 6 h before it: too close, day 14
])
def test_a_slot_too_soon_after_a_failure_moves_to_the_next_day_of_the_plan(
        last_failed_at: datetime, expected: datetime) -> None:
    step = plan(C.GENERIC, last_failed_at=last_failed_at, retries_made=1)

    assert retry_time(step) == expected


@pytest.mark.parametrize(("retries", "expected"), [
    (0, START + timedelta(hours=4)),
    (1, START + timedelta(hours=24)),
    (2, utc(11, 24, 8)),  # quick retries used: standard day 1
])
def test_temporary_error_is_retried_within_hours_then_by_the_standard_plan(
        retries: int, expected: datetime) -> None:
    step = plan(C.TEMPORARY, retries_made=retries)

    assert retry_time(step) == expected


@pytest.mark.parametrize("category", [C.INSUFFICIENT_FUNDS, C.GENERIC, C.OTHER])
def test_planned_slots_are_nine_in_the_customers_morning(category: DeclineCategory) -> None:
    when = retry_time(plan(category, customer_country="US"))

    assert when.astimezone(ZoneInfo("America/Chicago")).hour == 9


def test_a_retry_is_never_planned_in_the_past() -> None:
    # An invoice taken over a week after its failure: day 1 and 3 are gone.
    now = utc(11, 30, 12)

    assert retry_time(plan(C.OTHER, now=now)) == utc(12, 7, 8)


@pytest.mark.parametrize(("category", "name"), [
    (C.INSUFFICIENT_FUNDS, "payday"), (C.GENERIC, "back-off"), (C.OTHER, "standard"),
    (C.NEEDS_NEW_CARD, "card update"),
])
def test_strategy_names_for_the_panel(category: DeclineCategory, name: str) -> None:
    assert strategy_name(category) == name


# --- clipping --------------------------------------------------------------------------------------

@pytest.mark.parametrize(("retries", "max_retries", "waits"), [
    (5, 6, False), (6, 6, True), (1, 1, True), (7, 6, True),
])
def test_no_retry_beyond_max_retries_and_the_end_waits_for_the_deadline(retries: int, max_retries: int,
                                                                        waits: bool) -> None:
    step = plan(C.GENERIC, retries_made=retries, max_retries=max_retries)

    assert isinstance(step, WaitForDeadline) is waits
    if waits:
        assert "retry limit" in step.reason and "until the deadline" in step.reason


def test_retry_limit_also_stops_waiting_on_a_hard_decline_for_a_retry() -> None:
    assert isinstance(plan(C.NEEDS_NEW_CARD, retries_made=6), WaitForDeadline)


@pytest.mark.parametrize(("category", "last_failed_at"), [
    (C.GENERIC, utc(11, 30, 8, 1)),             # day 14 is past a 7-day deadline
    (C.INSUFFICIENT_FUNDS, utc(11, 27, 8, 1)),  # next payday 1 Dec is past 30 Nov 17:00
    (C.OTHER, utc(11, 30, 8, 1)),
])
def test_a_slot_after_the_deadline_means_waiting_for_the_deadline_not_ending_early(
        category: DeclineCategory, last_failed_at: datetime) -> None:
    step = plan(category, last_failed_at=last_failed_at, dunning_days=7, retries_made=2)

    assert isinstance(step, WaitForDeadline)
    assert "after the dunning deadline" in step.reason


def test_a_slot_on_the_deadline_day_before_it_passes_is_kept() -> None:
    # Deadline 30 Nov 17:00 UTC; the day-7 slot is 30 Nov 08:00 UTC.
    step = plan(C.GENERIC, last_failed_at=utc(11, 26, 8, 1), dunning_days=7, retries_made=1)

    assert retry_time(step) == utc(11, 30, 8)


def test_nothing_is_planned_once_the_dunning_period_is_over() -> None:
    step = plan(C.NEEDS_NEW_CARD, now=START + timedelta(days=28))

    assert isinstance(step, GiveUp)
    assert "dunning period of 28 days ended" in step.reason


# --- network budgets -------------------------------------------------------------------------------

def daily_attempts(count: int, last: datetime) -> tuple[datetime, ...]:
    return tuple(last - timedelta(days=count - 1 - i) for i in range(count))


def test_visa_budget_postpones_the_retry_to_a_morning_after_a_slot_frees() -> None:
    attempts = daily_attempts(15, utc(11, 25, 10))  # oldest 11 Nov 10:00: frees 11 Dec 10:00

    step = plan(C.GENERIC, card_attempts=attempts)

    assert retry_time(step) == utc(12, 12, 8)
    assert "postponed" in step.reason
    assert "Visa" in step.reason


def test_visa_budget_that_frees_only_after_the_deadline_waits_for_the_deadline() -> None:
    attempts = daily_attempts(15, utc(11, 25, 10))

    step = plan(C.GENERIC, card_attempts=attempts, dunning_days=14)

    assert isinstance(step, WaitForDeadline)
    assert "network budget" in step.reason


def test_an_unknown_brand_gets_the_conservative_fifteen() -> None:
    attempts = daily_attempts(15, utc(11, 25, 10))

    step = plan(C.GENERIC, card_attempts=attempts, card_brand=None)

    assert retry_time(step) == utc(12, 12, 8)


def test_mastercard_ten_a_day_postpones_a_quick_retry() -> None:
    attempts = tuple(START - timedelta(minutes=30 * i) for i in range(10))  # last 4.5 hours

    step = plan(C.TEMPORARY, card_brand="mastercard", card_attempts=attempts)

    assert retry_time(step) >= min(attempts) + timedelta(hours=24)
    assert "24 hours" in step.reason


def test_mastercard_thirty_five_a_month_postpones_the_retry() -> None:
    attempts = tuple(START - timedelta(hours=18 * i) for i in range(35))

    step = plan(C.OTHER, card_brand="mastercard", card_attempts=attempts, dunning_days=60)

    assert retry_time(step) >= min(attempts) + timedelta(days=30)
    assert "35" in step.reason


@pytest.mark.parametrize("code", ["03", "21"])
def test_mastercard_advice_03_or_21_asks_for_another_card(code: str) -> None:
    step = plan(C.GENERIC, card_brand="mastercard", network_advice_code=code)

    assert isinstance(step, AskForNewCard)
    assert code in step.reason


def test_do_not_try_again_advice_asks_for_another_card_even_for_a_soft_category() -> None:
    step = plan(C.INSUFFICIENT_FUNDS, advice_code="do_not_try_again")

    assert isinstance(step, AskForNewCard)
    assert "do_not_try_again" in step.reason


@pytest.mark.parametrize("category", [C.INSUFFICIENT_FUNDS, C.GENERIC, C.TEMPORARY, C.OTHER])
@pytest.mark.parametrize("retries", range(6))
def test_every_planned_retry_is_in_the_future_and_before_the_deadline(
        category: DeclineCategory, retries: int) -> None:
    last_failed_at = START + timedelta(days=3 * retries, hours=5)
    ctx = context(category, retries_made=retries, last_failed_at=last_failed_at)

    step = plan_next_attempt(ctx, last_failed_at)

    if isinstance(step, RetryAt):
        assert last_failed_at < step.when <= ctx.deadline
    else:
        assert isinstance(step, WaitForDeadline)
