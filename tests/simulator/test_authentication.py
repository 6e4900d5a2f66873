"""3-D Secure on Invoice Pay: off-session it declines, on-session it asks for the customer."""

from __future__ import annotations

import pytest
import stripe

from backend.domain.billing import StripeAccount
from backend.simulator import RequiresAuthentication, Simulator

from .conftest import opts


def invoice_needing_authentication(sim: Simulator, account: StripeAccount) -> str:
    customer = sim.create_customer(account)
    sim.attach_card(account, customer, RequiresAuthentication())
    return sim.create_failed_invoice(account, sim.create_subscription(account, customer))


async def test_off_session_pay_declines_with_authentication_required(
        sim: Simulator, account: StripeAccount, client: stripe.StripeClient) -> None:
    invoice = invoice_needing_authentication(sim, account)
    before = sim.event_types(account).count("invoice.payment_action_required")

    with pytest.raises(stripe.CardError) as caught:
        await client.v1.invoices.pay_async(invoice, {"off_session": True}, opts(account))

    assert caught.value.code == "authentication_required"
    assert caught.value.error.payment_intent.status == "requires_action"
    assert sim.event_types(account).count("invoice.payment_action_required") == before + 1


async def test_on_session_pay_hands_the_payment_intent_to_the_customer(
        sim: Simulator, account: StripeAccount, client: stripe.StripeClient) -> None:
    invoice = invoice_needing_authentication(sim, account)

    with pytest.raises(stripe.CardError) as caught:
        await client.v1.invoices.pay_async(invoice, {"off_session": False}, opts(account))

    intent = caught.value.error.payment_intent
    assert caught.value.code == "invoice_payment_intent_requires_action"
    assert intent.status == "requires_action" and intent.next_action.type == "use_stripe_sdk"
    assert sim.object(account, invoice)["status"] == "open"
    assert "invoice.payment_action_required" in sim.event_types(account)


async def test_a_renewal_needing_authentication_emits_payment_action_required(
        sim: Simulator, account: StripeAccount) -> None:
    invoice_needing_authentication(sim, account)

    types = sim.event_types(account)

    assert types.index("invoice.payment_failed") < types.index("invoice.payment_action_required")
