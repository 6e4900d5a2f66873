"""End-of-dunning decisions for every subscription and invoice action."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from backend.domain.billing import Subscription
from backend.domain.end_of_dunning import (
    CancelAt,
    CancelAtPeriodEnd,
    CancelNow,
    EndOfDunningPlan,
    LeaveSubscription,
    SubscriptionState,
    SubscriptionStep,
    dunning_complete_metadata,
    plan_end_of_dunning,
)
from backend.domain.settings import InvoiceAction, RecoverySettings, SubscriptionAction

NOW = datetime(2026, 12, 21, 17, 0, tzinfo=UTC)
PERIOD_END = datetime(2026, 12, 23, 17, 0, tzinfo=UTC)
ACTIVE = SubscriptionState(exists=True, status="past_due", current_period_end=PERIOD_END)
SA = SubscriptionAction
IA = InvoiceAction


def settings(**changes: object) -> RecoverySettings:
    return replace(RecoverySettings(enabled=True), **changes)  # type: ignore[arg-type]


def end(recovery_settings: RecoverySettings, subscription: SubscriptionState = ACTIVE, *,
        newer_paid: bool = False, later: tuple[str, ...] = ()) -> EndOfDunningPlan:
    return plan_end_of_dunning(recovery_settings, subscription, newer_invoice_paid=newer_paid,
                               later_open_invoice_ids=later, now=NOW)


@pytest.mark.parametrize(("changes", "expected"), [
    ({"subscription_action": SA.LEAVE}, LeaveSubscription()),
    ({"subscription_action": SA.CANCEL_NOW}, CancelNow(prorate=False)),
    ({"subscription_action": SA.CANCEL_NOW, "prorate_on_cancel": True}, CancelNow(prorate=True)),
    ({"subscription_action": SA.CANCEL_AT_PERIOD_END}, CancelAtPeriodEnd()),
    ({"subscription_action": SA.CANCEL_AFTER_DELAY, "cancel_delay_days": 3, "cancel_delay_hours": 5},
     CancelAt(NOW + timedelta(days=3, hours=5), prorate=False)),
    ({"subscription_action": SA.CANCEL_AFTER_DELAY, "cancel_delay_hours": 1,
      "prorate_on_cancel": True},
     CancelAt(NOW + timedelta(hours=1), prorate=True)),
], ids=["leave", "cancel now", "cancel now prorated", "at period end", "after 3 d 5 h",
        "after 1 h prorated"])
def test_subscription_action_follows_the_settings(changes: dict[str, object],
                                                  expected: SubscriptionStep) -> None:
    assert end(settings(**changes)).subscription == expected


@pytest.mark.parametrize("action", [IA.LEAVE, IA.VOID, IA.MARK_UNCOLLECTIBLE])
def test_invoice_action_follows_the_settings(action: InvoiceAction) -> None:
    assert end(settings(invoice_action=action)).invoice is action


@pytest.mark.parametrize("action", [SA.CANCEL_NOW, SA.CANCEL_AT_PERIOD_END, SA.CANCEL_AFTER_DELAY])
def test_a_subscription_with_a_newer_paid_invoice_is_never_canceled(action: SubscriptionAction) -> None:
    plan = end(settings(subscription_action=action, cancel_delay_days=2), newer_paid=True)

    assert plan.subscription == LeaveSubscription()
    assert any("newer invoice" in reason for reason in plan.reasons)


def test_the_invoice_action_still_applies_when_a_newer_invoice_is_paid() -> None:
    plan = end(settings(subscription_action=SA.CANCEL_NOW, invoice_action=IA.VOID), newer_paid=True)

    assert plan.invoice is IA.VOID


@pytest.mark.parametrize("action", list(SA))
def test_nothing_is_done_to_an_already_canceled_subscription(action: SubscriptionAction) -> None:
    canceled = SubscriptionState(exists=True, status="canceled", already_canceled=True)

    plan = end(settings(subscription_action=action, cancel_delay_days=1), canceled)

    assert plan.subscription == LeaveSubscription()
    assert not plan.mark_dunning_complete
    assert any("already ended" in reason for reason in plan.reasons)


def test_cancel_at_period_end_already_set_is_left_alone() -> None:
    state = replace(ACTIVE, cancel_at_period_end=True)

    plan = end(settings(subscription_action=SA.CANCEL_AT_PERIOD_END), state)

    assert plan.subscription == LeaveSubscription()


@pytest.mark.parametrize(("delay_days", "expected"), [
    (1, CancelAt(NOW + timedelta(days=1), prorate=False)),  # before the period ends: still cancel
    (5, LeaveSubscription()),                               # the period end comes first anyway
])
def test_delayed_cancel_is_skipped_when_the_period_end_cancels_sooner(
        delay_days: int, expected: SubscriptionStep) -> None:
    state = replace(ACTIVE, cancel_at_period_end=True)

    plan = end(settings(subscription_action=SA.CANCEL_AFTER_DELAY, cancel_delay_days=delay_days),
               state)

    assert plan.subscription == expected


@pytest.mark.parametrize("action", list(SA))
def test_an_invoice_without_subscription_only_gets_the_invoice_action(
        action: SubscriptionAction) -> None:
    plan = end(settings(subscription_action=action, cancel_delay_days=1,
                        invoice_action=IA.MARK_UNCOLLECTIBLE),
               SubscriptionState.none(), later=("in_later",))

    assert plan.subscription == LeaveSubscription()
    assert plan.invoice is IA.MARK_UNCOLLECTIBLE
    assert not plan.mark_dunning_complete
    assert plan.tidy_invoice_ids == ()


@pytest.mark.parametrize("action", list(SA))
def test_dunning_complete_is_written_whenever_a_live_subscription_exists(
        action: SubscriptionAction) -> None:
    assert end(settings(subscription_action=action, cancel_delay_days=1)).mark_dunning_complete


def test_dunning_complete_is_written_even_when_the_safeguard_leaves_the_subscription() -> None:
    assert end(settings(subscription_action=SA.CANCEL_NOW), newer_paid=True).mark_dunning_complete


def test_dunning_complete_metadata_is_unix_seconds() -> None:
    assert dunning_complete_metadata(NOW) == {"dunning_complete": str(int(NOW.timestamp()))}


@pytest.mark.parametrize(("tidy", "action", "newer_paid", "expected"), [
    (True, IA.VOID, False, ("in_2", "in_3")),
    (True, IA.MARK_UNCOLLECTIBLE, False, ("in_2", "in_3")),
    (True, IA.LEAVE, False, ()),
    (False, IA.VOID, False, ()),
    (True, IA.VOID, True, ()),
], ids=["void", "mark uncollectible", "invoice left", "tidy off", "newer invoice paid"])
def test_later_open_invoices_are_tidied_with_the_same_invoice_action(
        tidy: bool, action: InvoiceAction, newer_paid: bool, expected: tuple[str, ...]) -> None:
    plan = end(settings(tidy_later_invoices=tidy, invoice_action=action), newer_paid=newer_paid,
               later=("in_2", "in_3", "in_2"))

    assert plan.tidy_invoice_ids == expected


def test_every_plan_explains_itself() -> None:
    plan = end(settings(subscription_action=SA.CANCEL_NOW, invoice_action=IA.VOID),
               later=("in_2",))

    assert plan.reasons == ("cancel the subscription now, without proration", "invoice: void",
                            "tidy: void 1 later open invoice(s) of the same subscription")


@pytest.mark.parametrize(("status", "ended"), [
    ("active", False), ("past_due", False), ("unpaid", False), ("canceled", True),
    ("incomplete_expired", True),
])
def test_subscription_state_from_a_stripe_subscription(status: str, ended: bool) -> None:
    subscription = Subscription(id="sub_1", customer_id="cus_1", status=status,
                                default_payment_method=None, metadata={},
                                cancel_at_period_end=False, current_period_end=PERIOD_END,
                                latest_invoice_id=None)

    state = SubscriptionState.of(subscription)

    assert state.exists
    assert state.already_canceled is ended
    assert state.current_period_end == PERIOD_END
    assert SubscriptionState.of(None) == SubscriptionState.none()
