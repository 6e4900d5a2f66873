"""The bodies that were JSON but hostile: each is a 4xx with the error shape, and nothing is stored."""

from __future__ import annotations

import json

import pytest

from tests.builders import dashboard_signature
from tests.hostile.support import (
    ACCOUNT,
    USER,
    assert_client_error,
    assert_no_traceback,
    failed_event,
    failed_invoice,
    install_and_enable,
    post_signed_webhook,
    snapshot,
)

DEEP = "[" * 2000 + "]" * 2000


def _event_text(**invoice_changes: object) -> str:
    return json.dumps(failed_event({**failed_invoice(), **invoice_changes}))


WEBHOOK_BODIES = {
    "nesting 2,000 deep": json.dumps(failed_event())[:-1] + f', "deep": {DEEP}}}',
    "a 5,000-digit number": _event_text().replace('"amount_due": 2500', '"amount_due": 1' + "0" * 5000),
    "NaN": _event_text().replace('"amount_due": 2500', '"amount_due": NaN'),
    "Infinity": _event_text().replace('"amount_due": 2500', '"amount_due": Infinity'),
    "created of 1e400": json.dumps(failed_event()).replace(f'"created": {failed_event()["created"]}',
                                                           '"created": 1e400', 1),
    "parent as a string": _event_text(parent="sub_1Hostile"),
    "an id that is a list": _event_text(id=["in_1Hostile"]),
    "an id that is an object": _event_text(id={"id": "in_1Hostile"}),
    "an event id that is an object": json.dumps(failed_event(id={"evil": True})),
    "an id longer than its column": _event_text(id="in_" + "x" * 400),
    "a currency longer than its column": _event_text(currency="u" * 40),
    "a NUL byte in an id": _event_text(customer="cus_1\u0000"),
    "a NUL byte in the event type": json.dumps(failed_event(type="invoice.payment_failed\u0000")),
    "a negative amount": _event_text(amount_due=-2500),
    "a fractional amount": _event_text(amount_due=25.5),
    "an amount past 64 bits": _event_text(amount_due=2**63),
    "an unknown invoice status": json.dumps(failed_event(type="invoice.voided")).replace('"open"', '"bogus"'),
    "an id with a trailing newline": _event_text(id="in_1Hostile\n"),
    "an account id that is not an account": json.dumps(failed_event(account="cus_1Hostile")),
    "livemode as a string": json.dumps(failed_event(livemode="false")),
}


@pytest.mark.parametrize("body", WEBHOOK_BODIES.values(), ids=WEBHOOK_BODIES.keys())
async def test_a_hostile_but_signed_webhook_is_refused_and_nothing_is_stored(client, engine, caplog, body):
    await install_and_enable(client)
    before = await snapshot(engine)

    response = await post_signed_webhook(client, body)

    assert_client_error(response, 400)
    assert await snapshot(engine) == before
    assert_no_traceback(caplog.records)


DASHBOARD_BODIES = {
    "nesting 2,000 deep": '{"user_id": "usr_1Hostile", "account_id": "acct_1Hostile", "x": ' + DEEP + "}",
    "a 5,000-digit number": '{"user_id": "usr_1Hostile", "account_id": "acct_1Hostile", "x": 1' + "0" * 5000 + "}",
    "NaN": '{"user_id": "usr_1Hostile", "account_id": "acct_1Hostile", "settings": {"max_retries": NaN}}',
    "user_id as a list": '{"user_id": ["usr_1Hostile"], "account_id": "acct_1Hostile"}',
    "account_id as an object": '{"user_id": "usr_1Hostile", "account_id": {"id": "acct_1Hostile"}}',
    "a NUL byte in the account id": '{"user_id": "usr_1Hostile", "account_id": "acct_1Hostile\\u0000"}',
    "an account id with a newline": '{"user_id": "usr_1Hostile", "account_id": "acct_1Hostile\\n"}',
}


@pytest.mark.parametrize("body", DASHBOARD_BODIES.values(), ids=DASHBOARD_BODIES.keys())
async def test_a_hostile_dashboard_body_is_refused_before_the_signature_is_even_checked(client, engine, caplog,
                                                                                        body):
    await install_and_enable(client)
    before = await snapshot(engine)

    response = await client.put("/api/v1/settings", content=body.encode(),
                                headers={**dashboard_signature(USER, ACCOUNT), "Content-Type": "application/json"})

    assert_client_error(response, 400)
    assert await snapshot(engine) == before
    assert_no_traceback(caplog.records)


SETTINGS_CHANGES = {
    "a 4,000-digit retry count": {"max_retries": int("9" * 4000)},
    "a float retry count": {"max_retries": 6.5},
    "a list for a switch": {"enabled": [True]},
    "an object for the brand name": {"brand_name": {"text": "Acme"}},
    "a 5,000-character brand name": {"brand_name": "A" * 5000},
}


@pytest.mark.parametrize("changes", SETTINGS_CHANGES.values(), ids=SETTINGS_CHANGES.keys())
async def test_a_signed_but_invalid_settings_change_names_the_field_and_saves_nothing(client, engine, caplog,
                                                                                      changes):
    await install_and_enable(client)
    before = await snapshot(engine)

    response = await client.put("/api/v1/settings",
                                json={"user_id": USER, "account_id": ACCOUNT, "settings": changes},
                                headers=dashboard_signature(USER, ACCOUNT))

    assert assert_client_error(response, 422)["field"] == next(iter(changes))
    assert await snapshot(engine) == before
    assert_no_traceback(caplog.records)
