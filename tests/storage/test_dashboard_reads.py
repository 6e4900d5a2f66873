"""The Dashboard's reads stay index-backed on PostgreSQL however long an account's history grows."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from sqlalchemy import event, insert, text
from sqlalchemy.ext.asyncio import AsyncEngine

from backend.adapters.db.tables import RecoveryRow
from backend.adapters.db.unit_of_work import SqlUnitOfWork, SqlUnitOfWorkFactory
from backend.domain.billing import StripeAccount
from tests.conftest import START

ACCOUNT = StripeAccount("acct_1Busy", False)
HISTORY = 3_000  # recoveries of the one account: a third still open, one of them also retried by Stripe


async def _fill_history(engine: AsyncEngine) -> None:
    rows = [{
        "id": f"rec_{n}", "account_id": ACCOUNT.id, "livemode": False, "invoice_id": f"in_{n}",
        "customer_id": f"cus_{n}", "amount": 2500, "currency": "usd",
        "status": ("scheduled", "recovered", "exhausted")[n % 3], "attempts_made": 1,
        "started_at": START - timedelta(hours=n), "deadline": START + timedelta(days=28),
        "next_attempt_at": START + timedelta(minutes=n) if n % 3 == 0 else None,
        "closed_at": START - timedelta(minutes=n) if n % 3 else None,
        "stripe_retrying": n == 30, "version": 1} for n in range(HISTORY)]
    async with engine.begin() as connection:
        await connection.execute(insert(RecoveryRow), rows)
        await connection.execute(text("ANALYZE recovery"))


async def _plan_of(engine: AsyncEngine, read: Callable[[SqlUnitOfWork], Awaitable[Any]]) -> dict[str, Any]:
    """The plan PostgreSQL runs for the one statement `read` sends."""
    sent: list[tuple[str, Any]] = []

    def remember(_conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, _many: bool) -> None:
        sent.append((statement, parameters))

    event.listen(engine.sync_engine, "before_cursor_execute", remember)
    try:
        async with SqlUnitOfWorkFactory(engine)() as uow:
            await read(uow)
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", remember)
    [(statement, parameters)] = [(s, p) for s, p in sent if s.lstrip().upper().startswith("SELECT")]
    async with engine.connect() as connection:
        raw = await connection.get_raw_connection()
        answer = await raw.driver_connection.fetchval(  # type: ignore[union-attr]
            f"EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) {statement}", *parameters)
    # SQLAlchemy's asyncpg connections decode JSON themselves; a bare connection would not.
    plan: dict[str, Any] = (json.loads(answer) if isinstance(answer, str) else answer)[0]["Plan"]
    return plan


def _nodes(plan: dict[str, Any]) -> list[dict[str, Any]]:
    return [plan, *(node for child in plan.get("Plans", []) for node in _nodes(child))]


def _rows_read(plan: dict[str, Any]) -> int:
    """Rows the scans produced plus rows they read and threw away: what the read cost."""
    scans = [node for node in _nodes(plan) if "Relation Name" in node]
    return sum(int(node["Actual Rows"]) + int(node.get("Rows Removed by Filter", 0)) for node in scans)


async def test_the_homes_next_due_reads_a_handful_of_rows_not_the_accounts_history(postgres_engine):
    await _fill_history(postgres_engine)

    plan = await _plan_of(postgres_engine, lambda uow: uow.recoveries.next_due(ACCOUNT, 5))

    assert {node.get("Index Name") for node in _nodes(plan)} >= {"ix_recovery_account_next"}
    assert _rows_read(plan) <= 10


async def test_the_double_retries_warning_finds_its_invoice_without_reading_the_others(postgres_engine):
    await _fill_history(postgres_engine)

    plan = await _plan_of(postgres_engine, lambda uow: uow.recoveries.flagged_stripe_retrying(ACCOUNT))

    assert {node.get("Index Name") for node in _nodes(plan)} >= {"ix_recovery_account_stripe_retrying"}
    assert _rows_read(plan) <= 2


async def test_the_invoice_panel_finds_its_recovery_by_the_invoice_key(postgres_engine):
    await _fill_history(postgres_engine)

    plan = await _plan_of(postgres_engine, lambda uow: uow.recoveries.for_invoice(ACCOUNT, "in_1234"))

    assert {node.get("Index Name") for node in _nodes(plan)} >= {"uq_recovery_invoice"}
    assert _rows_read(plan) == 1
