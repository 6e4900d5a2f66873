"""The SQL unit of work: one session, one transaction, committed only on purpose."""

from __future__ import annotations

import asyncio
from types import TracebackType
from typing import Self

from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from backend.adapters.db.analytics import SqlAnalytics
from backend.adapters.db.audit import SqlAuditTrail
from backend.adapters.db.erasure import SqlErasure
from backend.adapters.db.jobs import SqlJobs
from backend.adapters.db.notifications import SqlMessages
from backend.adapters.db.repositories import (
    SqlAccounts,
    SqlAttempts,
    SqlRecoveries,
    SqlSettings,
    SqlWebhookEvents,
)
from backend.adapters.db.stats import SqlRecoveryStats
from backend.adapters.db.takeovers import SqlTakeovers
from backend.services.unit_of_work import StaleRecord

# SQLSTATEs of a transaction that lost a race: unique violation, serialization failure, deadlock.
_LOST_RACE_SQLSTATES = {"23505", "40001", "40P01"}


def lost_a_race(error: BaseException | None) -> bool:
    """Tell whether a database error means another transaction got there first."""
    if not isinstance(error, DBAPIError):
        return False
    if getattr(error.orig, "sqlstate", None) in _LOST_RACE_SQLSTATES:
        return True
    # SQLite names the constraint in the message and has no SQLSTATE.
    return isinstance(error, IntegrityError) and "UNIQUE constraint failed" in str(error.orig)


class SqlUnitOfWorkFactory:
    """Makes units of work on one engine.

    SQLite allows one writer at a time and fails a transaction that upgrades a read lock to a
    write lock while another writer holds it (busy_timeout does not help there), so on SQLite
    units of work in this process take turns. PostgreSQL runs them concurrently.
    """

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self._sessions = async_sessionmaker(engine, class_=AsyncSession, expire_on_commit=False)
        self._writer_turn: asyncio.Lock | None = (
            asyncio.Lock() if engine.dialect.name == "sqlite" else None)

    def __call__(self) -> SqlUnitOfWork:
        return SqlUnitOfWork(self._sessions, self._writer_turn)


class SqlUnitOfWork:
    accounts: SqlAccounts
    settings: SqlSettings
    events: SqlWebhookEvents
    jobs: SqlJobs
    recoveries: SqlRecoveries
    attempts: SqlAttempts
    stats: SqlRecoveryStats
    messages: SqlMessages
    analytics: SqlAnalytics
    takeovers: SqlTakeovers
    audit: SqlAuditTrail
    erasure: SqlErasure

    def __init__(self, sessions: async_sessionmaker[AsyncSession], writer_turn: asyncio.Lock | None) -> None:
        self._sessions = sessions
        self._writer_turn = writer_turn

    async def __aenter__(self) -> Self:
        if self._writer_turn is not None:
            await self._writer_turn.acquire()
        self._session = self._sessions()
        self.accounts = SqlAccounts(self._session)
        self.settings = SqlSettings(self._session)
        self.events = SqlWebhookEvents(self._session)
        self.jobs = SqlJobs(self._session)
        self.recoveries = SqlRecoveries(self._session)
        self.attempts = SqlAttempts(self._session)
        self.stats = SqlRecoveryStats(self._session)
        self.messages = SqlMessages(self._session)
        self.analytics = SqlAnalytics(self._session)
        self.takeovers = SqlTakeovers(self._session)
        self.audit = SqlAuditTrail(self._session)
        self.erasure = SqlErasure(self._session)
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        try:
            await self._session.rollback()  # a no-op after commit; undoes anything uncommitted
            await self._session.close()
        finally:
            if self._writer_turn is not None:
                self._writer_turn.release()
        if lost_a_race(exc):
            # Check-then-write raced with another transaction (two Dashboard clicks, two processes):
            # the loser sees the same error as a stale optimistic write, and its caller decides.
            raise StaleRecord("another change to the same records was saved first") from exc

    async def commit(self) -> None:
        await self._session.commit()
