"""The Dashboard door: only signed requests, only the signer's own account, clear errors."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest

from backend.domain.billing import StripeAccount
from backend.services.records import JobStatus, NewJob
from backend.web.api import ROUTES
from tests.builders import dashboard_signature, install_event, webhook_request
from tests.conftest import OLD_APP_SECRET, START

ACCOUNT_A = "acct_1AAAA"
ACCOUNT_B = "acct_1BBBB"
USER = "usr_1Admin"


async def install(client: httpx.AsyncClient, account: str) -> None:
    body, headers = webhook_request(install_event(account, created=START))
    assert (await client.post("/webhooks/stripe", content=body, headers=headers)).status_code == 200


def identity(account: str, user: str = USER) -> dict[str, str]:
    return {"user_id": user, "account_id": account, "mode": "test"}


async def get_settings(client: httpx.AsyncClient, account: str, **signature: object) -> httpx.Response:
    return await client.get("/api/v1/settings", params=identity(account),
                            headers=dashboard_signature(USER, account, **signature))  # type: ignore[arg-type]


async def put_settings(client: httpx.AsyncClient, account: str, changes: object,
                       signed_for: str | None = None, at: int | None = None) -> httpx.Response:
    return await client.put("/api/v1/settings", json={**identity(account), "settings": changes},
                            headers=dashboard_signature(USER, signed_for or account, timestamp=at))


async def test_settings_round_trip(client):
    await install(client, ACCOUNT_A)

    saved = await put_settings(client, ACCOUNT_A, {"enabled": True, "max_retries": 4,
                                                   "subscription_action": "cancel_at_period_end",
                                                   "brand_color": "#112233", "reply_to": "billing@shop.test"})
    read = await get_settings(client, ACCOUNT_A)

    assert saved.status_code == 200
    assert read.status_code == 200
    settings = read.json()["settings"]
    assert settings["enabled"] is True
    assert settings["max_retries"] == 4
    assert settings["subscription_action"] == "cancel_at_period_end"
    assert settings["brand_color"] == "#112233"
    assert settings["dunning_days"] == 28  # untouched fields keep their values


@pytest.mark.parametrize(("changes", "field"), [
    ({"max_retries": 0}, "max_retries"),
    ({"max_retries": 11}, "max_retries"),
    ({"max_retries": "6"}, "max_retries"),
    ({"max_retries": True}, "max_retries"),
    ({"dunning_days": 6}, "dunning_days"),
    ({"dunning_days": 61}, "dunning_days"),
    ({"enabled": "yes"}, "enabled"),
    ({"subscription_action": "delete"}, "subscription_action"),
    ({"invoice_action": "refund"}, "invoice_action"),
    ({"cancel_delay_days": 61}, "cancel_delay_days"),
    ({"cancel_delay_hours": 24}, "cancel_delay_hours"),
    ({"subscription_action": "cancel_after_delay"}, "cancel_delay_days"),
    ({"brand_color": "red"}, "brand_color"),
    ({"brand_name": "x" * 61}, "brand_name"),
    ({"reply_to": "not-an-address"}, "reply_to"),
    ({"favourite_colour": "blue"}, "favourite_colour"),
    ({"enabled": True, "max_retries": 99}, "max_retries"),
])
async def test_an_invalid_setting_is_refused_naming_the_field_and_nothing_is_saved(client, changes, field):
    await install(client, ACCOUNT_A)

    response = await put_settings(client, ACCOUNT_A, changes)

    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid_setting"
    assert error["field"] == field
    assert error["message"]
    assert (await get_settings(client, ACCOUNT_A)).json()["settings"]["enabled"] is False


async def test_settings_that_are_not_an_object_are_refused(client):
    await install(client, ACCOUNT_A)

    response = await put_settings(client, ACCOUNT_A, ["enabled"])

    assert response.status_code == 422
    assert response.json()["error"]["field"] == "settings"


async def test_an_unsigned_request_is_unauthorised(client):
    await install(client, ACCOUNT_A)

    response = await client.get("/api/v1/settings", params=identity(ACCOUNT_A))

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_signature"


async def test_a_stale_signature_is_unauthorised(client):
    await install(client, ACCOUNT_A)

    response = await get_settings(client, ACCOUNT_A, timestamp=int(START.timestamp()) - 301)

    assert response.status_code == 401


async def test_the_previous_app_secret_still_works_during_rotation(client):
    await install(client, ACCOUNT_A)

    response = await get_settings(client, ACCOUNT_A, secret=OLD_APP_SECRET)

    assert response.status_code == 200


async def test_a_signature_for_another_user_does_not_authorise_this_one(client):
    await install(client, ACCOUNT_A)

    response = await client.get("/api/v1/settings", params=identity(ACCOUNT_A, user="usr_2Intruder"),
                                headers=dashboard_signature(USER, ACCOUNT_A))

    assert response.status_code == 401


async def test_a_request_signed_for_account_b_can_never_change_account_a(client):
    await install(client, ACCOUNT_A)
    await install(client, ACCOUNT_B)

    response = await put_settings(client, ACCOUNT_A, {"enabled": True}, signed_for=ACCOUNT_B)
    read_attempt = await client.get("/api/v1/settings", params=identity(ACCOUNT_A),
                                    headers=dashboard_signature(USER, ACCOUNT_B))

    assert response.status_code == 401
    assert read_attempt.status_code == 401
    assert (await get_settings(client, ACCOUNT_A)).json()["settings"]["enabled"] is False


async def test_changes_by_account_b_stay_in_account_b(client):
    await install(client, ACCOUNT_A)
    await install(client, ACCOUNT_B)

    await put_settings(client, ACCOUNT_B, {"enabled": True, "max_retries": 2})

    assert (await get_settings(client, ACCOUNT_A)).json()["settings"]["max_retries"] == 6
    assert (await get_settings(client, ACCOUNT_B)).json()["settings"]["max_retries"] == 2


async def test_an_account_that_never_installed_gets_not_found(client):
    response = await get_settings(client, ACCOUNT_A)

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "account_not_installed"


async def test_a_body_without_identity_is_a_bad_request(client):
    response = await client.put("/api/v1/settings", json={"settings": {}},
                                headers=dashboard_signature(USER, ACCOUNT_A))

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "missing_identity"


async def test_a_non_json_body_is_a_bad_request(client):
    response = await client.put("/api/v1/settings", content=b"enabled=true",
                                headers=dashboard_signature(USER, ACCOUNT_A))

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_json"


async def test_cors_preflight_is_answered_for_the_sandboxed_extension(client):
    response = await client.options("/api/v1/settings", headers={
        "Origin": "null", "Access-Control-Request-Method": "PUT",
        "Access-Control-Request-Headers": "stripe-signature, content-type"})

    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == "*"
    assert "stripe-signature" in response.headers["access-control-allow-headers"].lower()


async def test_answers_carry_the_cors_header_the_extension_needs(client):
    await install(client, ACCOUNT_A)

    ok = await client.get("/api/v1/settings", params=identity(ACCOUNT_A),
                          headers={"Origin": "null", **dashboard_signature(USER, ACCOUNT_A)})
    refused = await client.get("/api/v1/settings", params=identity(ACCOUNT_A), headers={"Origin": "null"})

    assert ok.headers["access-control-allow-origin"] == "*"
    assert refused.headers["access-control-allow-origin"] == "*"


async def test_every_dashboard_route_refuses_unsigned_requests(client):
    await install(client, ACCOUNT_A)
    for route in ROUTES:
        for method in sorted(set(route.methods or ()) - {"HEAD", "OPTIONS"}):
            path = route.path.replace("{invoice_id}", "in_1")
            if method == "GET":
                response = await client.get(path, params=identity(ACCOUNT_A))
            else:
                response = await client.request(method, path, json={**identity(ACCOUNT_A), "action": "pause"})
            assert response.status_code == 401, f"{method} {route.path} answered {response.status_code}"


async def test_switching_recovery_off_pauses_pending_jobs_and_on_resumes_them(client, uow_factory, clock):
    await install(client, ACCOUNT_A)
    await put_settings(client, ACCOUNT_A, {"enabled": True})
    account = StripeAccount(ACCOUNT_A, False)
    async with uow_factory() as uow:
        await uow.jobs.enqueue(NewJob(kind="pay_invoice", account=account, run_at=START + timedelta(hours=1),
                                      dedupe_key="pay:1"), START)
        await uow.commit()

    await put_settings(client, ACCOUNT_A, {"enabled": False})
    clock.advance(timedelta(hours=2))
    async with uow_factory() as uow:
        paused_claim = await uow.jobs.claim_due(clock.now(), owner="w", lease=timedelta(minutes=5), limit=10)
        await uow.commit()
    await put_settings(client, ACCOUNT_A, {"enabled": True})
    async with uow_factory() as uow:
        resumed_claim = await uow.jobs.claim_due(clock.now(), owner="w", lease=timedelta(minutes=5), limit=10)
        counts = await uow.jobs.count_by_status()

    assert paused_claim == []
    assert [job.dedupe_key for job in resumed_claim] == ["pay:1"]
    assert counts == {str(JobStatus.RUNNING): 1}
