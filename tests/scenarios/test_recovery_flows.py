"""Failed payments from webhook to outcome: Stripe simulated, everything else real."""

from __future__ import annotations

from datetime import timedelta

from backend.services.account_settings import save_settings
from backend.services.merchant_actions import act_on_recovery
from backend.simulator.behaviours import Declines, InsufficientFundsUntilPayday, LostCard, Succeeds


async def failed_subscription_invoice(stack, account, behaviour, *, country="DE", amount=2500):
    customer = stack.sim.create_customer(account, country=country)
    card = stack.sim.attach_card(account, customer, behaviour)
    subscription = stack.sim.create_subscription(account, customer, amount=amount, currency="eur")
    invoice = stack.sim.create_failed_invoice(account, subscription)
    await stack.settle()
    return customer, card, subscription, invoice


def successful_charges(stack, account, customer):
    # The signup charge is the first success; recovery charges come after it.
    return [c for c in stack.charges(account, customer) if c["status"] == "succeeded"]


async def test_insufficient_funds_is_recovered_on_a_payday(stack):
    account = await stack.install()
    customer, _card, _sub, invoice = await failed_subscription_invoice(
        stack, account, InsufficientFundsUntilPayday())

    opened = await stack.recovery(account, invoice)
    await stack.advance(timedelta(days=16))
    closed = await stack.recovery(account, invoice)

    assert opened.status == "scheduled"
    assert opened.latest_decline_category == "insufficient_funds"
    assert "payday" in opened.next_attempt_reason
    assert closed.status == "recovered" and closed.recovered_by == "recoup_retry"
    assert 1 <= closed.difficulty <= 100
    assert stack.invoice(account, invoice)["status"] == "paid"
    assert len(successful_charges(stack, account, customer)) == 2  # signup + one recovery
    attempts = await stack.attempts(closed.id)
    assert [a.outcome for a in attempts][-1] == "succeeded"
    # Every retry lands at 09:00 in Berlin (08:00 UTC in November), the customer's morning.
    assert {a.attempted_at.hour for a in attempts if a.trigger == "schedule"} == {8}
    assert stack.invoice(account, invoice)["metadata"]["recoup_status"] == "recovered"


async def test_a_hard_decline_is_never_charged_again_until_a_new_card_arrives(stack):
    account = await stack.install()
    customer, _card, _sub, invoice = await failed_subscription_invoice(stack, account, LostCard())
    charges_after_failure = len(stack.charges(account, customer))

    await stack.advance(timedelta(days=5))
    waiting = await stack.recovery(account, invoice)
    charges_while_waiting = len(stack.charges(account, customer))
    stack.sim.attach_card(account, customer, Succeeds(), brand="mastercard")
    await stack.settle()
    recovered = await stack.recovery(account, invoice)

    assert waiting.status == "awaiting_customer"
    assert charges_while_waiting == charges_after_failure
    assert recovered.status == "recovered" and recovered.recovered_by == "card_update"
    assert stack.invoice(account, invoice)["status"] == "paid"


async def test_card_rotation_recovers_with_the_second_card_and_makes_it_the_default(stack):
    account = await stack.install({"card_rotation": True})
    customer = stack.sim.create_customer(account, country="US")
    spare = stack.sim.attach_card(account, customer, Succeeds(), brand="mastercard", default=False)
    failing = stack.sim.attach_card(account, customer, Declines("do_not_honor"), default=True)
    subscription = stack.sim.create_subscription(account, customer)
    invoice = stack.sim.create_failed_invoice(account, subscription)
    await stack.settle()

    await stack.advance(timedelta(days=4))
    recovery = await stack.recovery(account, invoice)

    assert recovery.status == "recovered"
    attempts = await stack.attempts(recovery.id)
    assert attempts[-1].payment_method_id == spare and attempts[-1].outcome == "succeeded"
    assert attempts[0].payment_method_id == failing
    customer_now = stack.sim.object(account, customer)
    assert customer_now["invoice_settings"]["default_payment_method"] == spare


async def test_a_card_that_worked_replaces_the_failed_one_on_the_subscription_that_held_it(stack):
    account = await stack.install({"card_rotation": True})
    customer = stack.sim.create_customer(account, country="US")
    spare = stack.sim.attach_card(account, customer, Succeeds(), brand="mastercard", default=True)
    failing = stack.sim.attach_card(account, customer, Declines("do_not_honor"), default=False)
    subscription = stack.sim.create_subscription(account, customer, default_payment_method=failing)
    invoice = stack.sim.create_failed_invoice(account, subscription)
    await stack.settle()

    await stack.advance(timedelta(days=4))

    assert (await stack.recovery(account, invoice)).status == "recovered"
    assert stack.sim.object(account, subscription)["default_payment_method"] == spare


async def test_an_invoice_paid_elsewhere_before_the_retry_is_never_charged(stack):
    account = await stack.install()
    customer, _card, _sub, invoice = await failed_subscription_invoice(
        stack, account, Declines("generic_decline"))
    charges_before = len(stack.charges(account, customer))
    # The customer pays through the hosted invoice page; the webhook is held up on the way.
    stack.sim.webhooks.hold()
    stack.sim.pay_invoice_out_of_band(account, invoice)

    await stack.advance(timedelta(days=4))
    stack.sim.webhooks.release()
    await stack.settle()
    recovery = await stack.recovery(account, invoice)

    assert len(stack.charges(account, customer)) == charges_before
    assert recovery.status == "recovered" and recovery.recovered_by in ("other", "customer", "out_of_band")


async def test_observe_only_records_the_plan_but_writes_nothing_to_stripe(stack):
    account = await stack.install({"observe_only": True})
    customer, _card, _sub, invoice = await failed_subscription_invoice(
        stack, account, InsufficientFundsUntilPayday())
    charges_before = len(stack.charges(account, customer))

    await stack.advance(timedelta(days=30), step=timedelta(hours=6))
    recovery = await stack.recovery(account, invoice)

    assert stack.writes() == []
    assert len(stack.charges(account, customer)) == charges_before
    assert "recoup_status" not in stack.invoice(account, invoice)["metadata"]
    attempts = await stack.attempts(recovery.id)
    assert [a.outcome for a in attempts[1:]] and all(a.outcome == "observed" for a in attempts[1:])
    assert recovery.status == "exhausted"
    assert recovery.outcome_detail.startswith("observe only")


async def test_switching_recovery_off_stops_retries_and_on_plans_them_again(stack):
    account = await stack.install()
    customer, _card, _sub, invoice = await failed_subscription_invoice(
        stack, account, Declines("generic_decline"))
    charges_before = len(stack.charges(account, customer))

    await save_settings(stack.uow_factory, stack.clock, account, {"enabled": False})
    await stack.advance(timedelta(days=10), step=timedelta(hours=6))
    charges_while_off = len(stack.charges(account, customer))
    await save_settings(stack.uow_factory, stack.clock, account, {"enabled": True})
    await stack.settle()
    replanned = await stack.recovery(account, invoice)
    await stack.advance(timedelta(days=5), step=timedelta(hours=6))

    assert charges_while_off == charges_before
    assert replanned.next_attempt_at is not None and replanned.next_attempt_at >= stack.clock.now() - timedelta(days=5)
    assert len(stack.charges(account, customer)) > charges_before


async def test_stripe_retrying_too_has_its_automatic_collection_switched_off_and_remembered(stack):
    account = await stack.install(smart_retries=True)
    _customer, _card, _sub, invoice = await failed_subscription_invoice(
        stack, account, Declines("generic_decline"))

    recovery = await stack.recovery(account, invoice)

    assert stack.invoice(account, invoice)["auto_advance"] is False
    assert recovery.stripe_retrying is False and recovery.collection_to_restore()


async def test_recovery_off_means_failed_payments_are_left_alone(stack):
    account = await stack.install({"enabled": False})

    _customer, _card, _sub, invoice = await failed_subscription_invoice(
        stack, account, Declines("generic_decline"))

    assert await stack.recovery(account, invoice) is None
    assert stack.writes() == []


async def test_a_failure_from_while_recovery_was_off_stays_alone_when_switched_on_before_its_job_ran(stack):
    account = await stack.install({"enabled": False})
    customer = stack.sim.create_customer(account, country="DE")
    stack.sim.attach_card(account, customer, Declines("generic_decline"))
    subscription = stack.sim.create_subscription(account, customer, amount=2500, currency="eur")
    invoice = stack.sim.create_failed_invoice(account, subscription)
    await stack.sim.run_until_now()
    await stack.sim.deliver_pending()  # Recoup acknowledged the failure; its job has not run yet

    stack.clock.advance(timedelta(seconds=5))
    await save_settings(stack.uow_factory, stack.clock, account, {"enabled": True})
    await stack.settle()

    assert await stack.recovery(account, invoice) is None
    assert stack.writes() == []


async def test_a_failure_after_recovery_was_switched_on_is_recovered(stack):
    account = await stack.install({"enabled": False})
    stack.clock.advance(timedelta(minutes=1))
    await save_settings(stack.uow_factory, stack.clock, account, {"enabled": True})
    stack.clock.advance(timedelta(minutes=1))

    _customer, _card, _sub, invoice = await failed_subscription_invoice(
        stack, account, Declines("generic_decline"))

    assert (await stack.recovery(account, invoice)).status == "scheduled"


async def test_one_off_invoices_are_recovered_only_when_the_merchant_asks(stack):
    account = await stack.install()
    customer = stack.sim.create_customer(account)
    stack.sim.attach_card(account, customer, Declines("generic_decline"))
    ignored = stack.sim.create_invoice(account, customer, amount=900)
    await stack.settle()
    await save_settings(stack.uow_factory, stack.clock, account, {"recover_one_off_invoices": True})
    included = stack.sim.create_invoice(account, customer, amount=900)
    await stack.settle()

    assert await stack.recovery(account, ignored) is None
    assert (await stack.recovery(account, included)).status == "scheduled"


async def test_switching_observe_only_off_turns_paper_retries_into_real_ones(stack):
    account = await stack.install({"observe_only": True})
    customer, card, _sub, invoice = await failed_subscription_invoice(stack, account, Declines("generic_decline"))
    await stack.advance(timedelta(days=4), step=timedelta(hours=6))
    observed = await stack.recovery(account, invoice)
    stack.sim.set_card_behaviour(account, card, Succeeds())

    await save_settings(stack.uow_factory, stack.clock, account, {"observe_only": False})
    await stack.advance(timedelta(days=10), step=timedelta(hours=6))

    assert observed.status == "observing"
    assert stack.writes() != []
    recovery = await stack.recovery(account, invoice)
    assert (recovery.status, recovery.recovered_by) == ("recovered", "recoup_retry")
    assert len([c for c in stack.charges(account, customer) if c["status"] == "succeeded"]) == 2


async def test_a_paused_recovery_waiting_for_a_card_still_ends_at_its_deadline_after_resuming(stack):
    account = await stack.install({"dunning_days": 7, "invoice_action": "void"})
    _customer, _card, _sub, invoice = await failed_subscription_invoice(stack, account, LostCard())
    waiting = await stack.recovery(account, invoice)
    await act_on_recovery(stack.uow_factory, stack.clock, stack.gateway, account, invoice, "pause")
    await stack.advance(timedelta(days=1), step=timedelta(hours=6))
    await act_on_recovery(stack.uow_factory, stack.clock, stack.gateway, account, invoice, "resume")

    await stack.advance(timedelta(days=8), step=timedelta(hours=6))

    ended = await stack.recovery(account, invoice)
    assert waiting.status == "awaiting_customer"
    assert ended.status == "exhausted"
    assert stack.invoice(account, invoice)["status"] == "void"


async def test_a_card_added_while_paused_is_tried_when_the_merchant_resumes(stack):
    account = await stack.install()
    customer, _card, _sub, invoice = await failed_subscription_invoice(stack, account, LostCard())
    await act_on_recovery(stack.uow_factory, stack.clock, stack.gateway, account, invoice, "pause")
    charges_before = len(stack.charges(account, customer))

    new_card = stack.sim.attach_card(account, customer, Succeeds(), brand="mastercard")
    await stack.advance(timedelta(days=2), step=timedelta(hours=6))
    charges_while_paused = len(stack.charges(account, customer))
    await act_on_recovery(stack.uow_factory, stack.clock, stack.gateway, account, invoice, "resume")
    await stack.settle()

    recovery = await stack.recovery(account, invoice)
    assert charges_while_paused == charges_before
    assert (recovery.status, recovery.recovered_by) == ("recovered", "card_update")
    assert (await stack.attempts(recovery.id))[-1].payment_method_id == new_card


async def test_a_card_update_while_recovery_is_off_charges_nothing_until_it_is_on_again(stack):
    account = await stack.install()
    customer, _card, _sub, invoice = await failed_subscription_invoice(stack, account, LostCard())
    await save_settings(stack.uow_factory, stack.clock, account, {"enabled": False})
    charges_before = len(stack.charges(account, customer))

    stack.sim.attach_card(account, customer, Succeeds(), brand="mastercard")
    await stack.advance(timedelta(days=2), step=timedelta(hours=6))
    charges_while_off = len(stack.charges(account, customer))
    await save_settings(stack.uow_factory, stack.clock, account, {"enabled": True})
    await stack.advance(timedelta(days=1), step=timedelta(hours=6))

    assert charges_while_off == charges_before
    assert (await stack.recovery(account, invoice)).status == "recovered"


async def test_when_stripe_has_no_card_left_to_charge_the_recovery_waits_for_the_customer(stack):
    account = await stack.install({"card_rotation": False})
    customer, card, _sub, invoice = await failed_subscription_invoice(stack, account, Declines("generic_decline"))
    merchant = stack.sim.stripe_client("sk_test_merchant")
    # Stripe refuses an empty default_payment_method; detaching the card is how it goes away.
    await merchant.v1.payment_methods.detach_async(card, options={"stripe_account": account.id})
    await stack.settle()

    await stack.advance(timedelta(days=4), step=timedelta(hours=6))

    recovery = await stack.recovery(account, invoice)
    attempts = await stack.attempts(recovery.id)
    assert attempts[-1].outcome == "refused"
    assert recovery.status == "awaiting_customer"
    assert recovery.next_attempt_reason.startswith("needs a new card")


async def test_a_shorter_dunning_length_applies_to_recoveries_already_under_way(stack):
    account = await stack.install({"dunning_days": 28})
    _customer, _card, _sub, invoice = await failed_subscription_invoice(stack, account, Declines("generic_decline"))
    await save_settings(stack.uow_factory, stack.clock, account, {"dunning_days": 7})

    await stack.advance(timedelta(days=9), step=timedelta(hours=6))

    recovery = await stack.recovery(account, invoice)
    assert recovery.status == "exhausted"
    assert recovery.deadline == recovery.started_at + timedelta(days=7)
