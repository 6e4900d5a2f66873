"""Every webhook delivered ten times, shuffled: nothing opens twice, nothing is charged twice.

Deliveries are signed at the stack's wall clock, the clock Recoup measures a signature's age on,
while simulated days pass on the other clock.
"""

from __future__ import annotations

import json
import random
from contextlib import asynccontextmanager
from datetime import datetime, timedelta

import httpx
import stripe
from sqlalchemy import func, select

from backend.adapters.db.tables import JobRow, RecoveryRow, WebhookEventRow
from backend.simulator.behaviours import (
    Declines,
    ExpiredCard,
    SucceedsOnAttempt,
)
from tests.conftest import START, WEBHOOK_SECRET
from tests.harness import RECOUP_URL, recoup_with_simulator

COPIES = 10
# The fifth of each five is paid by the customer outside Recoup before any event arrives.
BEHAVIOURS = [Declines("generic_decline"), Declines("insufficient_funds"), ExpiredCard(), SucceedsOnAttempt(3),
              Declines("do_not_honor")]


def signed(event: dict, at: datetime) -> tuple[bytes, dict[str, str]]:
    body = json.dumps(event)
    header = stripe.WebhookSignature.generate_signature_header(body, WEBHOOK_SECRET, timestamp=int(at.timestamp()))
    return body.encode(), {"Stripe-Signature": header, "Content-Type": "application/json"}


@asynccontextmanager
async def stack_with_client(engine, config):
    """Recoup and the simulator, and a client that posts to Recoup's webhook endpoint as Stripe does."""
    async with recoup_with_simulator(engine, config, START) as stack, \
            httpx.AsyncClient(transport=httpx.ASGITransport(app=stack.app), base_url=RECOUP_URL) as http:
        yield stack, http


async def _population(engine, config, *, storm: bool):
    async with stack_with_client(engine, config) as (stack, http):
        account = await stack.install()
        stack.sim.webhooks.hold()
        customers = []
        for n, behaviour in enumerate(BEHAVIOURS * 2):
            customer = stack.sim.create_customer(account, country="US")
            card = stack.sim.attach_card(account, customer, behaviour)
            subscription = stack.sim.create_subscription(account, customer, amount=2500 + n)
            invoice = stack.sim.create_failed_invoice(account, subscription)
            if n % 5 == 4:
                stack.sim.pay_invoice_out_of_band(account, invoice)
            customers.append((customer, card, invoice))
        if storm:
            events = [stack.sim.events.by_id[d.event_id] for d in stack.sim.webhooks.pending()]
            copies = [event for event in events for _ in range(COPIES)]
            random.Random(7).shuffle(copies)
            for event in copies:
                body, headers = signed(event, stack.wall_clock.now())
                answer = await http.post("/webhooks/stripe", content=body, headers=headers)
                assert answer.status_code == 200, answer.text
        stack.sim.webhooks.release()
        await stack.settle()
        await stack.advance(timedelta(days=30), step=timedelta(hours=12))
        state = []
        for customer, _card, invoice in customers:
            recovery = await stack.recovery(account, invoice)
            paid = [c for c in stack.charges(account, customer) if c["status"] == "succeeded"]
            state.append((len(paid), stack.invoice(account, invoice)["status"],
                          None if recovery is None else (recovery.status, recovery.outcome)))
        async with engine.connect() as connection:
            counts = {
                "recoveries": (await connection.execute(select(func.count()).select_from(RecoveryRow))).scalar_one(),
                "failed jobs": (await connection.execute(select(func.count()).select_from(JobRow).where(
                    JobRow.status == "failed"))).scalar_one(),
            }
        return state, counts


async def test_each_event_ten_times_in_shuffled_order_ends_as_one_ordered_delivery_does(engine, config):
    storm, storm_counts = await _population(engine, config, storm=True)
    async with engine.begin() as connection:
        for table in (JobRow, RecoveryRow, WebhookEventRow):
            await connection.execute(table.__table__.delete())

    calm, calm_counts = await _population(engine, config, storm=False)

    assert storm == calm
    assert storm_counts == calm_counts
    assert all(paid <= 2 for paid, _status, _recovery in storm)  # the signup, and at most one recovery


async def test_a_replayed_delivery_older_than_five_minutes_is_refused_and_changes_nothing(engine, config):
    async with stack_with_client(engine, config) as (stack, http):
        account = await stack.install()
        stack.sim.webhooks.hold()
        customer = stack.sim.create_customer(account, country="US")
        stack.sim.attach_card(account, customer, Declines("generic_decline"))
        stack.sim.create_failed_invoice(account, stack.sim.create_subscription(account, customer))
        failed = stack.sim.events.select(account=account.id, type_="invoice.payment_failed")[-1]

        now = stack.wall_clock.now()
        replay = await http.post("/webhooks/stripe", **_request(failed, now - timedelta(seconds=301 + 60)))
        stored_after_replay = await _stored(engine, failed["id"])
        fresh = await http.post("/webhooks/stripe", **_request(failed, now))

    assert replay.status_code == 400
    assert replay.json()["error"]["code"] == "invalid_signature"
    assert stored_after_replay == 0
    assert fresh.status_code == 200  # the same event, signed now: only its age was wrong


def _request(event: dict, at: datetime) -> dict:
    body, headers = signed(event, at)
    return {"content": body, "headers": headers}


async def _stored(engine, event_id: str) -> int:
    async with engine.connect() as connection:
        return (await connection.execute(select(func.count()).select_from(WebhookEventRow).where(
            WebhookEventRow.event_id == event_id))).scalar_one()
