"""The async engine, with the SQLite settings that make a single-process install safe."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine


def create_engine(database_url: str, *, postgres_schema: str | None = None) -> AsyncEngine:
    """Build the engine for `database_url` (sqlite+aiosqlite or postgresql+asyncpg).

    `postgres_schema` puts every table in that schema, so several isolated databases can share
    one PostgreSQL server (tests, and operators who run several environments on one server).
    """
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        if url.database and url.database != ":memory:":
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(url, connect_args={"timeout": 30})
        event.listen(engine.sync_engine, "connect", _configure_sqlite)
        return engine
    connect_args: dict[str, Any] = {}
    if postgres_schema:
        connect_args["server_settings"] = {"search_path": postgres_schema}
    return create_async_engine(url, pool_size=10, max_overflow=10, pool_pre_ping=True,
                               connect_args=connect_args)


def _configure_sqlite(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets the Dashboard read while the tick writes; busy_timeout waits out a short lock
    # instead of failing the request.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()
