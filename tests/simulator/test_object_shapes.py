"""Every object the simulator emits has the shape stripe-python 16.1's types give it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import stripe

from backend.domain.billing import StripeAccount
from backend.simulator import (
    Declines,
    ExpiredCard,
    InsufficientFundsUntilPayday,
    LostCard,
    RequiresAuthentication,
    Simulator,
    Succeeds,
    SucceedsOnAttempt,
)

from .conftest import opts
from .object_shapes import shape_problems


async def simulated_month(sim: Simulator, account: StripeAccount, client: stripe.StripeClient) -> None:
    """A month of a small merchant: renewals that fail for every usual reason, retries, and the
    merchant's and customer's own moves."""
    behaviours = [InsufficientFundsUntilPayday(), Declines("do_not_honor"), ExpiredCard(),
                  LostCard(), RequiresAuthentication(), SucceedsOnAttempt(2), Succeeds()]
    invoices = []
    for behaviour in behaviours:
        customer = sim.create_customer(account, email="c@example.test", name="C")
        sim.attach_card(account, customer, behaviour)
        subscription = sim.create_subscription(account, customer)
        invoices.append(sim.renew_now(account, subscription))
    one_off_customer = sim.create_customer(account)
    sim.attach_card(account, one_off_customer, Declines("generic_decline"))
    one_off = sim.create_invoice(account, one_off_customer, amount=900)
    await client.v1.invoices.void_invoice_async(invoices[1], options=opts(account))
    await client.v1.invoices.mark_uncollectible_async(one_off, options=opts(account))
    await client.v1.invoices.update_async(invoices[0], {"metadata": {"recoup": "1"}}, opts(account))
    await client.v1.subscriptions.cancel_async(
        str(sim.object(account, invoices[3])["parent"]["subscription_details"]["subscription"]),
        options=opts(account))
    session = await client.v1.checkout.sessions.create_async(
        {"mode": "setup", "customer": sim.object(account, invoices[2])["customer"],
         "currency": "usd", "success_url": "https://example.test/ok"}, opts(account))
    sim.complete_checkout_session(account, session.id, Succeeds(), set_default=True)
    await sim.advance(timedelta(days=35))


def emitted(sim: Simulator, account: StripeAccount) -> list[dict[str, Any]]:
    state = sim.state(account)
    events = [e for e in sim.events.events if e.get("account") == account.id]
    return list(state.objects.values()) + events + [e["data"]["object"] for e in events]


async def test_a_simulated_month_emits_only_objects_of_stripes_shape(
        sim: Simulator, account: StripeAccount, client: stripe.StripeClient) -> None:
    await simulated_month(sim, account, client)

    listed = await client.v1.invoices.list_async(
        {"limit": 100, "expand": ["data.payments"]}, opts(account))
    objects = emitted(sim, account) + [invoice.to_dict() for invoice in listed.data]
    problems = sorted({p for obj in objects for p in shape_problems(obj)})

    assert len(objects) > 100
    assert problems == []


def test_the_walk_finds_a_missing_field_and_a_misplaced_one() -> None:
    charge_card = {"brand": "visa", "exp_month": 1, "exp_year": 2030, "network_advice_code": "03"}

    problems = shape_problems(charge_card, stripe.Charge.PaymentMethodDetails.Card, "card")

    assert problems == ["card.network_advice_code: not a field of Charge.PaymentMethodDetails.Card"]
    assert "invoice.issuer: missing, but always present in Invoice" in shape_problems(
        {"object": "invoice"})
