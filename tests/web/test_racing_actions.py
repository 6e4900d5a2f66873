"""Merchants clicking at once: the first click wins, every other one is told so (409), never a 500."""

from __future__ import annotations

import asyncio
from collections import Counter

from sqlalchemy import func, select

from backend.adapters.db.tables import RecoveryRow
from backend.simulator.behaviours import Declines
from tests.builders import dashboard_signature
from tests.scenarios.test_recovery_flows import failed_subscription_invoice

USER = "usr_1Clicker"


async def act(client, account_id: str, invoice_id: str, action: str):
    return await client.post(f"/api/v1/invoices/{invoice_id}/recovery/actions",
                             json={"user_id": USER, "account_id": account_id, "action": action},
                             headers=dashboard_signature(USER, account_id))


async def test_ten_parallel_enrols_of_one_invoice_make_one_recovery_and_nine_conflicts(client, stack, engine):
    account = await stack.install({"enabled": False})
    _customer, _card, _sub, invoice = await failed_subscription_invoice(stack, account, Declines("generic_decline"))
    await client.put("/api/v1/settings", json={"user_id": USER, "account_id": account.id,
                                               "settings": {"enabled": True}},
                     headers=dashboard_signature(USER, account.id))

    responses = await asyncio.gather(*[act(client, account.id, invoice, "enrol") for _ in range(10)])

    assert Counter(r.status_code for r in responses) == {200: 1, 409: 9}
    assert {r.json()["error"]["code"] for r in responses if r.status_code == 409} == {"conflict"}
    async with engine.connect() as connection:
        rows = (await connection.execute(select(func.count()).select_from(RecoveryRow))).scalar_one()
    assert rows == 1


async def test_thirty_parallel_pause_resume_and_retry_clicks_answer_200_or_409_only(client, stack):
    account = await stack.install()
    _customer, _card, _sub, invoice = await failed_subscription_invoice(stack, account, Declines("generic_decline"))
    actions = ["pause", "resume", "retry_now"] * 10

    responses = await asyncio.gather(*[act(client, account.id, invoice, action) for action in actions])

    assert {r.status_code for r in responses} <= {200, 409}
    assert any(r.status_code == 200 for r in responses)
    for conflict in (r for r in responses if r.status_code == 409):
        assert conflict.json()["error"]["code"] == "conflict" and conflict.json()["error"]["message"]
    assert (await stack.recovery(account, invoice)).status in ("scheduled", "paused")
