"""The recovery state machine: which events each state accepts and where they lead."""

from __future__ import annotations

from enum import StrEnum


class RecoveryStatus(StrEnum):
    OBSERVING = "observing"
    SCHEDULED = "scheduled"
    AWAITING_CUSTOMER = "awaiting_customer"
    PAUSED = "paused"
    RECOVERED = "recovered"
    EXHAUSTED = "exhausted"
    CLOSED = "closed"


class RecoveryEvent(StrEnum):
    RETRY_SCHEDULED = "retry_scheduled"
    NEW_CARD_NEEDED = "new_card_needed"
    CARD_UPDATED = "card_updated"
    PAUSED = "paused"
    RESUMED = "resumed"
    PAID = "paid"
    EXHAUSTED = "exhausted"
    # The invoice was voided, marked uncollectible or paid out of band, the subscription was deleted,
    # or the app was uninstalled.
    CLOSED_ELSEWHERE = "closed_elsewhere"
    STOPPED_BY_MERCHANT = "stopped_by_merchant"
    OBSERVED = "observed"


class IllegalTransition(Exception):
    """An event that the recovery's current state does not accept."""

    def __init__(self, status: RecoveryStatus, event: RecoveryEvent) -> None:
        if status in TERMINAL_STATUSES:
            why = f"the recovery has already ended as {status.value!r}"
        else:
            accepted = ", ".join(e.value for e in _TABLE[status])
            why = f"a {status.value!r} recovery accepts only: {accepted}"
        super().__init__(f"cannot apply {event.value!r}: {why}")
        self.status = status
        self.event = event


_S = RecoveryStatus
_E = RecoveryEvent
TERMINAL_STATUSES: frozenset[RecoveryStatus] = frozenset({_S.RECOVERED, _S.EXHAUSTED, _S.CLOSED})

# Every way a recovery can end, shared by the live states.
_ENDINGS: dict[RecoveryEvent, RecoveryStatus] = {
    _E.PAID: _S.RECOVERED,
    _E.EXHAUSTED: _S.EXHAUSTED,
    _E.CLOSED_ELSEWHERE: _S.CLOSED,
    _E.STOPPED_BY_MERCHANT: _S.CLOSED,
}
_WORKING: dict[RecoveryEvent, RecoveryStatus] = {
    _E.RETRY_SCHEDULED: _S.SCHEDULED,
    _E.NEW_CARD_NEEDED: _S.AWAITING_CUSTOMER,
    # A new card is charged at once, so the recovery is back on the schedule.
    _E.CARD_UPDATED: _S.SCHEDULED,
    _E.PAUSED: _S.PAUSED,
    # The merchant switched observe-only on: stop acting, keep recording.
    _E.OBSERVED: _S.OBSERVING,
    **_ENDINGS,
}
_TABLE: dict[RecoveryStatus, dict[RecoveryEvent, RecoveryStatus]] = {
    # Observing acts only on paper. Going live (observe-only switched off) is a normal scheduling
    # event. Pausing is refused: resuming leads to SCHEDULED and would turn the case live unnoticed.
    _S.OBSERVING: {
        _E.OBSERVED: _S.OBSERVING,
        _E.CARD_UPDATED: _S.OBSERVING,
        _E.RETRY_SCHEDULED: _S.SCHEDULED,
        _E.NEW_CARD_NEEDED: _S.AWAITING_CUSTOMER,
        **_ENDINGS,
    },
    _S.SCHEDULED: dict(_WORKING),
    _S.AWAITING_CUSTOMER: dict(_WORKING),
    # Paused: nothing is charged or scheduled. A card update is recorded but waits for the resume;
    # the deadline is checked again on resume rather than ending the case behind the merchant's back.
    _S.PAUSED: {
        _E.RESUMED: _S.SCHEDULED,
        _E.CARD_UPDATED: _S.PAUSED,
        _E.PAID: _S.RECOVERED,
        _E.CLOSED_ELSEWHERE: _S.CLOSED,
        _E.STOPPED_BY_MERCHANT: _S.CLOSED,
    },
    _S.RECOVERED: {},
    _S.EXHAUSTED: {},
    _S.CLOSED: {},
}
_START: dict[RecoveryEvent, RecoveryStatus] = {
    _E.RETRY_SCHEDULED: _S.SCHEDULED,
    _E.NEW_CARD_NEEDED: _S.AWAITING_CUSTOMER,
    _E.OBSERVED: _S.OBSERVING,
}
_ACTIONS: dict[RecoveryStatus, tuple[str, ...]] = {
    _S.OBSERVING: ("stop",),
    _S.SCHEDULED: ("retry_now", "pause", "stop"),
    _S.AWAITING_CUSTOMER: ("retry_now", "pause", "stop"),
    _S.PAUSED: ("resume", "stop"),
}
ACTION_EVENTS: dict[str, RecoveryEvent] = {
    "retry_now": _E.RETRY_SCHEDULED,
    "pause": _E.PAUSED,
    "resume": _E.RESUMED,
    "stop": _E.STOPPED_BY_MERCHANT,
}


def is_terminal(status: RecoveryStatus) -> bool:
    """Return whether the recovery has ended for good."""
    return status in TERMINAL_STATUSES


def transition(status: RecoveryStatus, event: RecoveryEvent) -> RecoveryStatus:
    """Return the status after `event`, or raise IllegalTransition."""
    try:
        return _TABLE[status][event]
    except KeyError:
        raise IllegalTransition(status, event) from None


def initial_status(event: RecoveryEvent) -> RecoveryStatus:
    """Return the status a new recovery starts in after its first event."""
    if event not in _START:
        raise ValueError(f"a recovery cannot start with {event.value!r}; "
                         f"use one of {', '.join(e.value for e in _START)}")
    return _START[event]


def allowed_actions(status: RecoveryStatus) -> tuple[str, ...]:
    """Return the Dashboard buttons the status allows, in display order."""
    return _ACTIONS.get(status, ())


def event_for_action(action: str) -> RecoveryEvent:
    """Return the event a Dashboard action produces, or raise ValueError for an unknown action."""
    if action not in ACTION_EVENTS:
        raise ValueError(f"unknown action {action!r}; use one of {', '.join(ACTION_EVENTS)}")
    return ACTION_EVENTS[action]
