"""Stripe's delivery quirks and outages change nothing about the outcome."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from backend.adapters.db.tables import JobRow
from backend.simulator.behaviours import Declines, Succeeds
from tests.scenarios.test_recovery_flows import failed_subscription_invoice


async def test_a_duplicated_payment_failed_event_opens_one_recovery_and_one_assessment(stack):
    account = await stack.install()
    _customer, _card, _sub, invoice = await failed_subscription_invoice(stack, account, Declines("generic_decline"))
    failed = [e for e in stack.sim.events.select(account=account.id, type_="invoice.payment_failed")]

    stack.sim.webhooks.duplicate(failed[-1]["id"])
    stack.sim.webhooks.duplicate(failed[-1]["id"])
    await stack.settle()

    async with stack.uow_factory.engine.connect() as connection:
        assessments = (await connection.execute(
            select(JobRow.id).where(JobRow.kind == "assess_failure"))).all()
    assert len(assessments) == 1
    assert (await stack.recovery(account, invoice)).status == "scheduled"


async def test_events_delivered_in_reverse_order_still_end_in_the_right_state(stack):
    account = await stack.install()
    stack.sim.webhooks.hold()
    customer = stack.sim.create_customer(account, country="FR")
    stack.sim.attach_card(account, customer, Declines("generic_decline"))
    subscription = stack.sim.create_subscription(account, customer)
    invoice = stack.sim.create_failed_invoice(account, subscription)
    stack.sim.pay_invoice_out_of_band(account, invoice)  # paid before Recoup heard of the failure
    charges_before = len(stack.charges(account, customer))

    stack.sim.webhooks.reorder("reverse")
    stack.sim.webhooks.release()
    await stack.settle()
    await stack.advance(timedelta(days=5), step=timedelta(hours=6))

    recovery = await stack.recovery(account, invoice)
    assert recovery.status == "recovered"
    assert len(stack.charges(account, customer)) == charges_before
    # Nobody at Recoup charged it: the payment is credited to whoever paid, never to a retry.
    assert recovery.recovered_by in ("customer", "other", "out_of_band")
    assert [a for a in await stack.attempts(recovery.id) if a.trigger != "stripe"] == []


async def test_stripe_outage_during_a_retry_is_waited_out_without_a_second_charge(stack):
    account = await stack.install()
    customer, card, _sub, invoice = await failed_subscription_invoice(stack, account, Declines("generic_decline"))
    stack.sim.set_card_behaviour(account, card, Succeeds())
    # More 503s than the gateway retries by itself: the job has to come back later.
    stack.sim.faults.inject(503, count=6, path_prefix=f"/v1/invoices/{invoice}/pay")

    await stack.advance(timedelta(days=4), step=timedelta(minutes=30))

    recovery = await stack.recovery(account, invoice)
    assert recovery.status == "recovered"
    succeeded = [c for c in stack.charges(account, customer) if c["status"] == "succeeded"]
    assert len(succeeded) == 2  # the signup and the recovery
    async with stack.uow_factory.engine.connect() as connection:
        pay_tries = (await connection.execute(
            select(JobRow.tries).where(JobRow.kind == "pay_invoice", JobRow.status == "done"))).scalars().all()
    assert max(pay_tries) >= 2


async def test_an_invoice_voided_in_the_dashboard_closes_its_recovery(stack):
    account = await stack.install()
    customer, _card, _sub, invoice = await failed_subscription_invoice(stack, account, Declines("generic_decline"))
    charges_before = len(stack.charges(account, customer))
    client = stack.sim.stripe_client("sk_test_merchant")

    await client.v1.invoices.void_invoice_async(invoice, options={"stripe_account": account.id})
    await stack.settle()
    await stack.advance(timedelta(days=10), step=timedelta(hours=12))

    recovery = await stack.recovery(account, invoice)
    assert (recovery.status, recovery.outcome) == ("closed", "invoice_void")
    assert len(stack.charges(account, customer)) == charges_before


async def test_a_subscription_cancelled_elsewhere_closes_its_recoveries(stack):
    account = await stack.install()
    _customer, _card, subscription, invoice = await failed_subscription_invoice(
        stack, account, Declines("generic_decline"))
    client = stack.sim.stripe_client("sk_test_merchant")

    await client.v1.subscriptions.cancel_async(subscription, options={"stripe_account": account.id})
    await stack.settle()

    recovery = await stack.recovery(account, invoice)
    assert (recovery.status, recovery.outcome) == ("closed", "subscription_canceled")


async def test_a_completed_card_update_checkout_retries_at_once_with_the_new_card(stack):
    account = await stack.install()
    customer, _card, _sub, invoice = await failed_subscription_invoice(stack, account, Declines("expired_card"))
    waiting = await stack.recovery(account, invoice)
    session = await stack.gateway.create_setup_checkout_session(
        account, customer, success_url="https://shop.test/ok", cancel_url="https://shop.test/no",
        idempotency_key=f"recoup:{waiting.id}:checkout", metadata={"recoup_recovery_id": waiting.id})

    new_card = stack.sim.complete_checkout_session(account, session.id, Succeeds(), brand="mastercard")
    await stack.settle()

    recovery = await stack.recovery(account, invoice)
    attempts = await stack.attempts(recovery.id)
    assert waiting.status == "awaiting_customer"
    assert (recovery.status, recovery.recovered_by) == ("recovered", "card_update")
    assert attempts[-1].payment_method_id == new_card
    # The new card becomes the default so the next renewal does not hit the dead card again.
    assert stack.sim.object(account, customer)["invoice_settings"]["default_payment_method"] == new_card


async def test_a_late_customer_updated_naming_the_card_that_failed_is_not_a_card_update(stack):
    account = await stack.install()
    stack.sim.webhooks.hold()
    customer = stack.sim.create_customer(account, country="FR")
    stack.sim.attach_card(account, customer, Declines("generic_decline"))  # customer.updated: new default
    subscription = stack.sim.create_subscription(account, customer)
    invoice = stack.sim.create_failed_invoice(account, subscription)
    charges_before = len(stack.charges(account, customer))
    # Sent before the failure, delivered a minute after the failure opened the recovery: the
    # default it names is the card that failed.
    updated = {e["id"] for e in stack.sim.events.select(account=account.id, type_="customer.updated")}
    for delivery in stack.sim.webhooks.pending():
        if delivery.event_id in updated:
            delivery.next_attempt_at = stack.clock.now() + timedelta(minutes=1)
    stack.sim.webhooks.release()
    await stack.settle()
    assert (await stack.recovery(account, invoice)) is not None

    await stack.advance(timedelta(days=2), step=timedelta(minutes=30))

    recovery = await stack.recovery(account, invoice)
    assert len(stack.charges(account, customer)) == charges_before
    assert [a.number for a in await stack.attempts(recovery.id)] == [0]
    assert recovery.status == "scheduled"
    assert recovery.next_attempt_at is not None and recovery.next_attempt_at > stack.clock.now()


async def test_a_server_error_stored_after_the_charge_still_credits_the_retry_and_charges_once(stack):
    account = await stack.install()
    customer, card, _sub, invoice = await failed_subscription_invoice(stack, account, Declines("generic_decline"))
    stack.sim.set_card_behaviour(account, card, Succeeds())
    # Stripe charges, then answers 500, and replays that 500 (Stripe-Should-Retry: false) for the key.
    stack.sim.faults.inject(500, path_prefix=f"/v1/invoices/{invoice}/pay", after_effect=True)

    await stack.advance(timedelta(days=4), step=timedelta(hours=1))

    recovery = await stack.recovery(account, invoice)
    async with stack.uow_factory.engine.connect() as connection:
        unfinished = (await connection.execute(select(JobRow.kind).where(
            JobRow.recovery_id == recovery.id, JobRow.kind == "pay_invoice",
            JobRow.status.in_(("pending", "running", "failed"))))).all()
    assert (recovery.status, recovery.recovered_by) == ("recovered", "recoup_retry")
    assert len([c for c in stack.charges(account, customer) if c["status"] == "succeeded"]) == 2  # signup + retry
    assert [a.outcome for a in await stack.attempts(recovery.id)] == ["declined", "succeeded"]
    assert unfinished == []

