"""When retries run out, the subscription and invoices end exactly as the merchant chose."""

from __future__ import annotations

from datetime import timedelta

import pytest

from backend.simulator.behaviours import Declines
from tests.scenarios.test_recovery_flows import failed_subscription_invoice

QUICK_DUNNING = {"max_retries": 1, "dunning_days": 7}


async def exhaust(stack, settings):
    account = await stack.install({**QUICK_DUNNING, **settings})
    customer, card, subscription, invoice = await failed_subscription_invoice(
        stack, account, Declines("generic_decline"))
    await stack.advance(timedelta(days=8), step=timedelta(hours=6))
    return account, subscription, invoice


@pytest.mark.parametrize(("settings", "subscription_status", "invoice_status"), [
    ({"subscription_action": "cancel_now", "invoice_action": "void"}, "canceled", "void"),
    ({"subscription_action": "leave", "invoice_action": "mark_uncollectible"}, "past_due", "uncollectible"),
    ({"subscription_action": "leave", "invoice_action": "leave"}, "past_due", "open"),
])
async def test_exhaustion_applies_the_chosen_actions(stack, settings, subscription_status, invoice_status):
    account, subscription, invoice = await exhaust(stack, settings)

    recovery = await stack.recovery(account, invoice)
    sub = stack.sim.object(account, subscription)

    assert recovery.status == "exhausted"
    assert sub["status"] == subscription_status
    assert stack.invoice(account, invoice)["status"] == invoice_status
    assert stack.invoice(account, invoice)["metadata"]["recoup_status"] == "exhausted"


async def test_exhaustion_stamps_dunning_complete_on_the_subscription(stack):
    account, subscription, _invoice = await exhaust(stack, {"subscription_action": "leave"})

    stamped = stack.sim.object(account, subscription)["metadata"]["dunning_complete"]

    assert abs(int(stamped) - int(stack.clock.now().timestamp())) < 8 * 86400
    assert int(stamped) > int((stack.clock.now() - timedelta(days=8)).timestamp())


async def test_cancel_now_tells_stripe_why(stack):
    account, subscription, _invoice = await exhaust(stack, {"subscription_action": "cancel_now"})

    details = stack.sim.object(account, subscription)["cancellation_details"]

    assert "Recoup" in details["comment"]


async def test_cancel_at_period_end_leaves_the_subscription_running_until_then(stack):
    account, subscription, _invoice = await exhaust(stack, {"subscription_action": "cancel_at_period_end"})

    sub = stack.sim.object(account, subscription)

    assert sub["cancel_at_period_end"] is True
    assert sub["status"] != "canceled"


async def test_cancel_after_a_delay_cancels_when_the_delay_is_over_and_not_before(stack):
    account, subscription, invoice = await exhaust(stack, {"subscription_action": "cancel_after_delay",
                                                          "cancel_delay_days": 2, "cancel_delay_hours": 5})
    recovery = await stack.recovery(account, invoice)
    due = recovery.closed_at + timedelta(days=2, hours=5)

    await stack.advance(due - stack.clock.now() - timedelta(hours=1), step=timedelta(hours=1))
    before = stack.sim.object(account, subscription)["status"]
    await stack.advance(timedelta(hours=2), step=timedelta(hours=1))

    assert before != "canceled"
    assert stack.sim.object(account, subscription)["status"] == "canceled"


async def test_a_subscription_with_a_newer_paid_invoice_is_never_cancelled(stack):
    account = await stack.install({**QUICK_DUNNING, "subscription_action": "cancel_now"})
    _customer, _card, subscription, old_invoice = await failed_subscription_invoice(
        stack, account, Declines("generic_decline"))
    stack.clock.advance(timedelta(hours=1))
    newer_invoice = stack.sim.create_failed_invoice(account, subscription)
    stack.sim.pay_invoice_out_of_band(account, newer_invoice)
    await stack.settle()

    await stack.advance(timedelta(days=8), step=timedelta(hours=6))

    assert (await stack.recovery(account, old_invoice)).status == "exhausted"
    assert stack.sim.object(account, subscription)["status"] != "canceled"


async def test_later_open_invoices_of_the_subscription_are_tidied_with_the_same_action(stack):
    account = await stack.install({**QUICK_DUNNING, "invoice_action": "void", "tidy_later_invoices": True})
    _customer, _card, subscription, first = await failed_subscription_invoice(
        stack, account, Declines("generic_decline"))
    stack.clock.advance(timedelta(hours=1))
    later = stack.sim.create_failed_invoice(account, subscription)
    await stack.settle()

    await stack.advance(timedelta(days=8), step=timedelta(hours=6))

    assert stack.invoice(account, first)["status"] == "void"
    assert stack.invoice(account, later)["status"] == "void"


async def test_end_of_dunning_interrupted_midway_is_finished_by_its_rerun_exactly_once(stack):
    account = await stack.install({**QUICK_DUNNING, "subscription_action": "leave", "invoice_action": "void"})
    _customer, _card, subscription, invoice = await failed_subscription_invoice(
        stack, account, Declines("generic_decline"))
    # Stripe is down for the void, after the subscription's metadata went through: the job comes
    # back later and sends every write again under the same keys, which Stripe must replay.
    stack.sim.faults.inject(500, count=6, path_prefix=f"/v1/invoices/{invoice}/void")

    await stack.advance(timedelta(days=8), step=timedelta(hours=6))
    await stack.advance(timedelta(hours=2), step=timedelta(minutes=5))

    recovery = await stack.recovery(account, invoice)
    metadata_writes = [r for r in stack.writes() if r.url.path.endswith(subscription)]
    assert recovery.status == "exhausted"
    assert recovery.outcome == "exhausted"
    assert stack.invoice(account, invoice)["status"] == "void"
    assert stack.sim.event_types(account).count("invoice.voided") == 1
    assert len(metadata_writes) == 2  # the first run's write, and the re-run's replay of it
    assert stack.sim.object(account, subscription)["metadata"]["dunning_complete"] == str(
        int(recovery.deadline.timestamp()))
