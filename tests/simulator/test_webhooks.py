"""Signed deliveries to a receiver mounted in process, with retries and delivery faults."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import httpx
import pytest
import stripe
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from backend.adapters.clock import ManualClock
from backend.domain.billing import StripeAccount
from backend.simulator import Declines, Simulator
from backend.simulator.delivery import signature_header

from .conftest import WEBHOOK_SECRET

RECEIVER_URL = "http://recoup.test/webhooks/stripe"


class Receiver:
    """A webhook endpoint that verifies like Recoup's and can be told to fail."""

    def __init__(self) -> None:
        self.events: list[stripe.Event] = []
        self.fail_next = 0

    async def endpoint(self, request: Request) -> Response:
        if self.fail_next:
            self.fail_next -= 1
            return Response(status_code=500)
        event = stripe.Webhook.construct_event(
            await request.body(), request.headers["stripe-signature"], WEBHOOK_SECRET)
        self.events.append(event)
        return Response(status_code=200)

    def types(self) -> list[str]:
        return [e.type for e in self.events]


@pytest.fixture
def receiver() -> Receiver:
    return Receiver()


@pytest.fixture
async def wired(clock: ManualClock, receiver: Receiver) -> AsyncIterator[Simulator]:
    app = Starlette(routes=[Route("/webhooks/stripe", receiver.endpoint, methods=["POST"])])
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app)) as http:
        yield Simulator(clock, webhook_url=RECEIVER_URL, webhook_secret=WEBHOOK_SECRET, http_client=http)


async def test_install_event_is_delivered_signed_and_shaped(wired: Simulator, receiver: Receiver) -> None:
    account = wired.install_account()

    await wired.deliver_pending()

    event = receiver.events[0]
    assert event.type == "account.application.authorized"
    assert event.account == account.id and event.livemode is False
    assert event.api_version == "2026-10-28.endive" and event.id.startswith("evt_")
    assert event.object == "event" and event.pending_webhooks == 1


async def test_payment_failure_events_carry_previous_attributes(wired: Simulator, receiver: Receiver) -> None:
    account = wired.install_account()
    customer = wired.create_customer(account)
    wired.attach_card(account, customer, Declines("insufficient_funds"))
    invoice = wired.create_failed_invoice(account, wired.create_subscription(account, customer))

    await wired.deliver_pending()

    updated = [e for e in receiver.events if e.type == "invoice.updated" and e.data.object.id == invoice]
    failed = [e for e in receiver.events if e.type == "invoice.payment_failed"]
    charge_failed = [e for e in receiver.events if e.type == "charge.failed"]
    assert updated[-1].data.previous_attributes.attempt_count == 0
    assert failed[0].data.object.parent.subscription_details.subscription
    assert charge_failed[0].data.object.outcome.reason == "insufficient_funds"


async def test_api_triggered_events_name_the_request(wired: Simulator, receiver: Receiver) -> None:
    account = wired.install_account()
    customer = wired.create_customer(account)
    client = wired.stripe_client()

    await client.v1.customers.update_async(customer, {"metadata": {"a": "b"}},
                                           {"stripe_account": account.id, "idempotency_key": "upd-1"})
    await wired.deliver_pending()

    event = [e for e in receiver.events if e.type == "customer.updated"][-1]
    assert event.request.id.startswith("req_") and event.request.idempotency_key == "upd-1"
    assert event.data.previous_attributes.metadata.to_dict() == {"a": None}


async def test_failed_delivery_is_retried_with_backoff_on_the_clock(
        wired: Simulator, receiver: Receiver, clock: ManualClock) -> None:
    receiver.fail_next = 1
    wired.install_account()

    await wired.deliver_pending()
    early = len(receiver.events)
    clock.advance(timedelta(minutes=4))
    await wired.deliver_pending()
    still_early = len(receiver.events)
    clock.advance(timedelta(minutes=2))
    await wired.deliver_pending()

    delivery = wired.webhooks.queue[0]
    assert (early, still_early, len(receiver.events)) == (0, 0, 1)
    assert [a.get("status_code") for a in delivery.attempts] == [500, 200]
    assert delivery.status == "delivered"


async def test_connection_errors_count_as_failures(clock: ManualClock) -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused")

    async with httpx.AsyncClient(transport=httpx.MockTransport(refuse)) as http:
        sim = Simulator(clock, webhook_url=RECEIVER_URL, webhook_secret=WEBHOOK_SECRET, http_client=http)
        sim.install_account()
        await sim.deliver_pending()

    assert sim.webhooks.queue[0].attempts[0]["error"] == "ConnectError"
    assert sim.webhooks.queue[0].status == "pending"


async def test_duplicate_delivery_on_demand(wired: Simulator, receiver: Receiver) -> None:
    wired.install_account()
    await wired.deliver_pending()

    wired.webhooks.duplicate(receiver.events[0].id)
    await wired.deliver_pending()

    assert [e.id for e in receiver.events] == [receiver.events[0].id] * 2


async def test_reordered_and_held_deliveries(wired: Simulator, receiver: Receiver) -> None:
    wired.webhooks.hold()
    account = wired.install_account()
    wired.create_customer(account)
    await wired.deliver_pending()
    held = len(receiver.events)

    wired.webhooks.reorder("reverse")
    wired.webhooks.release()
    await wired.deliver_pending()

    assert held == 0
    assert receiver.types() == ["customer.created", "account.application.authorized"]


async def test_uninstall_emits_deauthorized(wired: Simulator, receiver: Receiver) -> None:
    account = wired.install_account()
    wired.uninstall_account(account)

    await wired.deliver_pending()

    assert receiver.types() == ["account.application.authorized", "account.application.deauthorized"]


async def busy_day(sim: Simulator) -> StripeAccount:
    account = sim.install_account()
    for _ in range(8):
        customer = sim.create_customer(account)
        sim.attach_card(account, customer, Declines("insufficient_funds"))
        sim.create_failed_invoice(account, sim.create_subscription(account, customer))
    return account


async def test_deliveries_arrive_out_of_order_by_default(wired: Simulator, receiver: Receiver) -> None:
    await busy_day(wired)

    await wired.deliver_pending()

    emitted = [e["id"] for e in wired.events.events]
    received = [e.id for e in receiver.events]
    assert sorted(received) == sorted(emitted) and received != emitted


async def test_a_test_can_ask_for_order(clock: ManualClock, receiver: Receiver) -> None:
    app = Starlette(routes=[Route("/webhooks/stripe", receiver.endpoint, methods=["POST"])])
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app)) as http:
        sim = Simulator(clock, webhook_url=RECEIVER_URL, webhook_secret=WEBHOOK_SECRET,
                        http_client=http, ordered_webhooks=True, duplicate_rate=0)
        await busy_day(sim)
        await sim.deliver_pending()

    assert [e.id for e in receiver.events] == [e["id"] for e in sim.events.events]


async def test_now_and_then_an_event_arrives_twice(wired: Simulator, receiver: Receiver) -> None:
    await busy_day(wired)

    await wired.advance(timedelta(minutes=5))

    ids = [e.id for e in receiver.events]
    twice = {i for i in ids if ids.count(i) > 1}
    assert len(set(ids)) == len(wired.events.events)
    assert 0 < len(twice) < len(set(ids)) / 10


async def test_while_a_secret_rolls_both_sign_and_then_only_the_new_one(
        wired: Simulator, receiver: Receiver, clock: ManualClock) -> None:
    wired.webhooks.roll_secret(RECEIVER_URL, "whsec_new", overlap=timedelta(hours=1))
    endpoint = wired.webhooks.endpoints[0]

    wired.install_account()
    await wired.deliver_pending()
    during = endpoint.secrets(clock.now())
    clock.advance(timedelta(hours=2))

    assert receiver.events  # signed with both: the receiver still on the old secret verifies it
    assert during == ["whsec_new", WEBHOOK_SECRET]
    assert endpoint.secrets(clock.now()) == ["whsec_new"]


async def test_every_v1_entry_verifies_with_its_own_secret() -> None:
    header = signature_header('{"id": "evt_1"}', ["whsec_new", "whsec_old"], 1_700_000_000)

    for secret in ("whsec_new", "whsec_old"):
        assert stripe.WebhookSignature.verify_header('{"id": "evt_1"}', header, secret, tolerance=None)
    with pytest.raises(stripe.SignatureVerificationError):
        stripe.WebhookSignature.verify_header('{"id": "evt_1"}', header, "whsec_other", tolerance=None)


async def test_the_signature_timestamp_comes_from_one_injectable_source(clock: ManualClock) -> None:
    seen: list[str] = []

    def record(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers["stripe-signature"])
        return httpx.Response(200)

    async with httpx.AsyncClient(transport=httpx.MockTransport(record)) as http:
        sim = Simulator(clock, webhook_url=RECEIVER_URL, webhook_secret=WEBHOOK_SECRET, http_client=http,
                        webhook_stamp=lambda: 1_234_567_890)
        sim.install_account()
        await sim.deliver_pending()

    assert seen[0].startswith("t=1234567890,v1=")


async def test_pending_webhooks_counts_endpoints_not_yet_answered(
        wired: Simulator, receiver: Receiver) -> None:
    wired.webhooks.add_endpoint("http://down.test/hook", "whsec_down")
    account = wired.install_account()

    await wired.deliver_pending()

    event = wired.events.select(account=account.id)[0]
    assert receiver.events[0].pending_webhooks == 2  # as sent: nobody had answered yet
    assert event["pending_webhooks"] == 1  # the unreachable endpoint is still owed it


async def test_account_only_on_events_of_connected_accounts(wired: Simulator) -> None:
    platform = StripeAccount(wired.platform_account, False)
    connected = wired.install_account()

    wired.create_customer(platform)
    wired.create_customer(connected)

    own, theirs = [e for e in wired.events.events if e["type"] == "customer.created"]
    assert "account" not in own
    assert theirs["account"] == connected.id


async def test_finalization_waits_for_invoice_created_to_be_acknowledged(
        wired: Simulator, receiver: Receiver, clock: ManualClock) -> None:
    account = wired.install_account()
    customer = wired.create_customer(account)
    wired.attach_card(account, customer, Declines("insufficient_funds"))
    sub = wired.create_subscription(account, customer)
    renewal_at = wired.object(account, sub)["items"]["data"][0]["current_period_end"]
    await wired.advance(timedelta(seconds=renewal_at - clock.now().timestamp() - 60))
    wired.webhooks.hold()  # the endpoint is down when the renewal invoice is created
    await wired.advance(timedelta(minutes=2))
    invoice = wired.object(account, sub)["latest_invoice"]

    await wired.advance(timedelta(hours=3))
    waiting = wired.object(account, invoice)["status"]
    wired.webhooks.release()
    await wired.advance(timedelta(minutes=59))
    still_waiting = wired.object(account, invoice)["status"]
    await wired.advance(timedelta(minutes=2))

    assert (waiting, still_waiting) == ("draft", "draft")
    assert wired.object(account, invoice)["status"] == "open"
    assert wired.object(account, invoice)["attempt_count"] == 1


async def test_without_an_answer_stripe_finalizes_after_72_hours(
        wired: Simulator, receiver: Receiver, clock: ManualClock) -> None:
    account = wired.install_account()
    customer = wired.create_customer(account)
    wired.attach_card(account, customer, Declines("insufficient_funds"))
    sub = wired.create_subscription(account, customer)
    renewal_at = wired.object(account, sub)["items"]["data"][0]["current_period_end"]
    await wired.advance(timedelta(seconds=renewal_at - clock.now().timestamp() - 60))
    wired.webhooks.hold()
    await wired.advance(timedelta(minutes=2))
    invoice = wired.object(account, sub)["latest_invoice"]

    await wired.advance(timedelta(hours=71))
    before = wired.object(account, invoice)["status"]
    await wired.advance(timedelta(hours=1, minutes=1))

    assert before == "draft" and wired.object(account, invoice)["status"] == "open"
