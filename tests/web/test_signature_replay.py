"""A signature is about one moment of real time: it cannot be revived, reshaped or read twice."""

from __future__ import annotations

import json
import time
from datetime import timedelta

import httpx
import stripe
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from backend.adapters.clock import ManualClock
from backend.config import load_config
from backend.domain.billing import StripeAccount
from backend.runtime import build_service
from backend.simulator.simulator import Simulator
from tests.builders import dashboard_signature, install_event, webhook_request
from tests.conftest import APP_SECRET, START, WEBHOOK_SECRET

ACCOUNT = "acct_1Replayed"
USER = "usr_1Replayer"
NOW = int(START.timestamp())
MONTH_AGO = NOW - 30 * 86_400
DAY_AGO = NOW - 86_400


def _v1(payload: str, secret: str, timestamp: int) -> str:
    header = stripe.WebhookSignature.generate_signature_header(payload, secret, timestamp=timestamp)
    return header.split(",v1=")[1]


def _identity_payload(account_id: str = ACCOUNT) -> str:
    return json.dumps({"user_id": USER, "account_id": account_id}, separators=(",", ":"))


def revived(payload: str, secret: str, old: int) -> str:
    """The header from the attack: a fresh t= in front of an old one and the old one's valid HMAC."""
    return f"x, t={NOW},t={old},v1={_v1(payload, secret, old)}"


async def installed(client: httpx.AsyncClient) -> None:
    body, headers = webhook_request(install_event(ACCOUNT, created=START))
    assert (await client.post("/webhooks/stripe", content=body, headers=headers)).status_code == 200


async def test_a_month_old_dashboard_signature_cannot_be_revived_with_a_fresh_timestamp(client):
    await installed(client)
    header = revived(_identity_payload(), APP_SECRET, MONTH_AGO)

    response = await client.get("/api/v1/settings", params={"user_id": USER, "account_id": ACCOUNT},
                                headers={"Stripe-Signature": header})

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_signature"


async def test_a_revived_signature_cannot_pause_a_recovery(client):
    await installed(client)
    header = revived(_identity_payload(), APP_SECRET, MONTH_AGO)

    response = await client.post("/api/v1/invoices/in_1Victim/recovery/actions",
                                 json={"user_id": USER, "account_id": ACCOUNT, "action": "pause"},
                                 headers={"Stripe-Signature": header})

    assert response.status_code == 401


async def test_a_webhook_signed_a_day_ago_cannot_be_revived(client, uow_factory):
    body = json.dumps(install_event(ACCOUNT, created=START))
    header = revived(body, WEBHOOK_SECRET, DAY_AGO)

    response = await client.post("/webhooks/stripe", content=body, headers={"Stripe-Signature": header})

    assert response.status_code == 400
    async with uow_factory() as uow:
        assert await uow.accounts.get(StripeAccount(ACCOUNT, False)) is None


async def test_two_different_timestamps_are_refused_even_when_both_are_fresh(client):
    await installed(client)
    payload = _identity_payload()
    header = f"t={NOW},t={NOW - 1},v1={_v1(payload, APP_SECRET, NOW - 1)}"

    response = await client.get("/api/v1/settings", params={"user_id": USER, "account_id": ACCOUNT},
                                headers={"Stripe-Signature": header})

    assert response.status_code == 401
    assert "exactly one timestamp" in response.json()["error"]["message"]


async def test_a_malformed_element_is_refused(client):
    await installed(client)
    good = dashboard_signature(USER, ACCOUNT)["Stripe-Signature"]

    for header in (f" {good}", f"{good},", f"{good},garbage", good.replace("v1=", "v1 ="), good.replace(",", ", ")):
        response = await client.get("/api/v1/settings", params={"user_id": USER, "account_id": ACCOUNT},
                                    headers={"Stripe-Signature": header})

        assert response.status_code == 401, header


async def test_a_signature_from_the_future_is_refused(client):
    await installed(client)

    response = await client.get("/api/v1/settings", params={"user_id": USER, "account_id": ACCOUNT},
                                headers=dashboard_signature(USER, ACCOUNT, timestamp=NOW + 301))

    assert response.status_code == 401


async def test_the_simulator_signs_each_delivery_at_real_time_while_the_event_keeps_simulated_time():
    simulated = ManualClock(START - timedelta(days=30))
    received: list[stripe.Event] = []

    async def receiver(request: Request) -> Response:
        # stripe-python's own check: default tolerance, measured on the wall clock.
        received.append(stripe.Webhook.construct_event(await request.body(), request.headers["stripe-signature"],
                                                       WEBHOOK_SECRET))
        return Response(status_code=200)

    app = Starlette(routes=[Route("/webhooks/stripe", receiver, methods=["POST"])])
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app)) as http:
        sim = Simulator(simulated, webhook_url="http://recoup.test/webhooks/stripe", webhook_secret=WEBHOOK_SECRET,
                        http_client=http)
        sim.install_account()

        delivered = await sim.deliver_pending()

    assert delivered == 1
    assert received[0].created == int(simulated.now().timestamp())


async def test_the_demo_accepts_a_webhook_signed_at_real_time(tmp_path):
    config = load_config({"DATABASE_URL": f"sqlite:///{tmp_path}/demo.db", "SCHEDULER_ENABLED": "false"})
    app = build_service(config)
    body, headers = webhook_request(install_event(ACCOUNT, created=START), secret=config.webhook_secrets[0],
                                    timestamp=int(time.time()))

    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://demo") as http:
            response = await http.post("/webhooks/stripe", content=body, headers=headers)

    assert response.status_code == 200, response.text
    assert response.json()["outcome"] == "installed"
