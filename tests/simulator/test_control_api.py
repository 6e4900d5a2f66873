"""The /_sim/ control API and the Stripe API served together by the ASGI app."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from backend.simulator import Simulator


@pytest.fixture
async def app_client(sim: Simulator) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(sim.asgi_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://sim.local") as http:
        yield http


async def test_scenario_builds_accounts_customers_and_failed_invoices(
        app_client: httpx.AsyncClient, sim: Simulator) -> None:
    response = await app_client.post("/_sim/scenarios", json={
        "customers": 20, "accounts": 2, "seed": 3, "smart_retries": True})

    body = response.json()
    assert response.status_code == 200
    assert len(body["accounts"]) == 2 and len(body["customers"]) == 40
    assert len(body["invoices"]) == 40 and sum(body["behaviours"].values()) == 40
    installs = sim.events.select(type_="account.application.authorized")
    assert {e["account"] for e in installs} == set(body["accounts"])


async def test_stripe_api_is_served_by_the_same_app(app_client: httpx.AsyncClient) -> None:
    built = (await app_client.post("/_sim/scenarios", json={"customers": 1, "seed": 1})).json()
    invoice = built["invoices"][0]

    response = await app_client.get(f"/v1/invoices/{invoice}", headers={
        "Authorization": "Bearer sk_test_x", "Stripe-Account": built["accounts"][0]})

    assert response.status_code == 200 and response.json()["status"] == "open"
    assert response.headers["request-id"].startswith("req_")


async def test_clock_advance_processes_what_became_due(app_client: httpx.AsyncClient) -> None:
    await app_client.post("/_sim/scenarios", json={
        "customers": 5, "seed": 2, "failure_mix": {"recovers_later": 1.0}})
    before = (await app_client.get("/_sim/clock")).json()["now"]

    moved = (await app_client.post("/_sim/clock", json={"advance_seconds": 86400 * 10})).json()
    listed = (await app_client.get("/_sim/events", params={"type": "invoice.paid"})).json()["data"]

    assert moved["now"] > before and moved["steps"] > 0
    assert len(listed) >= 5 + 5  # five signups, then the five recovered renewals


async def test_clock_to_rejects_the_past(app_client: httpx.AsyncClient) -> None:
    response = await app_client.post("/_sim/clock", json={"to": "2000-01-01T00:00:00+00:00"})

    assert response.status_code == 400


async def test_card_behaviour_checkout_and_faults_via_control_api(
        app_client: httpx.AsyncClient, sim: Simulator) -> None:
    built = (await app_client.post("/_sim/scenarios", json={"customers": 1, "seed": 5})).json()
    row = built["customers"][0]
    headers = {"Authorization": "Bearer sk_test_x", "Stripe-Account": row["account"]}

    await app_client.post(f"/_sim/cards/{row['payment_method']}/behaviour", json={
        "account": row["account"], "behaviour": {"type": "declines", "decline_code": "do_not_honor"}})
    session = (await app_client.post("/v1/checkout/sessions", headers=headers, data={
        "mode": "setup", "customer": row["customer"], "currency": "usd",
        "success_url": "https://x.test/ok"})).json()
    completed = (await app_client.post(f"/_sim/checkout_sessions/{session['id']}/complete", json={
        "account": row["account"], "behaviour": "succeeds", "set_default": True})).json()
    await app_client.post("/_sim/faults", json={"status": 503, "count": 1})
    faulted = await app_client.get("/v1/invoices", headers=headers)
    paid = await app_client.post(f"/v1/invoices/{row['invoice']}/pay", headers=headers)

    assert completed["payment_method"].startswith("pm_")
    assert faulted.status_code == 503 and faulted.json()["error"]["type"] == "api_error"
    assert paid.status_code == 200 and paid.json()["status"] == "paid"


async def test_events_list_shows_delivery_status(clock, sim: Simulator) -> None:
    sim.webhooks.add_endpoint("http://receiver.test/hook", "whsec_x")
    sim.install_account()
    app = sim.asgi_app()
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://s") as http:
        sim.webhooks.hold()
        listed = (await http.get("/_sim/events")).json()["data"]

    assert listed[0]["type"] == "account.application.authorized"
    assert listed[0]["deliveries"][0]["status"] == "pending"


async def test_background_task_delivers_in_server_mode(clock) -> None:
    import asyncio

    received: list[bytes] = []

    def record(request: httpx.Request) -> httpx.Response:
        received.append(request.content)
        return httpx.Response(200)

    async with httpx.AsyncClient(transport=httpx.MockTransport(record)) as http:
        sim = Simulator(clock, webhook_url="http://r.test/h", webhook_secret="whsec_x", http_client=http)
        app = sim.asgi_app(background_interval=0.01)
        async with app.router.lifespan_context(app):
            sim.install_account()
            for _ in range(100):
                if received:
                    break
                await asyncio.sleep(0.01)

    assert len(received) == 1
