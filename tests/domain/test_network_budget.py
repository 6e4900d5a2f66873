"""Card-network retry budgets."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from backend.domain.network_budget import BudgetVerdict, network_allows_retry

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def attempts_before(now: datetime, count: int, spacing: timedelta) -> list[datetime]:
    """Return `count` attempt times, the latest `spacing` before `now`, each `spacing` apart."""
    return [now - spacing * (count - i) for i in range(count)]


def check(brand: str, attempts: list[datetime], *, advice: str | None = None,
          network_advice: str | None = None, now: datetime = NOW) -> BudgetVerdict:
    return network_allows_retry(brand, attempts, now, advice_code=advice,
                                network_advice_code=network_advice)


@pytest.mark.parametrize(("brand", "count", "allowed"), [
    ("visa", 14, True),
    ("visa", 15, False),
    ("amex", 14, True),
    ("amex", 15, False),
    ("unknown", 15, False),
    ("mastercard", 15, True),
    ("mastercard", 34, True),
    ("mastercard", 35, False),
])
def test_thirty_day_budget_per_brand(brand: str, count: int, allowed: bool) -> None:
    # Spaced 19 h apart: never more than 2 in 24 h, so only the 30-day window can bite.
    attempts = attempts_before(NOW, count, timedelta(hours=19))

    assert check(brand, attempts).allowed is allowed


def test_visa_budget_keeps_stripes_fifteen_not_the_newer_twenty() -> None:
    attempts = attempts_before(NOW, 15, timedelta(days=1))

    verdict = check("visa", attempts)

    assert not verdict.allowed
    assert "15" in verdict.reason


def test_visa_slot_frees_when_the_oldest_attempt_leaves_the_window() -> None:
    attempts = attempts_before(NOW, 15, timedelta(days=1))  # oldest is 15 days ago

    verdict = check("visa", attempts)

    assert verdict.earliest == attempts[0] + timedelta(days=30)
    assert check("visa", attempts, now=verdict.earliest).allowed


def test_attempts_older_than_thirty_days_do_not_count() -> None:
    attempts = attempts_before(NOW - timedelta(days=30), 15, timedelta(hours=1))

    assert check("visa", attempts).allowed


@pytest.mark.parametrize(("count", "allowed"), [(9, True), (10, False)])
def test_mastercard_allows_ten_attempts_per_rolling_day(count: int, allowed: bool) -> None:
    attempts = attempts_before(NOW, count, timedelta(hours=1))

    assert check("mastercard", attempts).allowed is allowed


def test_mastercard_daily_slot_frees_twenty_four_hours_after_the_oldest() -> None:
    attempts = attempts_before(NOW, 10, timedelta(hours=1))

    verdict = check("mastercard", attempts)

    assert verdict.earliest == attempts[0] + timedelta(hours=24)
    assert "24 hours" in verdict.reason


def test_when_both_mastercard_windows_are_full_the_later_release_wins() -> None:
    # 30 attempts spread over the last 29 days, then 10 in the last 10 hours: 40 in 30 days.
    spread = attempts_before(NOW - timedelta(hours=10), 30, timedelta(hours=23))
    burst = attempts_before(NOW, 10, timedelta(hours=1))

    verdict = check("mastercard", spread + burst)

    day_frees = burst[0] + timedelta(hours=24)
    month_frees = sorted(spread + burst)[40 - 35] + timedelta(days=30)
    assert verdict.earliest == max(day_frees, month_frees)
    assert check("mastercard", spread + burst, now=verdict.earliest).allowed


@pytest.mark.parametrize("brand", ["mastercard", "MasterCard", "Master Card"])
@pytest.mark.parametrize("code", ["03", "21"])
def test_mastercard_is_never_retried_after_advice_03_or_21(brand: str, code: str) -> None:
    verdict = check(brand, [], network_advice=code)

    assert not verdict.allowed
    assert verdict.never
    assert code in verdict.reason


def test_other_mastercard_advice_codes_do_not_stop_retries() -> None:
    assert check("mastercard", [], network_advice="01").allowed


def test_mastercard_advice_codes_are_not_applied_to_visa() -> None:
    assert check("visa", [], network_advice="03").allowed


@pytest.mark.parametrize("brand", ["visa", "mastercard", "amex"])
def test_no_card_is_retried_after_do_not_try_again(brand: str) -> None:
    verdict = check(brand, [], advice="do_not_try_again")

    assert verdict.never
    assert "do_not_try_again" in verdict.reason


def test_an_allowed_verdict_reports_how_much_budget_is_used() -> None:
    verdict = check("mastercard", attempts_before(NOW, 3, timedelta(hours=2)))

    assert verdict == BudgetVerdict(True, "within Mastercard limits "
                                          "(3 of 10 in 24 hours, 3 of 35 in 30 days)", None)
