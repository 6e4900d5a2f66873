"""`python -m backend api …`: an operator calls the Dashboard API without writing a signer."""

from __future__ import annotations

import httpx

from backend.dashboard_client import DashboardRequest, send
from tests.builders import APP_SECRET


async def test_a_signed_request_is_accepted_and_answers_for_that_account(client, stack):
    account = await stack.install()

    response = await send(client, DashboardRequest("GET", "/api/v1/overview", account.id), APP_SECRET,
                          stack.clock.now())

    assert response.status_code == 200
    assert response.json()["active_count"] == 0


async def test_a_write_carries_the_identity_in_its_body(client, stack):
    account = await stack.install()

    response = await send(client, DashboardRequest("PUT", "/api/v1/settings", account.id,
                                                   data={"settings": {"max_retries": 3}}),
                          APP_SECRET, stack.clock.now())

    assert response.status_code == 200
    assert response.json()["settings"]["max_retries"] == 3


async def test_the_wrong_secret_is_refused(client: httpx.AsyncClient, stack):
    account = await stack.install()

    response = await send(client, DashboardRequest("GET", "/api/v1/overview", account.id), "absec_wrong",
                          stack.clock.now())

    assert response.status_code == 401
