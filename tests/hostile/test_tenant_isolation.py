"""Account B's valid signature, aimed at account A's objects on every route: 404 (or A's data unseen), A untouched."""

from __future__ import annotations

from typing import Any

import httpx
from hypothesis import event, given
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from backend.adapters.db.tables import AccountSettingsRow, JobRow, RecoveryRow
from backend.simulator.behaviours import Declines
from backend.web import takeover_api
from backend.web.api import ROUTES
from tests.builders import dashboard_signature
from tests.hostile.conftest import HOSTILE
from tests.scenarios.test_recovery_flows import failed_subscription_invoice

USER_B = "usr_1Intruder"
ROUTE_METHODS = sorted((route.path, method) for route in [*ROUTES, *takeover_api.ROUTES]
                       for method in route.methods or () if method != "HEAD")
ACTIONS = ["retry_now", "pause", "resume", "stop", "enrol"]


async def rows_of(engine: AsyncEngine, account_id: str) -> list[Any]:
    """Everything stored for one account: its recoveries, settings and jobs."""
    found: list[Any] = []
    async with engine.connect() as connection:
        for table in (RecoveryRow, AccountSettingsRow, JobRow):
            result = await connection.execute(select(table).where(table.account_id == account_id))  # type: ignore[attr-defined]
            found.extend(sorted(tuple(row) for row in result.all()))
    return found


async def send(client: httpx.AsyncClient, path: str, method: str, signed_for: str, claimed: str,
               invoice: str, action: str) -> httpx.Response:
    path = path.replace("{invoice_id}", invoice)
    headers = dashboard_signature(USER_B, signed_for)
    fields = {"user_id": USER_B, "account_id": claimed, "mode": "test"}
    if method == "GET":
        return await client.get(path, params=fields, headers=headers)
    body = {**fields, "action": action, "settings": {"brand_name": "Hijacked", "max_retries": 2}}
    return await client.request(method, path, json=body, headers=headers)


@HOSTILE
@given(route=st.sampled_from(ROUTE_METHODS), action=st.sampled_from(ACTIONS),
       claim_a=st.booleans())
async def test_account_b_cannot_read_or_change_account_a(client, stack, engine, route, action, claim_a):
    if not hasattr(stack, "victim"):
        a = await stack.install({"brand_name": "Account A"})
        b = await stack.install()
        _customer, _card, _sub, invoice = await failed_subscription_invoice(stack, a, Declines("generic_decline"))
        stack.victim = (a, b, invoice)  # built once per database, shared by every generated case
    a, b, invoice = stack.victim
    before = await rows_of(engine, a.id)
    path, method = route
    # Either B's signature with A's account id claimed (forged identity), or B's own identity on A's invoice.
    claimed = a.id if claim_a else b.id

    response = await send(client, path, method, b.id, claimed, invoice, action)

    event(f"{method} {path} {'claiming A' if claim_a else 'as B'}: {response.status_code}")
    assert await rows_of(engine, a.id) == before
    if claim_a:
        assert response.status_code == 401
    elif "{invoice_id}" in path and method == "GET":
        assert response.json() in ({"recovery": None}, {"entries": []})  # nothing of A's invoice
    elif "{invoice_id}" in path:
        assert response.status_code == 404
    else:
        assert "Account A" not in response.text and invoice not in response.text

