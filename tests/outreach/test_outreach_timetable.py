"""The e-mail sequence over the dunning window, and when a message may land."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from backend.domain.declines import DeclineCategory
from backend.domain.outreach_timetable import (
    MessagePath,
    MessageStep,
    delivery_time,
    immediate_step,
    in_daytime,
    path_for,
    sequence_for,
)

BERLIN = ZoneInfo("Europe/Berlin")


@pytest.mark.parametrize(("dunning_days", "days"), [
    (7, [0, 1, 2, 4, 5, 6]),
    (28, [0, 3, 7, 14, 21, 27]),
    (60, [0, 6, 15, 30, 45, 59]),
])
def test_the_six_steps_scale_with_the_dunning_length(dunning_days: int, days: list[int]) -> None:
    planned = sequence_for(dunning_days)

    assert [p.day for p in planned] == days
    assert [p.step for p in planned] == [
        MessageStep.NOTICE, MessageStep.REMINDER, MessageStep.ACCESS_WARNING,
        MessageStep.SUSPENSION_WARNING, MessageStep.LAST_CHANCE, MessageStep.FINAL_NOTICE]


def test_a_hard_decline_never_promises_a_retry_and_asks_for_a_card_at_once() -> None:
    assert path_for(DeclineCategory.NEEDS_NEW_CARD) is MessagePath.NEEDS_CARD
    assert immediate_step(MessagePath.NEEDS_CARD) is MessageStep.CARD_UPDATE
    assert immediate_step(path_for(DeclineCategory.NEEDS_AUTHENTICATION)) is MessageStep.CONFIRM_PAYMENT
    assert immediate_step(path_for(DeclineCategory.INSUFFICIENT_FUNDS)) is None


def test_a_message_due_at_night_waits_for_the_customers_morning() -> None:
    night = datetime(2026, 11, 2, 23, 30, tzinfo=UTC)  # 00:30 in Berlin

    assert in_daytime(night, BERLIN) == datetime(2026, 11, 3, 8, 0, tzinfo=UTC)  # 09:00 Berlin


def test_a_message_never_lands_in_the_hours_before_a_retry() -> None:
    wanted = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)  # 10:00 Berlin
    retry = datetime(2026, 11, 2, 12, 0, tzinfo=UTC)

    placed = delivery_time(wanted, BERLIN, [retry])

    assert placed == retry + timedelta(hours=1)


def test_a_message_well_before_a_retry_goes_when_wanted() -> None:
    wanted = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)

    assert delivery_time(wanted, BERLIN, [wanted + timedelta(days=2)]) == wanted


def test_a_retry_late_in_the_evening_pushes_the_message_to_the_next_morning() -> None:
    wanted = datetime(2026, 11, 2, 16, 0, tzinfo=UTC)  # 17:00 Berlin
    retry = datetime(2026, 11, 2, 19, 0, tzinfo=UTC)  # 20:00 Berlin

    assert delivery_time(wanted, BERLIN, [retry]) == datetime(2026, 11, 3, 8, 0, tzinfo=UTC)
