"""SMS through the merchant's Twilio account: credentials in Stripe's Secret Store, three short texts."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
import respx

from backend.adapters.sms import TwilioSms
from backend.services.outreach_ports import (
    DeliveryRefused,
    DeliveryUnavailable,
    SmsCredentials,
    SmsCredentialsRejected,
)
from backend.simulator.behaviours import Declines
from tests.builders import dashboard_signature
from tests.outreach.journey import failed_invoice, messages
from tests.web.test_recovery_api import USER, signed_get

SID = "AC" + "a1" * 16
TOKEN = "f0" * 16
CREDENTIALS = SmsCredentials(SID, TOKEN, "+4915112345678")
MESSAGES_URL = f"https://api.twilio.com/2010-04-01/Accounts/{SID}/Messages.json"
ACCOUNT_URL = f"https://api.twilio.com/2010-04-01/Accounts/{SID}.json"


@respx.mock
async def test_a_text_is_posted_to_twilio_with_the_merchants_credentials() -> None:
    route = respx.post(MESSAGES_URL).respond(201, json={"sid": "SM123"})

    sid = await TwilioSms().send_sms(CREDENTIALS, "+33612345678", "Hello")

    sent = route.calls.last.request
    assert sid == "SM123"
    assert parse_qs(sent.content.decode()) == {"To": ["+33612345678"], "From": ["+4915112345678"], "Body": ["Hello"]}
    assert sent.headers["authorization"] == httpx.BasicAuth(SID, TOKEN)._auth_header


@pytest.mark.parametrize(("status", "body", "error"), [
    (401, {"code": 20003, "message": "Authenticate"}, SmsCredentialsRejected),
    (400, {"code": 21211, "message": "Invalid 'To' Phone Number"}, DeliveryRefused),
    (503, {"code": 20500, "message": "Service unavailable"}, DeliveryUnavailable),
])
@respx.mock
async def test_twilio_refusals_are_told_apart(status: int, body: dict, error: type[Exception]) -> None:
    respx.post(MESSAGES_URL).respond(status, json=body)

    with pytest.raises(error):
        await TwilioSms().send_sms(CREDENTIALS, "+33612345678", "Hello")


def put_credentials(client, stack, account_id: str, credentials: dict):
    return client.put("/api/v1/sms/credentials",
                      json={"user_id": USER, "account_id": account_id, "mode": "test", "credentials": credentials},
                      headers=dashboard_signature(USER, account_id, timestamp=int(stack.clock.now().timestamp())))


FORM = {"account_sid": SID, "auth_token": TOKEN, "from_number": "+4915112345678"}


async def test_settings_store_checked_credentials_in_the_secret_store_only(stack, client):
    account = await stack.install()

    with respx.mock(assert_all_called=False) as twilio:
        twilio.get(ACCOUNT_URL).respond(200, json={"sid": SID, "status": "active"})
        saved = await put_credentials(client, stack, account.id, FORM)
    shown = await client.get("/api/v1/sms/credentials", **signed_get(account.id, stack))

    assert saved.status_code == 200
    assert shown.json() == {"configured": True, "account_sid": f"AC…{SID[-4:]}", "from_number": "+4915112345678"}
    assert TOKEN not in shown.text
    assert TOKEN in str(stack.sim.state(account).secrets)
    async with stack.uow_factory() as uow:
        assert TOKEN not in str(await uow.settings.get(account))


async def test_wrong_credentials_show_on_settings_and_nothing_is_stored(stack, client):
    account = await stack.install()

    with respx.mock(assert_all_called=False) as twilio:
        twilio.get(ACCOUNT_URL).respond(401, json={"code": 20003, "message": "Authenticate"})
        refused = await put_credentials(client, stack, account.id, FORM)
    malformed = await put_credentials(client, stack, account.id, {**FORM, "account_sid": "nope"})

    assert refused.status_code == 422 and refused.json()["error"]["field"] == "auth_token"
    assert malformed.status_code == 422 and malformed.json()["error"]["field"] == "account_sid"
    assert not stack.sim.state(account).secrets


async def test_at_most_three_short_texts_from_day_seven(stack, client):
    account = await stack.install({"sms_enabled": True, "brand_name": "Demo Coffee Club"})
    with respx.mock(assert_all_called=False) as twilio:
        twilio.get(ACCOUNT_URL).respond(200, json={"sid": SID})
        await put_credentials(client, stack, account.id, FORM)
        texts = twilio.post(MESSAGES_URL).respond(201, json={"sid": "SM1"})
        customer, invoice = await failed_invoice(stack, account, Declines("do_not_honor"))
        stack.sim.state(account).get(customer, "customer")["phone"] = "+4915199999999"

        await stack.advance(timedelta(days=29), step=timedelta(hours=3))

    recovery = await stack.recovery(account, invoice)
    sms = [m for m in await messages(stack, recovery.id) if m.channel == "sms"]
    bodies = [parse_qs(call.request.content.decode())["Body"][0] for call in texts.calls]
    assert [m.status for m in sms] == ["sent"] * 3
    assert min(m.sent_at for m in sms) >= recovery.started_at + timedelta(days=7)
    assert len(bodies) == 3 and all(len(body) <= 160 for body in bodies)
    short = urlsplit(bodies[0].rsplit(" ", 1)[-1]).path
    opened = await client.get(short)
    assert short.startswith("/s/msg_") and opened.status_code == 303
    assert urlsplit(opened.headers["location"]).path.startswith("/r/")
