"""The difficulty score: bounds, monotonicity and the documented formula."""

from __future__ import annotations

import pytest

from backend.domain.difficulty import difficulty_score

EASY = {"attempts_needed": 1, "distinct_decline_codes": 1, "hours_to_recover": 24.0,
        "recovered_by": "recoup_retry"}
CHANNELS_EASY_TO_HARD = ["recoup_retry", "other", "customer", "card_update"]


def score(**changes: object) -> int:
    return difficulty_score(**{**EASY, **changes})  # type: ignore[arg-type]


@pytest.mark.parametrize(("inputs", "expected"), [
    # 4 (one attempt) + 0 (one code) + 11.05 (24 h) + 0 (retry)
    ({}, 15),
    # 24 + 10 + 21.2 (20 days) + 20
    ({"attempts_needed": 6, "distinct_decline_codes": 3, "hours_to_recover": 20 * 24,
      "recovered_by": "card_update"}, 75),
    ({"attempts_needed": 0, "distinct_decline_codes": 0, "hours_to_recover": 0.0}, 1),
    ({"attempts_needed": 50, "distinct_decline_codes": 9, "hours_to_recover": 10_000.0,
      "recovered_by": "card_update"}, 100),
], ids=["first retry next day", "hard case", "floor", "ceiling"])
def test_score_follows_the_documented_formula(inputs: dict[str, object], expected: int) -> None:
    assert score(**inputs) == expected


@pytest.mark.parametrize(("field", "values"), [
    ("attempts_needed", list(range(0, 15))),
    ("distinct_decline_codes", list(range(0, 8))),
    ("hours_to_recover", [0.0, 0.5, 1.0, 4.0, 24.0, 72.0, 168.0, 720.0, 1440.0, 5000.0]),
    ("recovered_by", CHANNELS_EASY_TO_HARD),
])
def test_score_never_falls_when_one_input_gets_harder(field: str, values: list[object]) -> None:
    scores = [score(**{field: value}) for value in values]

    assert scores == sorted(scores)
    assert scores[-1] > scores[0]


@pytest.mark.parametrize(("easier", "harder"), [
    ({"attempts_needed": 1}, {"attempts_needed": 2}),
    ({"distinct_decline_codes": 1}, {"distinct_decline_codes": 2}),
    ({"hours_to_recover": 24.0}, {"hours_to_recover": 24.0 * 7}),
    ({"recovered_by": "recoup_retry"}, {"recovered_by": "card_update"}),
    ({"recovered_by": "recoup_retry"}, {"recovered_by": "customer"}),
])
def test_each_kind_of_extra_effort_raises_the_score(easier: dict[str, object],
                                                    harder: dict[str, object]) -> None:
    assert score(**harder) > score(**easier)


@pytest.mark.parametrize("attempts", [0, 1, 5, 10, 20])
@pytest.mark.parametrize("codes", [0, 1, 3, 6])
@pytest.mark.parametrize("hours", [0.0, 3.0, 48.0, 2000.0])
@pytest.mark.parametrize("channel", CHANNELS_EASY_TO_HARD)
def test_score_stays_between_1_and_100(attempts: int, codes: int, hours: float,
                                       channel: str) -> None:
    assert 1 <= score(attempts_needed=attempts, distinct_decline_codes=codes,
                      hours_to_recover=hours, recovered_by=channel) <= 100


@pytest.mark.parametrize("inputs", [
    {"recovered_by": "magic"},
    {"attempts_needed": -1},
    {"distinct_decline_codes": -1},
    {"hours_to_recover": -0.5},
    {"hours_to_recover": float("nan")},
])
def test_impossible_inputs_are_refused(inputs: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        score(**inputs)
