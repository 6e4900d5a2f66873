"""Counter rows moved by one upsert: insert the deltas, or add them to the row already there."""

from __future__ import annotations

import functools
from typing import Any

from sqlalchemy import Table, bindparam
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession


async def add_to_counters(session: AsyncSession, row_type: type, key: dict[str, Any], deltas: dict[str, int]) -> None:
    """Add `deltas` to the counters of the row named by `key`, creating the row if needed.

    One statement, so two processes moving the same row at once cannot lose an update.
    """
    dialect = session.bind.dialect.name if session.bind else "sqlite"
    await session.execute(_upsert(dialect, row_type, tuple(key), tuple(deltas)), {**key, **deltas})


@functools.cache
def _upsert(dialect: str, row_type: type, key: tuple[str, ...], counters: tuple[str, ...]) -> Any:
    """The upsert for one table and set of columns, built once with bound parameters.

    Ending a recovery moves five counter rows; building each statement from literal values made
    SQLAlchemy re-coerce every value, alias the table for `excluded` and hash the result on every
    call, only to find the compiled statement it already had.
    """
    table: Table = row_type.__table__  # type: ignore[attr-defined]
    insert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table).values(
        {name: bindparam(name, type_=table.c[name].type) for name in (*key, *counters)})
    return insert.on_conflict_do_update(
        index_elements=list(key), set_={name: table.c[name] + insert.excluded[name] for name in counters})
