"""When each customer message goes out: the six-step sequence, quiet hours and local daytime."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from backend.domain.declines import DeclineCategory

REFERENCE_DUNNING_DAYS = 28
# An e-mail sent just before a retry may be made moot by it (the retry succeeds and the customer
# was nagged for nothing), so nothing lands in the hours before a planned retry.
QUIET_BEFORE_RETRY = timedelta(hours=6)
# After the retry, give its outcome time to be known (and the message to be cancelled if it paid).
SETTLE_AFTER_RETRY = timedelta(hours=1)
DAYTIME_START = time(9)
DAYTIME_END = time(20)


class MessageStep(StrEnum):
    NOTICE = "notice"  # day 0: friendly notice
    REMINDER = "reminder"  # gentle reminder with the card-update link
    ACCESS_WARNING = "access_warning"  # service access at risk
    SUSPENSION_WARNING = "suspension_warning"
    LAST_CHANCE = "last_chance"
    FINAL_NOTICE = "final_notice"  # on the last day
    CARD_UPDATE = "card_update"  # at once after a hard decline or expired card
    CONFIRM_PAYMENT = "confirm_payment"  # at once when the bank wants the customer to authenticate


class MessagePath(StrEnum):
    """What the copy may promise: a retry is coming, or only the customer can fix it."""

    RETRYING = "retrying"
    NEEDS_CARD = "needs_card"
    NEEDS_AUTHENTICATION = "needs_authentication"


SEQUENCE: tuple[tuple[MessageStep, int], ...] = (
    (MessageStep.NOTICE, 0),
    (MessageStep.REMINDER, 3),
    (MessageStep.ACCESS_WARNING, 7),
    (MessageStep.SUSPENSION_WARNING, 14),
    (MessageStep.LAST_CHANCE, 21),
)


@dataclass(frozen=True)
class PlannedMessage:
    step: MessageStep
    day: int  # days after the recovery started


def sequence_for(dunning_days: int) -> list[PlannedMessage]:
    """Return the six steps scaled to the dunning length, one whole day apart at least."""
    planned: list[PlannedMessage] = []
    last_day = dunning_days - 1  # the final notice goes out on the last day, before the deadline
    for step, reference_day in SEQUENCE:
        scaled = int(reference_day * dunning_days / REFERENCE_DUNNING_DAYS + 0.5)  # round half up
        day = max(scaled, planned[-1].day + 1) if planned else scaled
        planned.append(PlannedMessage(step, min(day, last_day - (len(SEQUENCE) - len(planned)))))
    planned.append(PlannedMessage(MessageStep.FINAL_NOTICE, last_day))
    return planned


def path_for(category: DeclineCategory | None) -> MessagePath:
    """Return what the messages may say about the next retry, given why the payment failed."""
    if category is DeclineCategory.NEEDS_NEW_CARD:
        return MessagePath.NEEDS_CARD
    if category is DeclineCategory.NEEDS_AUTHENTICATION:
        return MessagePath.NEEDS_AUTHENTICATION
    return MessagePath.RETRYING


def immediate_step(path: MessagePath) -> MessageStep | None:
    """Return the message sent at once for a failure only the customer can fix, else None."""
    if path is MessagePath.NEEDS_CARD:
        return MessageStep.CARD_UPDATE
    if path is MessagePath.NEEDS_AUTHENTICATION:
        return MessageStep.CONFIRM_PAYMENT
    return None


def in_daytime(moment: datetime, tz: ZoneInfo) -> datetime:
    """Return `moment`, or the next start of the customer's daytime when it falls at night."""
    local = moment.astimezone(tz)
    if DAYTIME_START <= local.time() < DAYTIME_END:
        return moment
    day = local.date() if local.time() < DAYTIME_START else local.date() + timedelta(days=1)
    return datetime.combine(day, DAYTIME_START, tzinfo=tz).astimezone(moment.tzinfo)


def delivery_time(wanted: datetime, tz: ZoneInfo, retries: Iterable[datetime]) -> datetime:
    """Return when a message wanted at `wanted` may land: in daytime and not just before a retry."""
    planned_retries = sorted(retries)
    moment = in_daytime(wanted, tz)
    for _ in range(len(planned_retries) + 1):
        blocking = next((retry for retry in planned_retries
                         if retry - QUIET_BEFORE_RETRY <= moment < retry + SETTLE_AFTER_RETRY), None)
        if blocking is None:
            return moment
        moment = in_daytime(blocking + SETTLE_AFTER_RETRY, tz)
    return moment


def quiet_reason(moment: datetime, retries: Iterable[datetime]) -> datetime | None:
    """Return the retry that makes sending at `moment` premature, or None when it may go now."""
    return next((retry for retry in sorted(retries)
                 if retry - QUIET_BEFORE_RETRY <= moment < retry + SETTLE_AFTER_RETRY), None)
