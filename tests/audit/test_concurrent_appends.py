"""Two processes appending to one account's chain at once: every row gets its own seq, the chain holds."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from backend.adapters.clock import ManualClock
from backend.adapters.db.engine import create_engine
from backend.adapters.db.migrations import upgrade_to_head
from backend.adapters.db.unit_of_work import SqlUnitOfWorkFactory
from backend.domain.billing import StripeAccount
from backend.services.audit_records import StripeWrite
from backend.services.audit_trail import AuditTrailSink, audit_page, verify_chain
from tests.conftest import POSTGRES_URL, _drop_schema, _postgres_schema_engine, postgres_unavailable

ACCOUNT = StripeAccount("acct_1Concurrent", True)
APPENDS_EACH = 15


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def two_processes(request, tmp_path) -> AsyncIterator[tuple[AsyncEngine, AsyncEngine]]:
    """Two engines (two connection pools, as two processes have) on one database."""
    if request.param == "postgres":
        if problem := await postgres_unavailable():
            pytest.skip(problem)
        first, schema = await _postgres_schema_engine()
        second = create_engine(POSTGRES_URL, postgres_schema=schema)
    else:
        url, schema = f"sqlite+aiosqlite:///{tmp_path}/recoup.db", None
        first, second = create_engine(url), create_engine(url)
    await upgrade_to_head(first)
    yield first, second
    await first.dispose()
    await second.dispose()
    if schema:
        await _drop_schema(schema)


async def test_concurrent_appenders_never_share_a_sequence_number(two_processes):
    clock = ManualClock(datetime(2026, 11, 2, 8, tzinfo=UTC))
    sinks = [AuditTrailSink(SqlUnitOfWorkFactory(engine), clock) for engine in two_processes]

    async def append_many(sink: AuditTrailSink, name: str) -> None:
        for number in range(APPENDS_EACH):
            await sink.stripe_write(StripeWrite(ACCOUNT, "invoices.update", f"in_1{name}{number}",
                                                f"recoup:{name}:{number}", f"req_{name}{number}", 200))

    await asyncio.gather(append_many(sinks[0], "A"), append_many(sinks[1], "B"))
    uow_factory = SqlUnitOfWorkFactory(two_processes[0])
    entries = (await audit_page(uow_factory, ACCOUNT, after_seq=0, limit=1000)).entries

    assert [e.fields.seq for e in entries] == list(range(1, 2 * APPENDS_EACH + 1))
    assert len({e.details["idempotency_key"] for e in entries}) == 2 * APPENDS_EACH
    assert (await verify_chain(uow_factory, ACCOUNT)).ok
