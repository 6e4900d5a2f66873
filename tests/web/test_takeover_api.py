"""Starting a takeover from Settings and following it: validated input, one at a time, the caller's account only."""

from __future__ import annotations

import httpx
import pytest
from sqlmodel import func, select

from backend.adapters.db.tables import JobRow, TakeoverRow
from backend.domain.billing import StripeAccount
from backend.jobs.kinds import JobKind
from backend.simulator.behaviours import Declines
from tests.builders import dashboard_signature
from tests.harness import Stack

USER = "usr_1Admin"


def identity(account: StripeAccount) -> dict[str, str]:
    return {"user_id": USER, "account_id": account.id, "mode": "test"}


async def start(client: httpx.AsyncClient, account: StripeAccount, **body: object) -> httpx.Response:
    return await client.post("/api/v1/takeover", json={**identity(account), **body},
                             headers=dashboard_signature(USER, account.id))


async def progress(client: httpx.AsyncClient, account: StripeAccount) -> httpx.Response:
    return await client.get("/api/v1/takeover", params=identity(account), headers=dashboard_signature(USER, account.id))


async def stored(stack: Stack) -> tuple[int, int]:
    async with stack.uow_factory() as uow:
        session = uow._session  # noqa: SLF001 - counting rows directly
        takeovers = (await session.execute(select(func.count()).select_from(TakeoverRow))).scalar_one()
        jobs = (await session.execute(select(func.count()).select_from(JobRow).where(
            JobRow.kind == str(JobKind.TAKE_OVER)))).scalar_one()
    return takeovers, jobs


@pytest.mark.parametrize("look_back", [0, 366, -5, "30", 1.5, True, None, [60]])
async def test_a_bad_look_back_is_refused_and_nothing_is_stored(stack, client, look_back):
    account = await stack.install()

    answer = await start(client, account, look_back_days=look_back) if look_back is not None else \
        await client.post("/api/v1/takeover", json={**identity(account), "look_back_days": None},
                          headers=dashboard_signature(USER, account.id))

    if look_back is None:  # null means the default
        assert answer.status_code == 202
        return
    assert answer.status_code == 400
    assert answer.json()["error"]["code"] == "invalid_look_back"
    assert answer.json()["error"]["field"] == "look_back_days"
    assert await stored(stack) == (0, 0)
    assert (await progress(client, account)).json() == {"takeover": None}


async def test_a_takeover_started_from_settings_enrols_the_failed_invoice_and_reports_its_progress(stack, client):
    account = await stack.install()
    customer = stack.sim.create_customer(account)
    stack.sim.attach_card(account, customer, Declines("generic_decline"))
    # Failed while no webhook reached Recoup: nothing is delivered before the takeover.
    failed = stack.sim.create_failed_invoice(account, stack.sim.create_subscription(account, customer))

    started = await start(client, account, look_back_days=30)
    again = await start(client, account)
    running = (await progress(client, account)).json()["takeover"]
    await stack.runner.drain()
    finished = (await progress(client, account)).json()["takeover"]

    assert started.status_code == 202 and started.json()["takeover"]["status"] == "running"
    assert again.status_code == 200 and again.json()["takeover"]["id"] == started.json()["takeover"]["id"]
    assert running["look_back_days"] == 30 and running["scanned"] == 0
    assert finished["status"] == "done" and finished["finished_at"] is not None
    assert finished["scanned"] == 1 and finished["enrolled"] == 1 and finished["skipped"] == {}
    assert (await stack.recovery(account, failed)) is not None
    assert await stored(stack) == (1, 1)


async def test_another_account_neither_sees_nor_starts_yours(stack, client):
    mine = await stack.install()
    theirs = await stack.install()
    await start(client, mine)

    their_view = await progress(client, theirs)
    forged = await client.post("/api/v1/takeover", json=identity(mine), headers=dashboard_signature(USER, theirs.id))
    their_own = await start(client, theirs)
    my_view = (await progress(client, mine)).json()["takeover"]

    assert their_view.json() == {"takeover": None}
    assert forged.status_code == 401
    assert their_own.status_code == 202 and their_own.json()["takeover"]["id"] != my_view["id"]


async def test_a_takeover_needs_recovery_switched_on(stack, client):
    account = await stack.install({"enabled": False})

    answer = await start(client, account)

    assert answer.status_code == 409
    assert await stored(stack) == (0, 0)
