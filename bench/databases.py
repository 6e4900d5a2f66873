"""Fresh, migrated databases for one measurement: a SQLite file or a PostgreSQL schema."""

from __future__ import annotations

import asyncio
import os
import tempfile
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

import asyncpg
from sqlalchemy.ext.asyncio import AsyncEngine

from backend.adapters.db.engine import create_engine
from backend.adapters.db.migrations import upgrade_to_head

POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test")
SQLITE = "sqlite"
POSTGRES = "postgres"


def _asyncpg_dsn() -> str:
    return POSTGRES_URL.replace("postgresql+asyncpg", "postgresql")


async def postgres_problem() -> str | None:
    """Why PostgreSQL cannot be benchmarked here, or None when it can."""
    try:
        connection = await asyncio.wait_for(asyncpg.connect(_asyncpg_dsn()), timeout=3)
        await connection.close()
    except (TimeoutError, OSError, asyncpg.PostgresError) as error:
        return f"PostgreSQL not reachable at {POSTGRES_URL}: {error}"
    return None


@dataclass
class Database:
    """One isolated database; `engine()` opens another engine on it (one per simulated process)."""

    kind: str
    url: str
    schema: str | None = None
    _engines: list[AsyncEngine] = field(default_factory=list)

    @property
    def main(self) -> AsyncEngine:
        """The engine the database was migrated with, reused so no extra pool sits idle."""
        return self._engines[0] if self._engines else self.engine()

    def engine(self) -> AsyncEngine:
        built = create_engine(self.url, postgres_schema=self.schema)
        self._engines.append(built)
        return built

    async def dispose(self) -> None:
        # Disposing twice is harmless, and the app's lifespan may already have disposed one.
        for built in self._engines:
            await built.dispose()


@asynccontextmanager
async def fresh_database(kind: str) -> AsyncIterator[Database]:
    """Yield an empty, migrated database of `kind`; remove it afterwards."""
    if kind == SQLITE:
        with tempfile.TemporaryDirectory(prefix="recoup-bench-") as directory:
            database = Database(SQLITE, f"sqlite+aiosqlite:///{directory}/recoup.db")
            await upgrade_to_head(database.main)
            try:
                yield database
            finally:
                await database.dispose()
        return
    schema = f"bench_{uuid.uuid4().hex[:12]}"
    await _admin(f'CREATE SCHEMA "{schema}"')
    database = Database(POSTGRES, POSTGRES_URL, schema)
    try:
        await upgrade_to_head(database.main)
        yield database
    finally:
        await database.dispose()
        await _admin(f'DROP SCHEMA "{schema}" CASCADE')


async def _admin(statement: str) -> None:
    connection = await asyncpg.connect(_asyncpg_dsn())
    try:
        await connection.execute(statement)
    finally:
        await connection.close()
