"""The audit trail in the Dashboard: export pages (JSON and CSV), the invoice panel, refused actions."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

from backend.services.audit_trail import MERCHANT_ACTION, audit_page
from backend.simulator.behaviours import InsufficientFundsUntilPayday
from backend.web.audit_api import CSV_COLUMNS, NEXT_PAGE_HEADER
from tests.audit.support import signed_get, signed_post


async def failed_invoice(stack, account):
    customer = stack.sim.create_customer(account, country="US", email="pat@customers.test")
    stack.sim.attach_card(account, customer, InsufficientFundsUntilPayday())
    subscription = stack.sim.create_subscription(account, customer)
    invoice = stack.sim.create_failed_invoice(account, subscription)
    await stack.settle()
    return invoice


async def rows(stack, account):
    return (await audit_page(stack.uow_factory, account, after_seq=0, limit=10_000)).entries


async def test_json_export_pages_through_the_whole_chain_in_order(stack, client):
    account = await stack.install()
    invoice = await failed_invoice(stack, account)
    for action in ("pause", "resume", "retry_now"):
        await signed_post(client, f"/api/v1/invoices/{invoice}/recovery/actions", account, {"action": action})
    await stack.advance(timedelta(hours=1))
    total = len(await rows(stack, account))

    seen, cursor, pages = [], None, 0
    while True:
        query = {"limit": 2} if cursor is None else {"limit": 2, "starting_after": cursor}
        page = (await signed_get(client, "/api/v1/audit", account, **query)).json()
        seen += [entry["seq"] for entry in page["entries"]]
        pages += 1
        if not page["has_more"]:
            break
        cursor = page["next_starting_after"]

    assert total >= 5
    assert seen == list(range(1, total + 1))
    assert pages == -(-total // 2)
    assert page["next_starting_after"] is None


async def test_csv_export_has_a_header_row_and_the_next_cursor_in_a_header(stack, client):
    account = await stack.install()
    await failed_invoice(stack, account)

    first = await signed_get(client, "/api/v1/audit", account, format="csv", limit=1)
    second = await signed_get(client, "/api/v1/audit", account, format="csv", limit=500,
                              starting_after=first.headers[NEXT_PAGE_HEADER])
    first_rows = list(csv.reader(io.StringIO(first.text)))
    second_rows = list(csv.reader(io.StringIO(second.text)))

    assert first.status_code == 200 and first.headers["content-type"].startswith("text/csv")
    assert first_rows[0] == list(CSV_COLUMNS) and second_rows[0] == list(CSV_COLUMNS)
    assert [row[0] for row in first_rows[1:]] == ["1"]
    assert second_rows[1][0] == "2" and NEXT_PAGE_HEADER not in second.headers
    writes = [dict(zip(CSV_COLUMNS, row, strict=True)) for row in second_rows[1:]]
    assert any(w["kind"] == "stripe_write" and w["request_id"].startswith("req_") and w["idempotency_key"]
               for w in writes)


async def test_an_account_sees_only_its_own_chain(stack, client):
    mine, theirs = await stack.install(), await stack.install()
    their_invoice = await failed_invoice(stack, theirs)

    export = (await signed_get(client, "/api/v1/audit", mine)).json()
    panel = (await signed_get(client, f"/api/v1/invoices/{their_invoice}/audit", mine)).json()
    their_panel = (await signed_get(client, f"/api/v1/invoices/{their_invoice}/audit", theirs)).json()

    assert [e["operation"] for e in export["entries"]] == ["settings.save"]
    assert panel["entries"] == []
    assert their_panel["entries"] and all(e["invoice_id"] == their_invoice for e in their_panel["entries"])


async def test_a_successful_panel_action_is_recorded_with_the_dashboard_user(stack, client):
    account = await stack.install()
    invoice = await failed_invoice(stack, account)

    response = await signed_post(client, f"/api/v1/invoices/{invoice}/recovery/actions", account,
                                 {"action": "pause"})
    panel = (await signed_get(client, f"/api/v1/invoices/{invoice}/audit", account)).json()["entries"]

    assert response.status_code == 200
    assert [(e["operation"], e["actor"]) for e in panel if e["kind"] == MERCHANT_ACTION] == [
        ("recovery.pause", "dashboard:usr_1Auditor")]


async def test_a_refused_or_invalid_action_records_nothing(stack, client):
    account = await stack.install()
    invoice = await failed_invoice(stack, account)
    before = await rows(stack, account)

    answers = [
        await signed_post(client, f"/api/v1/invoices/{invoice}/recovery/actions", account, {"action": "resume"}),
        await signed_post(client, f"/api/v1/invoices/{invoice}/recovery/actions", account, {"action": "explode"}),
        await signed_post(client, "/api/v1/invoices/in_1Nobody/recovery/actions", account, {"action": "pause"}),
        await client.put("/api/v1/settings", json={"user_id": "usr_1Auditor", "account_id": account.id,
                                                   "settings": {"max_retries": 0}}),
    ]

    assert [a.status_code for a in answers] == [409, 422, 404, 401]
    assert await rows(stack, account) == before


async def test_starting_a_takeover_is_recorded_once_with_the_dashboard_user(stack, client):
    account = await stack.install()
    off = await stack.install({"enabled": False})

    first = await signed_post(client, "/api/v1/takeover", account, {"look_back_days": 30})
    again = await signed_post(client, "/api/v1/takeover", account, {})
    refused = await signed_post(client, "/api/v1/takeover", off, {})
    started = [(e.fields.operation, e.fields.actor, e.details.get("look_back_days"))
               for e in await rows(stack, account) if e.fields.operation == "takeover.start"]

    assert [first.status_code, again.status_code, refused.status_code] == [202, 200, 409]
    assert started == [("takeover.start", "dashboard:usr_1Auditor", 30)]
    assert [e.fields.operation for e in await rows(stack, off) if e.fields.kind == MERCHANT_ACTION] == [
        "settings.save"]


async def test_a_cursor_beyond_32_bits_is_an_empty_page_not_an_error(stack, client):
    account = await stack.install()

    page = await signed_get(client, "/api/v1/audit", account, starting_after=2**31)

    assert page.status_code == 200
    assert page.json()["entries"] == [] and page.json()["has_more"] is False
