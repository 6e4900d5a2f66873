"""The pure parts of analytics: what a recovery adds to its days, the median, the success fee."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from backend.domain.analytics import (
    RecoveryFacts,
    changes,
    histogram_changes,
    median_days,
    next_dispute_status,
    success_fee,
)

OPENED = datetime(2026, 11, 2, 23, 0, tzinfo=UTC)
PAID = RecoveryFacts(currency="eur", amount=1000, status="recovered", started_at=OPENED,
                     closed_at=OPENED + timedelta(days=3, hours=2), recovered_by="recoup_retry")


def test_the_median_of_whole_days_is_exact():
    assert median_days({}) is None
    assert median_days({2: 1}) == 2
    assert median_days({1: 2, 5: 1}) == 1
    assert median_days({1: 1, 4: 1}) == 2.5
    assert median_days({0: 3, 7: 3, 9: 1}) == 7


def test_the_fee_on_refunded_money_is_shown_refunded():
    fee = success_fee(recovered=5000, reversed_money=5000, percent=20)

    assert (fee.on_recovered, fee.refunded, fee.net) == (1000, 1000, 0)
    assert success_fee(recovered=999, reversed_money=0, percent=15).on_recovered == 150  # half up


def test_a_payment_counts_on_the_day_it_came_in_and_the_failure_on_the_day_it_failed():
    moved = changes(None, PAID)

    assert moved["2026-11-02"] == {"failed_count": 1, "failed_amount": 1000}
    assert moved["2026-11-06"]["recovered_amount"] == 1000 and moved["2026-11-06"]["retry_count"] == 1
    assert histogram_changes(None, PAID) == {("2026-11-06", 3): 1}


def test_a_refund_and_a_lost_dispute_never_take_back_more_than_was_paid():
    both = replace(PAID, refunded_amount=600, dispute_status="lost", disputed_amount=1000)

    assert changes(PAID, both) == {"2026-11-06": {"refunded_amount": 600, "reversed_amount": 1000,
                                                  "dispute_lost_amount": 1000, "dispute_lost_count": 1}}
    assert changes(both, both) == {}


def test_a_decided_dispute_is_not_reopened_by_a_late_delivery():
    assert next_dispute_status("lost", "open") == "lost"
    assert next_dispute_status("open", "won") == "won"
