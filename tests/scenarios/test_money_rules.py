"""The rules about money, one scenario per way Recoup used to charge, cancel or report wrongly."""

from __future__ import annotations

from datetime import timedelta

import pytest

from backend.services.account_settings import save_settings
from backend.services.errors import ActionNotAllowed
from backend.services.merchant_actions import act_on_recovery
from backend.services.reporting import account_warnings, overview
from backend.simulator.behaviours import Declines, LostCard, RequiresAuthentication, Succeeds
from tests.scenarios.test_recovery_flows import failed_subscription_invoice

DAY = timedelta(days=1)
SIX_HOURS = timedelta(hours=6)


def merchant(stack):
    return stack.sim.stripe_client("sk_test_merchant")


async def pending_jobs(stack, recovery_id):
    async with stack.uow_factory() as uow:
        return await uow.jobs.pending_for_recovery(recovery_id)


# 1 ---------------------------------------------------------------------------------------------
async def test_paper_attempts_in_observe_mode_leave_the_live_budget_and_window_whole(stack):
    account = await stack.install({"observe_only": True, "max_retries": 4, "dunning_days": 28,
                                   "subscription_action": "cancel_now"})
    customer, _card, subscription, invoice = await failed_subscription_invoice(
        stack, account, Declines("generic_decline"))
    await stack.advance(15 * DAY, step=SIX_HOURS)
    paper = await stack.attempts((await stack.recovery(account, invoice)).id)

    await save_settings(stack.uow_factory, stack.clock, account, {"observe_only": False})
    live_from = stack.clock.now()
    await stack.advance(27 * DAY, step=SIX_HOURS)
    still_open = await stack.recovery(account, invoice)
    await stack.advance(2 * DAY, step=SIX_HOURS)
    ended = await stack.recovery(account, invoice)

    assert [a.outcome for a in paper[1:]] and {a.outcome for a in paper[1:]} == {"observed"}
    live = [a for a in await stack.attempts(ended.id) if a.outcome == "declined" and a.attempted_at >= live_from]
    assert len(live) == 4
    assert still_open.status == "awaiting_customer"
    assert ended.status == "exhausted" and ended.closed_at >= live_from + 28 * DAY
    assert stack.sim.object(account, subscription)["status"] == "canceled"


# 2 ---------------------------------------------------------------------------------------------
async def test_payments_recoup_had_no_part_in_are_shown_beside_recovered_revenue_not_in_it(stack):
    account = await stack.install({"observe_only": True})
    _c1, _card1, _s1, by_transfer = await failed_subscription_invoice(stack, account, Declines("generic_decline"))
    _c2, _card2, _s2, marked_paid = await failed_subscription_invoice(stack, account, Declines("generic_decline"))

    stack.sim.pay_invoice_out_of_band(account, by_transfer)
    await merchant(stack).v1.invoices.pay_async(marked_paid, {"paid_out_of_band": True},
                                                options={"stripe_account": account.id})
    await stack.settle()
    home = await overview(stack.uow_factory, account, stack.clock.now())

    transfer = await stack.recovery(account, by_transfer)
    marked = await stack.recovery(account, marked_paid)
    assert transfer.status == marked.status == "recovered"
    # Both were recorded as paid outside Stripe: Stripe cannot tell a settled transfer from "mark as paid".
    assert (transfer.recovered_by, marked.recovered_by) == ("out_of_band", "out_of_band")
    assert home.recovered == {} and home.recovery_rate is None
    assert home.paid_without_recoup == {"eur": 5000}


# 3 ---------------------------------------------------------------------------------------------
async def test_an_invoice_of_a_cancelled_subscription_is_never_charged(stack):
    account = await stack.install()
    customer, _card, subscription, invoice = await failed_subscription_invoice(
        stack, account, Declines("generic_decline"))
    charges_before = len(stack.charges(account, customer))
    stack.sim.webhooks.hold()  # customer.subscription.deleted is still on its way
    await merchant(stack).v1.subscriptions.cancel_async(subscription, options={"stripe_account": account.id})

    await stack.advance(5 * DAY, step=SIX_HOURS)

    recovery = await stack.recovery(account, invoice)
    assert len(stack.charges(account, customer)) == charges_before
    assert (recovery.status, recovery.outcome) == ("closed", "subscription_canceled")


async def test_the_overdue_chase_skips_invoices_of_cancelled_subscriptions(stack):
    from backend.services.overdue_chase import queue_daily_work

    account = await stack.install({"enabled": False})
    customer, _card, subscription, invoice = await failed_subscription_invoice(
        stack, account, Declines("generic_decline"))
    await merchant(stack).v1.subscriptions.cancel_async(subscription, options={"stripe_account": account.id})
    await stack.settle()
    charges_before = len(stack.charges(account, customer))
    await save_settings(stack.uow_factory, stack.clock, account, {"enabled": True, "daily_overdue_chase": True})

    await queue_daily_work(stack.uow_factory, stack.clock)
    await stack.advance(5 * DAY, step=SIX_HOURS)

    assert stack.invoice(account, invoice)["status"] == "open"
    assert len(stack.charges(account, customer)) == charges_before
    assert await stack.recovery(account, invoice) is None


# 4 ---------------------------------------------------------------------------------------------
async def test_a_delayed_cancellation_spares_a_subscription_whose_next_invoice_was_paid(stack):
    account = await stack.install({"max_retries": 1, "dunning_days": 7, "subscription_action": "cancel_after_delay",
                                   "cancel_delay_days": 30})
    _customer, card, subscription, invoice = await failed_subscription_invoice(
        stack, account, Declines("generic_decline"))
    await stack.advance(8 * DAY, step=SIX_HOURS)
    exhausted = await stack.recovery(account, invoice)
    stack.sim.set_card_behaviour(account, card, Succeeds())

    await stack.advance(32 * DAY, step=SIX_HOURS)

    assert exhausted.status == "exhausted"
    assert stack.sim.object(account, subscription)["status"] == "active"


async def test_a_delayed_cancellation_still_happens_when_nothing_newer_was_paid(stack):
    account = await stack.install({"max_retries": 1, "dunning_days": 7, "subscription_action": "cancel_after_delay",
                                   "cancel_delay_days": 3})
    _customer, _card, subscription, _invoice = await failed_subscription_invoice(
        stack, account, Declines("generic_decline"))

    await stack.advance(12 * DAY, step=SIX_HOURS)

    assert stack.sim.object(account, subscription)["status"] == "canceled"


# 5 ---------------------------------------------------------------------------------------------
async def test_retry_now_refuses_a_card_the_network_said_never_to_try_again(stack):
    account = await stack.install()
    customer = stack.sim.create_customer(account, country="US")
    stack.sim.attach_card(account, customer, Declines("do_not_honor", network_advice_code="03"), brand="mastercard")
    subscription = stack.sim.create_subscription(account, customer)
    invoice = stack.sim.create_failed_invoice(account, subscription)
    await stack.settle()
    charges_before = len(stack.charges(account, customer))

    for _press in range(2):
        with pytest.raises(ActionNotAllowed, match="do not try again"):
            await act_on_recovery(stack.uow_factory, stack.clock, stack.gateway, account, invoice, "retry_now")
        await stack.settle()

    assert len(stack.charges(account, customer)) == charges_before


async def test_a_hard_declined_card_made_the_default_again_is_not_charged(stack):
    account = await stack.install()
    customer, lost, subscription, invoice = await failed_subscription_invoice(stack, account, LostCard())
    charges_before = len(stack.charges(account, customer))

    await merchant(stack).v1.subscriptions.update_async(subscription, {"default_payment_method": lost},
                                                        options={"stripe_account": account.id})
    await stack.settle()

    assert len(stack.charges(account, customer)) == charges_before
    assert (await stack.recovery(account, invoice)).status == "awaiting_customer"


# 6 ---------------------------------------------------------------------------------------------
async def test_a_shorter_dunning_length_ends_a_recovery_waiting_for_a_card_at_the_new_deadline(stack):
    account = await stack.install({"dunning_days": 28})
    _customer, _card, _sub, invoice = await failed_subscription_invoice(stack, account, LostCard())
    await save_settings(stack.uow_factory, stack.clock, account, {"dunning_days": 7})

    await stack.advance(9 * DAY, step=SIX_HOURS)

    assert (await stack.recovery(account, invoice)).status == "exhausted"


async def test_a_longer_dunning_length_keeps_a_recovery_waiting_for_a_card_open(stack):
    account = await stack.install({"dunning_days": 7})
    _customer, _card, _sub, invoice = await failed_subscription_invoice(stack, account, LostCard())
    await save_settings(stack.uow_factory, stack.clock, account, {"dunning_days": 60})

    await stack.advance(9 * DAY, step=SIX_HOURS)

    recovery = await stack.recovery(account, invoice)
    assert recovery.status == "awaiting_customer"
    assert recovery.deadline == recovery.started_at + 60 * DAY


# 7 ---------------------------------------------------------------------------------------------
async def test_end_actions_run_at_the_deadline_even_when_no_retry_fits_before_it(stack):
    account = await stack.install({"dunning_days": 28, "subscription_action": "cancel_now"})
    # A US customer: the day-28 slot (09:00 Chicago) falls hours after the 08:00 UTC deadline.
    _customer, _card, subscription, invoice = await failed_subscription_invoice(
        stack, account, Declines("generic_decline"), country="US")

    await stack.advance(27 * DAY, step=SIX_HOURS)
    waiting = await stack.recovery(account, invoice)
    status_on_day_27 = stack.sim.object(account, subscription)["status"]
    await stack.advance(2 * DAY, step=SIX_HOURS)
    ended = await stack.recovery(account, invoice)

    assert waiting.status == "awaiting_customer"
    assert status_on_day_27 != "canceled"
    assert ended.status == "exhausted" and ended.closed_at >= ended.deadline
    assert stack.sim.object(account, subscription)["status"] == "canceled"


# 8 ---------------------------------------------------------------------------------------------
async def test_stopping_a_recovery_gives_stripe_back_its_automatic_collection(stack):
    account = await stack.install(smart_retries=True)
    _customer, _card, _sub, invoice = await failed_subscription_invoice(stack, account, Declines("generic_decline"))
    paused_by_recoup = stack.invoice(account, invoice)["auto_advance"]

    await act_on_recovery(stack.uow_factory, stack.clock, stack.gateway, account, invoice, "stop")
    await stack.settle()

    assert paused_by_recoup is False
    assert stack.invoice(account, invoice)["auto_advance"] is True


async def test_leaving_an_invoice_open_at_the_end_gives_stripe_back_its_automatic_collection(stack):
    account = await stack.install({"max_retries": 1, "dunning_days": 7, "invoice_action": "leave"},
                                  smart_retries=True)
    _customer, _card, _sub, invoice = await failed_subscription_invoice(stack, account, Declines("generic_decline"))

    await stack.advance(8 * DAY, step=SIX_HOURS)

    assert (await stack.recovery(account, invoice)).status == "exhausted"
    assert stack.invoice(account, invoice)["auto_advance"] is True


# 9 ---------------------------------------------------------------------------------------------
async def test_an_hour_long_stripe_outage_strands_no_recovery(stack):
    account = await stack.install()
    customer, _card, _sub, invoice = await failed_subscription_invoice(stack, account, Declines("generic_decline"))
    recovery = await stack.recovery(account, invoice)
    outage = stack.sim.faults.inject(503, count=10**9)
    await stack.advance(3 * DAY + timedelta(hours=4), step=timedelta(minutes=15))  # the first retry falls in it
    stack.sim.faults.clear()
    after_outage = await pending_jobs(stack, recovery.id)
    charges_before = len(stack.charges(account, customer))

    await stack.advance(2 * DAY, step=SIX_HOURS)

    assert outage.remaining < 10**9
    assert after_outage, "an open recovery must always have a next job"
    assert len(stack.charges(account, customer)) > charges_before
    assert (await stack.recovery(account, invoice)).status != "closed"


# 10 --------------------------------------------------------------------------------------------
async def test_the_double_retry_warning_clears_once_recoup_switched_stripes_retries_off(stack):
    account = await stack.install(smart_retries=True)
    _customer, _card, _sub, invoice = await failed_subscription_invoice(stack, account, Declines("generic_decline"))

    warnings = await account_warnings(stack.uow_factory, account)

    assert stack.invoice(account, invoice)["auto_advance"] is False
    assert warnings == []


async def test_the_double_retry_warning_stays_while_stripe_really_is_retrying(stack):
    account = await stack.install({"pause_stripe_retries": False}, smart_retries=True)
    _customer, _card, _sub, invoice = await failed_subscription_invoice(stack, account, Declines("generic_decline"))

    warnings = await account_warnings(stack.uow_factory, account)

    assert stack.invoice(account, invoice)["auto_advance"] is True
    assert [w.code for w in warnings] == ["stripe_retries_active"]


# 11 --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("behaviour", [RequiresAuthentication(), LostCard()], ids=["3ds", "hard"])
async def test_the_panel_promises_only_what_recoup_will_do(stack, behaviour):
    account = await stack.install()
    _customer, _card, _sub, invoice = await failed_subscription_invoice(stack, account, behaviour)

    reason = (await stack.recovery(account, invoice)).next_attempt_reason

    assert "link" not in reason and "asking the customer" not in reason and "sending" not in reason
    assert "waiting" in reason
