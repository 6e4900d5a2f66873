"""Signed Dashboard calls and a scan of every stored text, for the audit and deletion tests."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import httpx
from sqlalchemy import JSON, String, Text, select
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import SQLModel

from backend.domain.billing import StripeAccount
from tests.builders import dashboard_signature

USER = "usr_1Auditor"


def identity(account: StripeAccount, user: str = USER) -> dict[str, str]:
    return {"user_id": user, "account_id": account.id, "mode": "live" if account.livemode else "test"}


async def signed_get(client: httpx.AsyncClient, path: str, account: StripeAccount,
                     **query: object) -> httpx.Response:
    return await client.get(path, params={**identity(account), **query},
                            headers=dashboard_signature(USER, account.id))


async def signed_post(client: httpx.AsyncClient, path: str, account: StripeAccount,
                      body: dict[str, Any]) -> httpx.Response:
    return await client.post(path, json={**identity(account), **body}, headers=dashboard_signature(USER, account.id))


async def stored_texts(engine: AsyncEngine) -> list[tuple[str, str, str]]:
    """Every text and JSON value in every table, as (table, column, text)."""
    found: list[tuple[str, str, str]] = []
    async with engine.connect() as connection:
        for table in SQLModel.metadata.sorted_tables:
            columns = [c for c in table.columns if isinstance(c.type, String | Text | JSON)]
            for row in (await connection.execute(select(table))).mappings():
                for column in columns:
                    value = row[column.name]
                    if value is not None:
                        found.append((table.name, column.name,
                                      value if isinstance(value, str) else json.dumps(value)))
    return found


def mentions(texts: Iterable[tuple[str, str, str]], needles: Iterable[str]) -> list[tuple[str, str, str]]:
    wanted = [needle for needle in needles if needle]
    return [(table, column, text) for table, column, text in texts if any(n in text for n in wanted)]
