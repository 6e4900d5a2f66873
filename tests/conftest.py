"""Shared fixtures: a migrated database on SQLite and on PostgreSQL, and the app over HTTP."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import asyncpg
import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from backend.adapters.clock import ManualClock
from backend.adapters.db.engine import create_engine
from backend.adapters.db.migrations import upgrade_to_head
from backend.adapters.db.unit_of_work import SqlUnitOfWorkFactory
from backend.config import Config

if TYPE_CHECKING:
    from tests.harness import Stack

POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test")
WEBHOOK_SECRET = "whsec_test_current"
OLD_WEBHOOK_SECRET = "whsec_test_previous"
APP_SECRET = "absec_test_current"
OLD_APP_SECRET = "absec_test_previous"
START = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)

_postgres_problem: str | None = None
_postgres_checked = False


async def postgres_unavailable() -> str | None:
    """Why PostgreSQL cannot be used here, or None when it can."""
    global _postgres_checked, _postgres_problem
    if not _postgres_checked:
        _postgres_checked = True
        try:
            connection = await asyncio.wait_for(
                asyncpg.connect(POSTGRES_URL.replace("postgresql+asyncpg", "postgresql")), timeout=3)
            await connection.close()
        except (TimeoutError, OSError, asyncpg.PostgresError) as error:
            _postgres_problem = f"PostgreSQL not reachable at {POSTGRES_URL}: {error}"
    return _postgres_problem


async def _postgres_schema_engine() -> tuple[AsyncEngine, str]:
    schema = f"t_{uuid.uuid4().hex[:12]}"
    connection = await asyncpg.connect(POSTGRES_URL.replace("postgresql+asyncpg", "postgresql"))
    await connection.execute(f'CREATE SCHEMA "{schema}"')
    await connection.close()
    return create_engine(POSTGRES_URL, postgres_schema=schema), schema


async def _drop_schema(schema: str) -> None:
    connection = await asyncpg.connect(POSTGRES_URL.replace("postgresql+asyncpg", "postgresql"))
    await connection.execute(f'DROP SCHEMA "{schema}" CASCADE')
    await connection.close()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def engine(request: pytest.FixtureRequest, tmp_path: object) -> AsyncIterator[AsyncEngine]:
    """A freshly migrated, empty database of each kind."""
    if request.param == "postgres":
        problem = await postgres_unavailable()
        if problem:
            pytest.skip(problem)
        built, schema = await _postgres_schema_engine()
    else:
        built, schema = create_engine(f"sqlite+aiosqlite:///{tmp_path}/recoup.db"), None
    await upgrade_to_head(built)
    yield built
    await built.dispose()
    if schema:
        await _drop_schema(schema)


@pytest.fixture
async def postgres_engine() -> AsyncIterator[AsyncEngine]:
    """A freshly migrated PostgreSQL schema, for tests about PostgreSQL itself."""
    problem = await postgres_unavailable()
    if problem:
        pytest.skip(problem)
    built, schema = await _postgres_schema_engine()
    await upgrade_to_head(built)
    yield built
    await built.dispose()
    await _drop_schema(schema)


@pytest.fixture
def uow_factory(engine: AsyncEngine) -> SqlUnitOfWorkFactory:
    return SqlUnitOfWorkFactory(engine)


@pytest.fixture
def manual_clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
def config(tmp_path: Path) -> Config:
    return Config(database_url="sqlite+aiosqlite:///unused.db", outbox_dir=str(tmp_path / "outbox"),
                  webhook_secrets=(WEBHOOK_SECRET, OLD_WEBHOOK_SECRET),
                  app_secrets=(APP_SECRET, OLD_APP_SECRET), stripe_test_key="sk_test_recoup",
                  link_secret="x" * 32, scheduler_enabled=False)


@pytest.fixture
async def stack(engine: AsyncEngine, config: Config) -> AsyncIterator[Stack]:
    """Recoup and the Stripe simulator on one manual clock, on each database kind."""
    from tests.harness import recoup_with_simulator

    async with recoup_with_simulator(engine, config, START) as built:
        yield built


@pytest.fixture
def clock(stack: Stack) -> ManualClock:
    return stack.clock


@pytest.fixture
async def client(stack: Stack) -> AsyncIterator[httpx.AsyncClient]:
    """The whole app over HTTP, on each database kind."""
    transport = httpx.ASGITransport(app=stack.app)
    async with httpx.AsyncClient(transport=transport, base_url="http://recoup.test") as http:
        yield http
