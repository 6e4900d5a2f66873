"""The recovery state machine, as a full table of (status, event) pairs."""

from __future__ import annotations

import itertools

import pytest

from backend.domain.recovery_state import (
    TERMINAL_STATUSES,
    IllegalTransition,
    RecoveryEvent,
    RecoveryStatus,
    allowed_actions,
    event_for_action,
    initial_status,
    is_terminal,
    transition,
)

S = RecoveryStatus
E = RecoveryEvent

# Every legal transition. Any (status, event) pair not listed here must raise IllegalTransition.
LEGAL: dict[tuple[RecoveryStatus, RecoveryEvent], RecoveryStatus] = {
    (S.OBSERVING, E.OBSERVED): S.OBSERVING,
    (S.OBSERVING, E.CARD_UPDATED): S.OBSERVING,
    (S.OBSERVING, E.RETRY_SCHEDULED): S.SCHEDULED,
    (S.OBSERVING, E.NEW_CARD_NEEDED): S.AWAITING_CUSTOMER,
    (S.OBSERVING, E.PAID): S.RECOVERED,
    (S.OBSERVING, E.EXHAUSTED): S.EXHAUSTED,
    (S.OBSERVING, E.CLOSED_ELSEWHERE): S.CLOSED,
    (S.OBSERVING, E.STOPPED_BY_MERCHANT): S.CLOSED,
    **{(live, event): target for live in (S.SCHEDULED, S.AWAITING_CUSTOMER)
       for event, target in {
           E.RETRY_SCHEDULED: S.SCHEDULED,
           E.NEW_CARD_NEEDED: S.AWAITING_CUSTOMER,
           E.CARD_UPDATED: S.SCHEDULED,
           E.PAUSED: S.PAUSED,
           E.OBSERVED: S.OBSERVING,
           E.PAID: S.RECOVERED,
           E.EXHAUSTED: S.EXHAUSTED,
           E.CLOSED_ELSEWHERE: S.CLOSED,
           E.STOPPED_BY_MERCHANT: S.CLOSED,
       }.items()},
    (S.PAUSED, E.RESUMED): S.SCHEDULED,
    (S.PAUSED, E.CARD_UPDATED): S.PAUSED,
    (S.PAUSED, E.PAID): S.RECOVERED,
    (S.PAUSED, E.CLOSED_ELSEWHERE): S.CLOSED,
    (S.PAUSED, E.STOPPED_BY_MERCHANT): S.CLOSED,
}
ALL_PAIRS = list(itertools.product(S, E))
ILLEGAL = [pair for pair in ALL_PAIRS if pair not in LEGAL]


@pytest.mark.parametrize(("status", "event"), list(LEGAL), ids=lambda v: str(v))
def test_legal_transition_leads_to_the_listed_status(status: RecoveryStatus,
                                                     event: RecoveryEvent) -> None:
    assert transition(status, event) is LEGAL[(status, event)]


@pytest.mark.parametrize(("status", "event"), ILLEGAL, ids=lambda v: str(v))
def test_every_other_pair_is_an_illegal_transition(status: RecoveryStatus,
                                                   event: RecoveryEvent) -> None:
    with pytest.raises(IllegalTransition) as raised:
        transition(status, event)

    assert raised.value.status is status
    assert raised.value.event is event
    assert event.value in str(raised.value)


@pytest.mark.parametrize("status", sorted(TERMINAL_STATUSES))
@pytest.mark.parametrize("event", list(E))
def test_a_terminal_recovery_accepts_no_event(status: RecoveryStatus, event: RecoveryEvent) -> None:
    with pytest.raises(IllegalTransition, match="already ended"):
        transition(status, event)


def test_resume_is_refused_unless_paused() -> None:
    with pytest.raises(IllegalTransition, match="accepts only"):
        transition(S.SCHEDULED, E.RESUMED)


@pytest.mark.parametrize(("status", "terminal"), [
    (S.OBSERVING, False), (S.SCHEDULED, False), (S.AWAITING_CUSTOMER, False), (S.PAUSED, False),
    (S.RECOVERED, True), (S.EXHAUSTED, True), (S.CLOSED, True),
])
def test_only_recovered_exhausted_and_closed_are_terminal(status: RecoveryStatus,
                                                          terminal: bool) -> None:
    assert is_terminal(status) is terminal


@pytest.mark.parametrize(("status", "actions"), [
    (S.OBSERVING, ("stop",)),
    (S.SCHEDULED, ("retry_now", "pause", "stop")),
    (S.AWAITING_CUSTOMER, ("retry_now", "pause", "stop")),
    (S.PAUSED, ("resume", "stop")),
    (S.RECOVERED, ()),
    (S.EXHAUSTED, ()),
    (S.CLOSED, ()),
])
def test_allowed_actions_per_status(status: RecoveryStatus, actions: tuple[str, ...]) -> None:
    assert allowed_actions(status) == actions


@pytest.mark.parametrize("status", list(S))
def test_every_offered_button_is_a_legal_transition(status: RecoveryStatus) -> None:
    for action in allowed_actions(status):
        transition(status, event_for_action(action))


def test_an_unknown_action_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown action"):
        event_for_action("enrol")


@pytest.mark.parametrize(("event", "status"), [
    (E.RETRY_SCHEDULED, S.SCHEDULED),
    (E.NEW_CARD_NEEDED, S.AWAITING_CUSTOMER),
    (E.OBSERVED, S.OBSERVING),
])
def test_a_recovery_starts_scheduled_awaiting_or_observing(event: RecoveryEvent,
                                                           status: RecoveryStatus) -> None:
    assert initial_status(event) is status


def test_a_recovery_cannot_start_already_ended() -> None:
    with pytest.raises(ValueError):
        initial_status(E.PAID)
