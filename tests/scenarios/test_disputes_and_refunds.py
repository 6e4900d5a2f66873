"""A recovered payment that is refunded or disputed: flagged, and taken off net recovered revenue."""

from __future__ import annotations

from datetime import timedelta

from backend.services.analytics import analytics
from backend.simulator.behaviours import Declines, Succeeds
from tests.scenarios.test_recovery_flows import failed_subscription_invoice


async def recovered_invoice(stack, account, amount):
    _customer, card, _sub, invoice = await failed_subscription_invoice(
        stack, account, Declines("generic_decline"), amount=amount)
    stack.sim.set_card_behaviour(account, card, Succeeds())
    await stack.advance(timedelta(days=4), step=timedelta(hours=6))
    recovery = await stack.recovery(account, invoice)
    assert recovery.status == "recovered" and recovery.recovered_by == "recoup_retry"
    return invoice, stack.sim.paying_charge(account, invoice)


async def figures(stack, account):
    now = stack.clock.now()
    view = await analytics(stack.uow_factory, account, now.date() - timedelta(days=29), now.date(), now)
    (eur,) = view.currencies
    return view, eur


async def test_a_recovered_invoice_disputed_and_lost_leaves_net_revenue_and_shows_the_fee_refunded(stack):
    account = await stack.install({"success_fee_percent": 20})
    invoice, charge = await recovered_invoice(stack, account, 5000)
    _view, before = await figures(stack, account)

    dispute = stack.sim.dispute_charge(account, charge)
    await stack.settle()
    opened = await stack.recovery(account, invoice)
    during, while_open = await figures(stack, account)
    stack.sim.close_dispute(account, dispute, won=False)
    await stack.settle()
    lost = await stack.recovery(account, invoice)
    after, eur = await figures(stack, account)

    assert (before.net_recovered, before.fee.on_recovered, before.fee.net) == (5000, 1000, 1000)
    assert opened.dispute_status == "open" and during.disputes.open == 1
    assert while_open.net_recovered == 5000  # an open dispute may still be won
    assert (lost.dispute_status, lost.disputed_amount) == ("lost", 5000)
    assert (after.disputes.open, after.disputes.lost) == (0, 1)
    assert (eur.recovered, eur.dispute_lost, eur.net_recovered) == (5000, 5000, 0)
    assert (eur.fee.on_recovered, eur.fee.refunded, eur.fee.net) == (1000, 1000, 0)
    assert after.rate_by_count == 1.0  # the recovery happened; the money went back afterwards


async def test_a_partial_then_full_refund_redelivered_counts_the_refunded_money_once(stack):
    account = await stack.install()
    invoice, charge = await recovered_invoice(stack, account, 3000)

    stack.sim.refund_charge(account, charge, 1000)
    await stack.settle()
    partly = await stack.recovery(account, invoice)
    first_refund = stack.sim.events.select(account=account.id, type_="charge.refunded")[-1]["id"]
    stack.sim.refund_charge(account, charge)
    await stack.settle()
    stack.sim.webhooks.duplicate(first_refund)  # the older, partial total arrives again, late
    await stack.settle()
    full = await stack.recovery(account, invoice)
    _view, eur = await figures(stack, account)

    assert partly.refunded_amount == 1000
    assert full.refunded_amount == 3000
    assert (eur.recovered, eur.refunded, eur.net_recovered) == (3000, 3000, 0)


async def test_a_refund_of_a_payment_recoup_never_handled_changes_nothing(stack):
    account = await stack.install()
    _invoice, charge = await recovered_invoice(stack, account, 2000)
    customer = stack.sim.create_customer(account, country="DE")
    stack.sim.attach_card(account, customer, Succeeds())
    subscription = stack.sim.create_subscription(account, customer, amount=900, currency="eur")
    await stack.settle()
    signup = next(c["id"] for c in stack.sim.charges(account, customer=customer) if c["status"] == "succeeded")

    stack.sim.refund_charge(account, signup)
    await stack.settle()
    _view, eur = await figures(stack, account)

    assert subscription and charge != signup
    assert (eur.refunded, eur.net_recovered) == (0, 2000)
