"""An invoice's recovery in the Dashboard: its story, and the merchant's buttons."""

from __future__ import annotations

from datetime import timedelta

from backend.simulator.behaviours import Declines, Succeeds
from tests.builders import dashboard_signature
from tests.scenarios.test_recovery_flows import failed_subscription_invoice

USER = "usr_1Staff"


def signed_get(account_id: str, stack) -> dict:
    return {"params": {"user_id": USER, "account_id": account_id, "mode": "test"},
            "headers": dashboard_signature(USER, account_id, timestamp=int(stack.wall_clock.now().timestamp()))}


async def act(client, stack, account_id: str, invoice_id: str, action: str):
    return await client.post(f"/api/v1/invoices/{invoice_id}/recovery/actions",
                             json={"user_id": USER, "account_id": account_id, "mode": "test", "action": action},
                             headers=dashboard_signature(USER, account_id,
                                                         timestamp=int(stack.wall_clock.now().timestamp())))


async def test_the_panel_tells_the_invoice_story(client, stack):
    account = await stack.install()
    _customer, _card, _sub, invoice = await failed_subscription_invoice(
        stack, account, Declines("insufficient_funds"))

    response = await client.get(f"/api/v1/invoices/{invoice}/recovery", **signed_get(account.id, stack))

    recovery = response.json()["recovery"]
    assert response.status_code == 200
    assert recovery["status"] == "scheduled"
    assert recovery["decline"]["category"] == "insufficient_funds"
    assert recovery["decline"]["explanation"]
    assert "payday" in recovery["next_attempt_reason"]
    assert recovery["attempts"][0]["card"]["brand"] == "visa"
    assert recovery["actions"] == ["retry_now", "pause", "stop"]


async def test_an_invoice_recoup_does_not_manage_has_no_recovery(client, stack):
    account = await stack.install()

    response = await client.get("/api/v1/invoices/in_unknown123/recovery", **signed_get(account.id, stack))

    assert response.status_code == 200
    assert response.json() == {"recovery": None}


async def test_another_accounts_invoice_looks_exactly_like_a_missing_one(client, stack):
    owner = await stack.install()
    other = await stack.install()
    _customer, _card, _sub, invoice = await failed_subscription_invoice(stack, owner, Declines("generic_decline"))

    read = await client.get(f"/api/v1/invoices/{invoice}/recovery", **signed_get(other.id, stack))
    paused = await act(client, stack, other.id, invoice, "pause")
    enrolled = await act(client, stack, other.id, invoice, "enrol")

    assert read.json() == {"recovery": None}
    assert (paused.status_code, paused.json()["error"]["code"]) == (404, "not_found")
    assert (enrolled.status_code, enrolled.json()["error"]["code"]) == (404, "not_found")
    assert (await stack.recovery(owner, invoice)).status == "scheduled"


async def test_pause_stops_the_schedule_and_resume_plans_again(client, stack):
    account = await stack.install()
    customer, _card, _sub, invoice = await failed_subscription_invoice(stack, account, Declines("generic_decline"))
    charges_before = len(stack.charges(account, customer))

    paused = await act(client, stack, account.id, invoice, "pause")
    await stack.advance(timedelta(days=10), step=timedelta(hours=6))
    charges_while_paused = len(stack.charges(account, customer))
    resumed = await act(client, stack, account.id, invoice, "resume")
    await stack.settle()

    assert paused.json()["recovery"]["status"] == "paused"
    assert paused.json()["recovery"]["actions"] == ["resume", "stop"]
    assert charges_while_paused == charges_before
    assert resumed.json()["recovery"]["status"] == "scheduled"
    assert (await stack.recovery(account, invoice)).next_attempt_at > stack.clock.now()


async def test_retry_now_charges_at_once_and_once_only(client, stack):
    account = await stack.install()
    customer, card, _sub, invoice = await failed_subscription_invoice(stack, account, Declines("generic_decline"))
    stack.sim.set_card_behaviour(account, card, Succeeds())

    response = await act(client, stack, account.id, invoice, "retry_now")
    again = await act(client, stack, account.id, invoice, "retry_now")
    await stack.settle()

    assert response.status_code == 200
    assert again.status_code == 200
    recovery = await stack.recovery(account, invoice)
    assert recovery.status == "recovered" and recovery.recovered_by == "recoup_retry"
    paid = [c for c in stack.charges(account, customer) if c["status"] == "succeeded"]
    assert len(paid) == 2  # the signup, and this one recovery


async def test_stop_closes_the_recovery_and_nothing_more_is_charged(client, stack):
    account = await stack.install()
    customer, _card, _sub, invoice = await failed_subscription_invoice(stack, account, Declines("generic_decline"))
    charges_before = len(stack.charges(account, customer))

    response = await act(client, stack, account.id, invoice, "stop")
    await stack.advance(timedelta(days=30), step=timedelta(hours=12))

    assert response.json()["recovery"]["status"] == "closed"
    assert response.json()["recovery"]["actions"] == []
    assert len(stack.charges(account, customer)) == charges_before


async def test_an_action_the_state_does_not_allow_is_a_conflict(client, stack):
    account = await stack.install()
    _customer, _card, _sub, invoice = await failed_subscription_invoice(stack, account, Declines("generic_decline"))

    response = await act(client, stack, account.id, invoice, "resume")

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "conflict"


async def test_an_unknown_action_is_refused_naming_the_field(client, stack):
    account = await stack.install()

    response = await act(client, stack, account.id, "in_123", "refund")

    assert response.status_code == 422
    assert response.json()["error"]["field"] == "action"


async def test_enrolling_an_invoice_by_hand_starts_its_recovery(client, stack):
    account = await stack.install({"enabled": False})
    _customer, _card, _sub, invoice = await failed_subscription_invoice(stack, account, Declines("generic_decline"))
    await client.put("/api/v1/settings", json={"user_id": USER, "account_id": account.id, "mode": "test",
                                               "settings": {"enabled": True}},
                     headers=dashboard_signature(USER, account.id, timestamp=int(stack.wall_clock.now().timestamp())))

    response = await act(client, stack, account.id, invoice, "enrol")
    await stack.settle()

    assert response.status_code == 200
    assert (await stack.recovery(account, invoice)).status == "scheduled"
    again = await act(client, stack, account.id, invoice, "enrol")
    assert again.status_code == 409


async def test_enrolling_when_stripe_revoked_recoups_access_is_a_clear_refusal_that_stores_nothing(client, stack):
    account = await stack.install({"enabled": False})
    _customer, _card, _sub, invoice = await failed_subscription_invoice(stack, account, Declines("generic_decline"))
    await client.put("/api/v1/settings", json={"user_id": USER, "account_id": account.id, "mode": "test",
                                               "settings": {"enabled": True}},
                     headers=dashboard_signature(USER, account.id, timestamp=int(stack.wall_clock.now().timestamp())))
    stack.sim.state(account).installed = False  # access revoked; the deauthorization event not yet delivered

    response = await act(client, stack, account.id, invoice, "enrol")

    assert (response.status_code, response.json()["error"]["code"]) == (403, "stripe_access_revoked")
    assert "reinstall" in response.json()["error"]["message"]
    assert await stack.recovery(account, invoice) is None


async def test_the_overview_shows_money_recovered_and_in_flight(client, stack):
    account = await stack.install()
    _c1, card, _s1, recovered_invoice = await failed_subscription_invoice(
        stack, account, Declines("generic_decline"), amount=4000)
    await failed_subscription_invoice(stack, account, Declines("generic_decline"), amount=1500)
    stack.sim.set_card_behaviour(account, card, Succeeds())
    await act(client, stack, account.id, recovered_invoice, "retry_now")
    await stack.settle()

    response = await client.get("/api/v1/overview", **signed_get(account.id, stack))

    body = response.json()
    assert body["recovered"] == [{"currency": "eur", "amount": 4000}]
    assert body["in_flight"] == [{"currency": "eur", "amount": 1500}]
    assert body["active_count"] == 1
    assert body["recovery_rate"] == 1.0
    assert len(body["weekly"]) == 8 and body["weekly"][-1]["recovered"] == 1
    assert body["next_due"][0]["amount"] == 1500


def signed_list(account_id: str, stack, **filters) -> dict:
    request = signed_get(account_id, stack)
    request["params"].update(filters)
    return request


async def test_a_customers_page_lists_that_customers_recoveries_only(client, stack):
    account = await stack.install()
    customer, _card, _sub, invoice = await failed_subscription_invoice(stack, account, Declines("generic_decline"))
    await failed_subscription_invoice(stack, account, Declines("insufficient_funds"))

    response = await client.get("/api/v1/recoveries", **signed_list(account.id, stack, customer=customer))

    body = response.json()
    assert response.status_code == 200
    assert [r["invoice_id"] for r in body["recoveries"]] == [invoice]
    assert body["recoveries"][0]["status"] == "scheduled"
    assert body["has_more"] is False


async def test_the_list_of_recoveries_filters_by_status_and_never_shows_another_account(client, stack):
    owner = await stack.install()
    other = await stack.install()
    await failed_subscription_invoice(stack, owner, Declines("generic_decline"))

    scheduled = await client.get("/api/v1/recoveries", **signed_list(owner.id, stack, status="scheduled"))
    recovered = await client.get("/api/v1/recoveries", **signed_list(owner.id, stack, status="recovered"))
    foreign = await client.get("/api/v1/recoveries", **signed_list(other.id, stack))

    assert len(scheduled.json()["recoveries"]) == 1
    assert recovered.json()["recoveries"] == []
    assert foreign.json()["recoveries"] == []


async def test_a_bad_filter_is_refused_with_the_field_named(client, stack):
    account = await stack.install()

    for field, value in (("status", "lost"), ("customer", "sub_123"), ("page", "0")):
        response = await client.get("/api/v1/recoveries", **signed_list(account.id, stack, **{field: value}))

        assert response.status_code == 422
        assert response.json()["error"]["field"] == field


async def test_the_panel_shows_progress_through_the_retry_budget(client, stack):
    account = await stack.install({"max_retries": 4})
    _customer, _card, _sub, invoice = await failed_subscription_invoice(stack, account, Declines("generic_decline"))

    response = await client.get(f"/api/v1/invoices/{invoice}/recovery", **signed_get(account.id, stack))

    recovery = response.json()["recovery"]
    assert recovery["retries_made"] == 0
    assert recovery["max_retries"] == 4
    assert recovery["started_at"] < recovery["deadline"]
    assert recovery["attempts"][0]["number"] == 0
