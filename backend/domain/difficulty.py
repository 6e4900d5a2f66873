"""Difficulty score: how hard a recovered payment was to win back, from 1 (trivial) to 100."""

from __future__ import annotations

import math

# The score is the rounded sum of four capped parts, clamped to 1..100 (the parts add up to 100):
#   attempts   4 points per attempt, capped at 10 attempts          -> 0..40
#   codes      5 points per decline code beyond the first, cap 3    -> 0..15
#   time       25 * ln(1 + hours) / ln(1 + 1440), capped at 60 days -> 0..25
#   channel    retry 0, other 5, customer 15, card_update 20        -> 0..20
# Every part is non-decreasing in its input, so the score is monotone in each argument. The time part
# is logarithmic because the first day of waiting says more about difficulty than the fifth week.
_ATTEMPT_POINTS = 4
_ATTEMPT_CAP = 10
_CODE_POINTS = 5
_CODE_CAP = 3
_TIME_POINTS = 25
_TIME_CAP_HOURS = 60 * 24  # the longest dunning period the settings allow
# A plain retry needed nothing from anyone; a card update means the card on file was dead and the
# customer had to act, the hardest road back.
# The card updater did the hard part without the customer: scored like our own retry, plus a little.
RECOVERED_BY_POINTS: dict[str, int] = {"retry": 0, "card_updater": 5, "other": 5, "customer": 15,
                                       "card_update": 20}


def difficulty_score(*, attempts_needed: int, distinct_decline_codes: int, hours_to_recover: float,
                     recovered_by: str) -> int:
    """Return the difficulty of a recovery, 1..100; raise ValueError on impossible inputs."""
    if recovered_by not in RECOVERED_BY_POINTS:
        raise ValueError(f"recovered_by must be one of {', '.join(RECOVERED_BY_POINTS)}, "
                         f"not {recovered_by!r}")
    # `not x >= 0` also refuses NaN, which would otherwise pass through min() unnoticed.
    if attempts_needed < 0 or distinct_decline_codes < 0 or not hours_to_recover >= 0:
        raise ValueError("attempts, decline codes and hours cannot be negative")
    total = (_attempt_points(attempts_needed) + _code_points(distinct_decline_codes)
             + _time_points(hours_to_recover) + RECOVERED_BY_POINTS[recovered_by])
    return max(1, min(100, round(total)))


def _attempt_points(attempts: int) -> float:
    return float(_ATTEMPT_POINTS * min(attempts, _ATTEMPT_CAP))


def _code_points(codes: int) -> float:
    # One decline code is the baseline; each change of reason means the case kept shifting.
    return float(_CODE_POINTS * min(max(codes - 1, 0), _CODE_CAP))


def _time_points(hours: float) -> float:
    capped = min(hours, _TIME_CAP_HOURS)
    return _TIME_POINTS * math.log1p(capped) / math.log1p(_TIME_CAP_HOURS)
