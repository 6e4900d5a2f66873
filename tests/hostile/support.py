"""What every hostile request is checked against: no 5xx, the error shape, an untouched database."""

from __future__ import annotations

import json
import logging
from datetime import datetime
from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import SQLModel

import backend.adapters.db.tables  # noqa: F401  (registers every table on the metadata)
from tests.builders import dashboard_signature, event, install_event, webhook_request
from tests.conftest import START

ACCOUNT = "acct_1Hostile"
OTHER_ACCOUNT = "acct_1Bystander"
USER = "usr_1Hostile"
INVOICE = "in_1Hostile"

Snapshot = dict[str, list[tuple[Any, ...]]]


async def snapshot(engine: AsyncEngine) -> Snapshot:
    """Every row of every table, in a stable order."""
    rows: Snapshot = {}
    async with engine.connect() as connection:
        for table in SQLModel.metadata.sorted_tables:
            result = await connection.execute(select(table).order_by(*table.primary_key.columns))
            rows[table.name] = [tuple(row) for row in result.all()]
    return rows


def failed_invoice(invoice_id: str = INVOICE, *, created: datetime = START) -> dict[str, Any]:
    """A subscription renewal invoice after its first declined attempt, as the pinned API sends it."""
    at = int(created.timestamp())
    return {
        "id": invoice_id, "object": "invoice", "amount_due": 2500, "amount_paid": 0, "amount_remaining": 2500,
        "attempt_count": 1, "attempted": True, "auto_advance": True, "billing_reason": "subscription_cycle",
        "collection_method": "charge_automatically", "created": at, "currency": "usd", "customer": "cus_1Hostile",
        "livemode": False, "metadata": {}, "next_payment_attempt": None, "status": "open",
        "parent": {"type": "subscription_details", "quote_details": None,
                   "subscription_details": {"metadata": {}, "subscription": "sub_1Hostile"}},
    }


def failed_event(invoice: dict[str, Any] | None = None, **overrides: Any) -> dict[str, Any]:
    body = event("invoice.payment_failed", ACCOUNT, invoice or failed_invoice(), created=START)
    body.update(overrides)
    return body


async def install_and_enable(client: httpx.AsyncClient, account: str = ACCOUNT) -> None:
    body, headers = webhook_request(install_event(account, created=START))
    assert (await client.post("/webhooks/stripe", content=body, headers=headers)).status_code == 200
    response = await client.put("/api/v1/settings", json={"user_id": USER, "account_id": account,
                                                          "settings": {"enabled": True}},
                                headers=dashboard_signature(USER, account))
    assert response.status_code == 200, response.text


async def post_signed_webhook(client: httpx.AsyncClient, body: str) -> httpx.Response:
    """POST `body` exactly as given, correctly signed: only its content can be refused."""
    _, headers = webhook_request(body)
    return await client.post("/webhooks/stripe", content=body.encode(), headers=headers)


def assert_client_error(response: httpx.Response, *statuses: int) -> dict[str, Any]:
    """A 4xx (one of `statuses` when given) with the documented shape; return the error object."""
    assert 400 <= response.status_code < 500, f"{response.status_code}: {response.text[:300]}"
    if statuses:
        assert response.status_code in statuses, f"{response.status_code}: {response.text[:300]}"
    error = json.loads(response.content)["error"]
    assert isinstance(error["code"], str) and isinstance(error["message"], str)
    assert set(error) <= {"code", "message", "field"}
    return dict(error)


def assert_no_traceback(records: list[logging.LogRecord]) -> None:
    noisy = [r for r in records if r.levelno >= logging.ERROR or r.exc_info]
    assert not noisy, [r.getMessage() for r in noisy]
