"""Generated webhook bodies, correctly signed: never a 5xx, never a half-stored event."""

from __future__ import annotations

from hypothesis import event, given

from tests.hostile.conftest import HOSTILE
from tests.hostile.strategies import base_event, hostile_events
from tests.hostile.support import (
    ACCOUNT,
    assert_client_error,
    assert_no_traceback,
    install_and_enable,
    post_signed_webhook,
    snapshot,
)


@HOSTILE
@given(body=hostile_events(base_event(ACCOUNT)))
async def test_a_signed_body_is_either_applied_or_refused_with_nothing_stored(client, engine, caplog, body):
    if not (await snapshot(engine))["account"]:
        await install_and_enable(client)
    before = await snapshot(engine)
    caplog.clear()

    response = await post_signed_webhook(client, body)

    event(f"answered {response.status_code}")
    assert response.status_code < 500
    if response.status_code != 200:
        assert_client_error(response, 400)
        assert await snapshot(engine) == before
    assert_no_traceback(caplog.records)
