"""Refunds and disputes: Stripe's objects and events, driven from Python or the control API."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from backend.domain.billing import StripeAccount
from backend.simulator import Simulator
from backend.simulator.behaviours import Succeeds
from tests.simulator.object_shapes import shape_problems


@pytest.fixture
async def app_client(sim: Simulator) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(sim.asgi_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://sim.local") as http:
        yield http


def paid_charge(sim: Simulator, account: StripeAccount) -> str:
    customer = sim.create_customer(account)
    sim.attach_card(account, customer, Succeeds())
    sim.create_subscription(account, customer, amount=4000)
    (charge,) = [c for c in sim.charges(account, customer=customer) if c["status"] == "succeeded"]
    return str(charge["id"])


def last_object(sim: Simulator, account: StripeAccount, type_: str) -> dict:
    return sim.events.select(account=account.id, type_=type_)[-1]["data"]["object"]


def test_a_dispute_has_stripes_shape_and_ends_won_or_lost(sim: Simulator, account: StripeAccount) -> None:
    charge = paid_charge(sim, account)

    dispute = sim.dispute_charge(account, charge)
    created = last_object(sim, account, "charge.dispute.created")
    sim.close_dispute(account, dispute, won=False)
    closed = last_object(sim, account, "charge.dispute.closed")

    assert shape_problems(created) == []
    assert (created["id"], created["charge"], created["status"], created["amount"]) == (
        dispute, charge, "needs_response", 4000)
    assert created["payment_intent"].startswith("pi_")
    assert closed["status"] == "lost"
    assert sim.object(account, charge)["disputed"] is True
    with pytest.raises(ValueError):
        sim.close_dispute(account, dispute, won=True)


def test_refunds_keep_a_running_total_on_the_charge(sim: Simulator, account: StripeAccount) -> None:
    charge = paid_charge(sim, account)

    sim.refund_charge(account, charge, 1500)
    partial = last_object(sim, account, "charge.refunded")
    sim.refund_charge(account, charge)
    full = last_object(sim, account, "charge.refunded")

    assert (partial["amount_refunded"], partial["refunded"]) == (1500, False)
    assert (full["amount_refunded"], full["refunded"]) == (4000, True)
    assert shape_problems(full) == []
    with pytest.raises(ValueError):
        sim.refund_charge(account, charge, 1)


async def test_the_control_api_refunds_disputes_and_closes(app_client: httpx.AsyncClient, sim: Simulator,
                                                           account: StripeAccount) -> None:
    charge = paid_charge(sim, account)
    who = {"account": account.id, "livemode": account.livemode}

    refund = await app_client.post(f"/_sim/charges/{charge}/refund", json={**who, "amount": 500})
    dispute = (await app_client.post(f"/_sim/charges/{charge}/dispute", json=who)).json()["dispute"]
    refused = await app_client.post(f"/_sim/disputes/{dispute}/close", json={**who, "outcome": "maybe"})
    won = await app_client.post(f"/_sim/disputes/{dispute}/close", json={**who, "outcome": "won"})

    assert refund.status_code == 200 and refund.json()["refund"].startswith("re_")
    assert refused.status_code == 400
    assert won.json() == {"dispute": dispute, "status": "won"}
    assert "charge.dispute.funds_reinstated" in sim.event_types(account)
