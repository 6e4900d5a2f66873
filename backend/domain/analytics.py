"""Analytics over a period: what each recovery adds to its day's buckets, and the figures read back.

A recovery adds to two days: the day it opened (failed money, and while it is open, money in
flight) and the day it ended (recovered, exhausted or closed money, its cause, and any money
later refunded or lost to a dispute). Every change to a recovery moves the buckets by the
difference between what it added before and what it adds after, so a period's figures are a
sum over days, and a change applied twice is no change the second time.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime

from backend.domain.attribution import Attribution, caused_by_recoup

COUNTERS = (
    "failed_count", "failed_amount", "in_flight_count", "in_flight_amount",
    "recovered_count", "recovered_amount", "retry_count", "retry_amount",
    "card_update_count", "card_update_amount", "customer_count", "customer_amount",
    "elsewhere_count", "elsewhere_amount", "exhausted_count", "exhausted_amount", "closed_count",
    "refunded_amount", "dispute_lost_amount", "reversed_amount",
    "dispute_open_count", "dispute_won_count", "dispute_lost_count",
)
DEFAULT_PERIOD_DAYS = 30
MAX_PERIOD_DAYS = 366


class DisputeStatus:
    OPEN = "open"
    WON = "won"
    LOST = "lost"


# Stripe's dispute statuses, folded into what they mean for the merchant's money.
_DISPUTE_OUTCOMES = {
    "warning_needs_response": DisputeStatus.OPEN, "warning_under_review": DisputeStatus.OPEN,
    "needs_response": DisputeStatus.OPEN, "under_review": DisputeStatus.OPEN,
    "warning_closed": DisputeStatus.WON, "won": DisputeStatus.WON, "prevented": DisputeStatus.WON,
    "charge_refunded": DisputeStatus.WON,  # retired status: the refund, not the dispute, moved the money
    "lost": DisputeStatus.LOST,
}
STRIPE_DISPUTE_STATUSES = tuple(_DISPUTE_OUTCOMES)


def dispute_outcome(stripe_status: str) -> str:
    """Fold a Stripe dispute status into open, won or lost."""
    return _DISPUTE_OUTCOMES[stripe_status]


def next_dispute_status(current: str | None, reported: str) -> str:
    """A decided dispute stays decided: a late `created` delivery must not reopen it."""
    if current in (DisputeStatus.WON, DisputeStatus.LOST) and reported == DisputeStatus.OPEN:
        return current
    return reported


@dataclass(frozen=True)
class RecoveryFacts:
    """What the buckets need to know about one recovery."""

    currency: str
    amount: int
    status: str
    started_at: datetime
    closed_at: datetime | None = None
    recovered_by: str | None = None
    refunded_amount: int = 0
    dispute_status: str | None = None
    disputed_amount: int = 0


def day_of(moment: datetime) -> str:
    """The UTC day a moment falls on, as an ISO date."""
    return moment.date().isoformat()


def reversed_amount(facts: RecoveryFacts) -> int:
    """Money taken back after the payment: refunds plus a lost dispute, never more than was paid."""
    lost = facts.disputed_amount if facts.dispute_status == DisputeStatus.LOST else 0
    return min(facts.amount, facts.refunded_amount + lost)


def contributions(facts: RecoveryFacts | None) -> dict[str, dict[str, int]]:
    """Return what one recovery adds to each day's counters (in its currency)."""
    if facts is None:
        return {}
    days: dict[str, dict[str, int]] = {}

    def add(day: str, **counters: int) -> None:
        bucket = days.setdefault(day, {})
        for name, value in counters.items():
            bucket[name] = bucket.get(name, 0) + value

    amount = facts.amount
    add(day_of(facts.started_at), failed_count=1, failed_amount=amount)
    if facts.closed_at is None:
        add(day_of(facts.started_at), in_flight_count=1, in_flight_amount=amount)
        return days
    ended = day_of(facts.closed_at)
    if facts.status == "recovered":
        cause = _cause_bucket(facts.recovered_by)
        add(ended, **{f"{cause}_count": 1, f"{cause}_amount": amount})
        if caused_by_recoup(facts.recovered_by):
            add(ended, recovered_count=1, recovered_amount=amount, **_money_back(facts))
    elif facts.status == "exhausted":
        add(ended, exhausted_count=1, exhausted_amount=amount)
    else:
        add(ended, closed_count=1)
    return days


def _cause_bucket(recovered_by: str | None) -> str:
    if recovered_by == Attribution.RECOUP_RETRY:
        return "retry"
    if recovered_by == Attribution.CARD_UPDATE:
        return "card_update"
    if recovered_by == Attribution.CUSTOMER:
        return "customer"
    return "elsewhere"


def _money_back(facts: RecoveryFacts) -> dict[str, int]:
    lost = facts.dispute_status == DisputeStatus.LOST
    counters = {"refunded_amount": facts.refunded_amount, "reversed_amount": reversed_amount(facts),
                "dispute_lost_amount": facts.disputed_amount if lost else 0}
    if facts.dispute_status is not None:
        counters[f"dispute_{facts.dispute_status}_count"] = 1
    return counters


def days_to_recover(facts: RecoveryFacts | None) -> tuple[str, int] | None:
    """(day it ended, whole days it took) for a recovery Recoup caused, else None."""
    if (facts is None or facts.closed_at is None or facts.status != "recovered"
            or not caused_by_recoup(facts.recovered_by)):
        return None
    return day_of(facts.closed_at), max(0, (facts.closed_at - facts.started_at).days)


def changes(before: RecoveryFacts | None, after: RecoveryFacts | None) -> dict[str, dict[str, int]]:
    """The per-day counter deltas that move the buckets from `before` to `after` (zeros left out)."""
    old, new = contributions(before), contributions(after)
    moved: dict[str, dict[str, int]] = {}
    for day in sorted(old.keys() | new.keys()):
        names = old.get(day, {}).keys() | new.get(day, {}).keys()
        deltas = {name: new.get(day, {}).get(name, 0) - old.get(day, {}).get(name, 0) for name in names}
        deltas = {name: value for name, value in deltas.items() if value}
        if deltas:
            moved[day] = deltas
    return moved


def histogram_changes(before: RecoveryFacts | None,
                      after: RecoveryFacts | None) -> dict[tuple[str, int], int]:
    """The per-(day, days-to-recover) count deltas for the median."""
    moved: dict[tuple[str, int], int] = {}
    for facts, sign in ((before, -1), (after, 1)):
        key = days_to_recover(facts)
        if key is not None:
            moved[key] = moved.get(key, 0) + sign
    return {key: value for key, value in moved.items() if value}


# Reading figures back -------------------------------------------------------------------------------
def ratio(part: int, whole: int) -> float | None:
    """part ÷ whole, or None when there is nothing to divide."""
    return part / whole if whole else None


def median_days(histogram: Mapping[int, int]) -> float | None:
    """The exact median of whole days-to-recover from a count per day value; None when empty."""
    total = sum(histogram.values())
    if total <= 0:
        return None
    middle = ((total - 1) // 2, total // 2)
    found: list[int] = []
    seen = 0
    for days in sorted(histogram):
        count = histogram[days]
        for position in middle:
            if seen <= position < seen + count:
                found.append(days)
        seen += count
    return (found[0] + found[1]) / 2


def percent_of(amount: int, percent: int) -> int:
    """`percent` % of an amount in the smallest unit, rounded half up."""
    return (amount * percent + 50) // 100


@dataclass(frozen=True)
class SuccessFee:
    """What a paid service charging `percent` of recovered money would have billed."""

    percent: int
    on_recovered: int  # the fee counted when the money came in
    refunded: int  # the part given back because the money was refunded or lost to a dispute
    net: int  # on_recovered − refunded: the fee on net recovered money


def success_fee(recovered: int, reversed_money: int, percent: int) -> SuccessFee:
    """The fee a paid service would have charged on net recovered money (recovered − reversed)."""
    on_recovered = percent_of(recovered, percent)
    refunded = min(on_recovered, percent_of(reversed_money, percent))
    return SuccessFee(percent=percent, on_recovered=on_recovered, refunded=refunded, net=on_recovered - refunded)


def period_days(first: date, last: date) -> list[str]:
    """Every ISO day from `first` to `last`, both included."""
    return [date.fromordinal(n).isoformat() for n in range(first.toordinal(), last.toordinal() + 1)]
