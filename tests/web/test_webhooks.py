"""The webhook door: only Stripe gets in, each event counts once, order does not matter."""

from __future__ import annotations

import json
import logging
from datetime import timedelta

import httpx
from sqlalchemy import func, select

from backend.adapters.db.tables import AccountRow, AccountSettingsRow, WebhookEventRow
from backend.adapters.db.unit_of_work import SqlUnitOfWorkFactory
from backend.domain.billing import StripeAccount
from tests.builders import event, install_event, uninstall_event, webhook_request
from tests.conftest import OLD_WEBHOOK_SECRET, START

ACCOUNT = "acct_1Merchant"


async def post(client: httpx.AsyncClient, payload: dict | str, **kwargs: object) -> httpx.Response:
    body, headers = webhook_request(payload, **kwargs)  # type: ignore[arg-type]
    return await client.post("/webhooks/stripe", content=body, headers=headers)


async def stored_event_count(uow_factory: SqlUnitOfWorkFactory) -> int:
    async with uow_factory.engine.connect() as connection:
        return (await connection.execute(select(func.count()).select_from(WebhookEventRow))).scalar_one()


async def account_status(uow_factory: SqlUnitOfWorkFactory, livemode: bool = False) -> str | None:
    async with uow_factory() as uow:
        record = await uow.accounts.get(StripeAccount(ACCOUNT, livemode))
        return str(record.status) if record else None


async def test_a_correctly_signed_install_creates_the_account_with_recovery_off(client, uow_factory):
    response = await post(client, install_event(ACCOUNT, created=START))

    assert response.status_code == 200
    assert await account_status(uow_factory) == "installed"
    async with uow_factory() as uow:
        settings = await uow.settings.get(StripeAccount(ACCOUNT, False))
    assert settings is not None and settings["enabled"] is False


async def test_a_wrong_signature_is_refused_and_nothing_is_stored(client, uow_factory):
    response = await post(client, install_event(ACCOUNT, created=START), secret="whsec_someone_else")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_signature"
    assert await stored_event_count(uow_factory) == 0
    assert await account_status(uow_factory) is None


async def test_a_missing_signature_is_refused(client, uow_factory):
    response = await client.post("/webhooks/stripe", content=json.dumps(install_event(ACCOUNT, created=START)))

    assert response.status_code == 400
    assert await account_status(uow_factory) is None


async def test_a_signature_older_than_five_minutes_is_refused(client, uow_factory):
    response = await post(client, install_event(ACCOUNT, created=START), timestamp=int(START.timestamp()) - 301)

    assert response.status_code == 400
    assert await account_status(uow_factory) is None


async def test_the_previous_secret_still_works_during_rotation(client, uow_factory):
    response = await post(client, install_event(ACCOUNT, created=START), secret=OLD_WEBHOOK_SECRET)

    assert response.status_code == 200
    assert await account_status(uow_factory) == "installed"


async def test_a_body_over_one_mebibyte_is_refused_unread(client, uow_factory):
    huge = install_event(ACCOUNT, created=START)
    huge["padding"] = "x" * (1024 * 1024)

    response = await post(client, huge)

    assert response.status_code == 413
    assert await stored_event_count(uow_factory) == 0


async def test_signed_but_malformed_json_is_a_bad_request(client, uow_factory):
    response = await post(client, '{"id": "evt_1", "type": ')

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_json"
    assert await stored_event_count(uow_factory) == 0


async def test_signed_json_that_is_not_an_event_is_a_bad_request(client, uow_factory):
    response = await post(client, {"hello": "world"})

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_event"


async def test_second_delivery_of_the_same_event_changes_nothing(client, uow_factory):
    install = install_event(ACCOUNT, created=START, event_id="evt_install")
    await post(client, install)
    await post(client, uninstall_event(ACCOUNT, created=START + timedelta(hours=1)))

    response = await post(client, install)

    assert response.status_code == 200
    assert response.json()["outcome"] == "duplicate"
    assert await account_status(uow_factory) == "uninstalled"


async def test_unknown_event_types_are_acknowledged_and_recorded_as_ignored(client, uow_factory):
    response = await post(client, event("product.created", ACCOUNT, {"id": "prod_1"}, created=START,
                                        event_id="evt_product"))

    assert response.status_code == 200
    async with uow_factory.engine.connect() as connection:
        outcome = (await connection.execute(
            select(WebhookEventRow.outcome).where(WebhookEventRow.event_id == "evt_product"))).scalar_one()
    assert outcome == "ignored"


async def test_uninstall_delivered_before_an_older_install_leaves_the_account_uninstalled(client, uow_factory):
    await post(client, uninstall_event(ACCOUNT, created=START + timedelta(minutes=5)))

    await post(client, install_event(ACCOUNT, created=START))

    assert await account_status(uow_factory) == "uninstalled"


async def test_test_and_live_installs_are_separate_accounts(client, uow_factory):
    await post(client, install_event(ACCOUNT, created=START, livemode=True))

    assert await account_status(uow_factory, livemode=True) == "installed"
    assert await account_status(uow_factory, livemode=False) is None


async def test_reinstall_starts_from_default_settings(client, uow_factory):
    await post(client, install_event(ACCOUNT, created=START))
    async with uow_factory() as uow:
        await uow.settings.save(StripeAccount(ACCOUNT, False), {"enabled": True, "max_retries": 3}, START)
        await uow.commit()
    await post(client, uninstall_event(ACCOUNT, created=START + timedelta(days=1)))

    await post(client, install_event(ACCOUNT, created=START + timedelta(days=2)))

    assert await account_status(uow_factory) == "installed"
    async with uow_factory() as uow:
        settings = await uow.settings.get(StripeAccount(ACCOUNT, False))
    assert settings is not None and settings["enabled"] is False and settings["max_retries"] == 6
    async with uow_factory.engine.connect() as connection:
        rows = (await connection.execute(select(func.count()).select_from(AccountRow))).scalar_one()
        settings_rows = (await connection.execute(
            select(func.count()).select_from(AccountSettingsRow))).scalar_one()
    assert (rows, settings_rows) == (1, 1)


async def test_a_failed_invoice_the_customer_pays_by_hand_is_never_taken_into_recovery(client, uow_factory):
    await post(client, install_event(ACCOUNT, created=START))
    async with uow_factory() as uow:
        await uow.settings.save(StripeAccount(ACCOUNT, False), {"enabled": True, "recover_one_off_invoices": True},
                                START)
        await uow.commit()
    invoice = {"id": "in_1Manual", "object": "invoice", "customer": "cus_1", "status": "open",
               "collection_method": "send_invoice", "billing_reason": "subscription_cycle", "amount_due": 500,
               "amount_remaining": 500, "currency": "usd", "attempt_count": 1, "next_payment_attempt": None,
               "parent": {"type": "subscription_details", "subscription_details": {"subscription": "sub_1"}}}

    response = await post(client, event("invoice.payment_failed", ACCOUNT, invoice, created=START))

    assert response.json()["outcome"].startswith("ignored")
    async with uow_factory() as uow:
        assert await uow.recoveries.for_invoice(StripeAccount(ACCOUNT, False), "in_1Manual") is None


async def test_events_that_change_nothing_stay_out_of_the_info_log(client, caplog):
    await post(client, install_event(ACCOUNT, created=START))

    with caplog.at_level(logging.DEBUG, logger="backend.services.webhooks"):
        await post(client, install_event(ACCOUNT, created=START + timedelta(seconds=1)))
        await post(client, event("product.created", ACCOUNT, {"id": "prod_1", "object": "product"},
                                 created=START + timedelta(seconds=2)))
        await post(client, install_event("acct_1Another", created=START))

    levels = {record.getMessage().split(": ", 1)[-1]: record.levelname for record in caplog.records}
    assert levels == {"already installed": "DEBUG", "ignored: product.created is not used": "DEBUG",
                      "installed": "INFO"}


async def test_a_failed_payment_is_acknowledged_at_once_and_its_recovery_opens_in_a_job(client, stack, uow_factory):
    await post(client, install_event(ACCOUNT, created=START))
    async with uow_factory() as uow:
        await uow.settings.save(StripeAccount(ACCOUNT, False), {"enabled": True}, START)
        await uow.commit()
    invoice = {"id": "in_1Lean", "object": "invoice", "customer": "cus_1", "status": "open",
               "collection_method": "charge_automatically", "billing_reason": "subscription_cycle",
               "amount_due": 500, "amount_remaining": 500, "currency": "usd", "attempt_count": 1,
               "next_payment_attempt": None,
               "parent": {"type": "subscription_details", "subscription_details": {"subscription": "sub_1"}}}

    response = await post(client, event("invoice.payment_failed", ACCOUNT, invoice, created=START))
    async with uow_factory() as uow:
        before_the_job = await uow.recoveries.for_invoice(StripeAccount(ACCOUNT, False), "in_1Lean")
        queued = await uow.jobs.count_by_status()
    await stack.runner.tick()
    async with uow_factory() as uow:
        after_the_job = await uow.recoveries.for_invoice(StripeAccount(ACCOUNT, False), "in_1Lean")

    assert response.json()["outcome"] == "queued"
    assert before_the_job is None and queued == {"pending": 1}
    assert after_the_job is not None and after_the_job.invoice_id == "in_1Lean"
