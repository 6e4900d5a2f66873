"""The durable job queue: enqueue with dedupe, claim with a lease, finish, retry, cancel.

On PostgreSQL several processes claim concurrently with `FOR UPDATE SKIP LOCKED`: each due row
goes to exactly one claimer, and a row whose lease expired (its process died mid-job) becomes
claimable again. SQLite has a single writer, so the same statements are safe there as they are.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Table, and_, bindparam, case, delete, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from backend.adapters.db.tables import JobRow
from backend.domain.billing import StripeAccount
from backend.services.records import ClaimedJob, JobStatus, NewJob

_OPEN = (str(JobStatus.PENDING), str(JobStatus.RUNNING), str(JobStatus.PAUSED))


@functools.cache
def _finish_statement() -> Any:
    """Mark a job this worker holds done, built once with bound parameters (every job ends with it)."""
    table: Table = JobRow.__table__  # type: ignore[attr-defined]
    return update(table).where(
        table.c.id == bindparam("job_id"), table.c.lease_owner == bindparam("owner"),
        table.c.status == str(JobStatus.RUNNING),
    ).values(status=str(JobStatus.DONE), finished_at=bindparam("now", type_=table.c.finished_at.type),
             lease_expires_at=None)


@functools.cache
def _enqueue_statement(dialect: str) -> Any:
    """The enqueue INSERT, built once per dialect with bound parameters.

    Every webhook delivery runs it, so it is compiled and cached once instead of being rebuilt
    (and its cache key recomputed) from literal values on each call.
    """
    table: Table = JobRow.__table__  # type: ignore[attr-defined]
    columns = ("kind", "account_id", "livemode", "recovery_id", "payload", "run_at", "status", "tries",
               "max_tries", "dedupe_key", "created_at")
    insert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table).values(
        {name: bindparam(name, type_=table.c[name].type) for name in columns})
    # Work that was cancelled (a pause, a re-plan) and is planned again comes back to life;
    # work that is queued, running or finished is never queued a second time.
    return insert.on_conflict_do_update(
        index_elements=["dedupe_key"],
        set_={"status": str(JobStatus.PENDING), "run_at": insert.excluded.run_at, "payload": insert.excluded.payload,
              "tries": 0, "last_error": None, "lease_owner": None, "lease_expires_at": None, "finished_at": None},
        where=table.c.status == str(JobStatus.CANCELLED),
    )


class SqlJobs:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def enqueue(self, job: NewJob, now: datetime) -> bool:
        dialect = self._session.bind.dialect.name if self._session.bind else "sqlite"
        result = await self._session.execute(_enqueue_statement(dialect), {
            "kind": job.kind, "account_id": job.account.id, "livemode": job.account.livemode,
            "recovery_id": job.recovery_id, "payload": job.payload, "run_at": job.run_at,
            "status": str(JobStatus.PENDING), "tries": 0, "max_tries": job.max_tries,
            "dedupe_key": job.dedupe_key, "created_at": now})
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def claim_due(self, now: datetime, *, owner: str, lease: timedelta,
                        limit: int) -> list[ClaimedJob]:
        due = or_(
            and_(col(JobRow.status) == str(JobStatus.PENDING), col(JobRow.run_at) <= now),
            and_(col(JobRow.status) == str(JobStatus.RUNNING), col(JobRow.lease_expires_at) < now),
        )
        query = select(col(JobRow.id)).where(due).order_by(col(JobRow.run_at), col(JobRow.id)).limit(limit)
        if self._session.bind is not None and self._session.bind.dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        ids = list((await self._session.execute(query)).scalars())
        if not ids:
            return []
        # The `due` condition is repeated in the UPDATE so a row another claimer took between the
        # SELECT and here (possible on SQLite without row locks) is not taken twice.
        await self._session.execute(
            update(JobRow).where(col(JobRow.id).in_(ids), due)
            .values(status=str(JobStatus.RUNNING), lease_owner=owner, lease_expires_at=now + lease,
                    tries=JobRow.tries + 1)
            .execution_options(synchronize_session=False)
        )
        rows = (await self._session.execute(
            select(JobRow).where(col(JobRow.id).in_(ids), col(JobRow.lease_owner) == owner,
                                 col(JobRow.status) == str(JobStatus.RUNNING))
            .order_by(col(JobRow.run_at), col(JobRow.id)))).scalars().all()
        return [_claimed(row) for row in rows]

    async def _owned_update(self, job_id: int, owner: str, **values: Any) -> bool:
        result = await self._session.execute(
            update(JobRow).where(col(JobRow.id) == job_id, col(JobRow.lease_owner) == owner,
                                 col(JobRow.status) == str(JobStatus.RUNNING))
            .values(**values).execution_options(synchronize_session=False))
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def finish(self, job_id: int, *, owner: str, now: datetime) -> bool:
        # The owner stays on a finished row: it tells the operator which process ran the job.
        result = await self._session.execute(_finish_statement(), {"job_id": job_id, "owner": owner, "now": now})
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def retry_later(self, job_id: int, *, owner: str, run_at: datetime, error: str) -> bool:
        return await self._owned_update(job_id, owner, status=str(JobStatus.PENDING), run_at=run_at,
                                        last_error=error[:2000], lease_owner=None,
                                        lease_expires_at=None)

    async def park(self, job_id: int, *, owner: str) -> bool:
        return await self._owned_update(job_id, owner, status=str(JobStatus.PAUSED), tries=JobRow.tries - 1,
                                        lease_owner=None, lease_expires_at=None)

    async def fail(self, job_id: int, *, owner: str, now: datetime, error: str) -> bool:
        return await self._owned_update(job_id, owner, status=str(JobStatus.FAILED), finished_at=now,
                                        last_error=error[:2000], lease_expires_at=None)

    async def cancel_for_recovery(self, recovery_id: str, now: datetime,
                                  kinds: Sequence[str] | None = None,
                                  except_dedupe_key: str | None = None,
                                  keep_interrupted: bool = False) -> int:
        conditions = [col(JobRow.recovery_id) == recovery_id,
                      col(JobRow.status).in_([str(JobStatus.PENDING), str(JobStatus.PAUSED)])]
        if keep_interrupted:
            conditions.append(col(JobRow.tries) == 0)
        if kinds is not None:
            conditions.append(col(JobRow.kind).in_(list(kinds)))
        if except_dedupe_key is not None:
            conditions.append(col(JobRow.dedupe_key) != except_dedupe_key)
        return await self._set_status(conditions, JobStatus.CANCELLED, finished_at=now)

    async def pause_for_recovery(self, recovery_id: str) -> int:
        return await self._set_status([col(JobRow.recovery_id) == recovery_id,
                                       col(JobRow.status) == str(JobStatus.PENDING)], JobStatus.PAUSED)

    async def cancel_for_account(self, account: StripeAccount, now: datetime) -> int:
        return await self._set_status(
            [*_of(account), col(JobRow.status).in_([str(JobStatus.PENDING), str(JobStatus.PAUSED)])],
            JobStatus.CANCELLED, finished_at=now)

    async def pause_for_account(self, account: StripeAccount) -> int:
        return await self._set_status([*_of(account), col(JobRow.status) == str(JobStatus.PENDING)],
                                      JobStatus.PAUSED)

    async def resume_for_recovery(self, recovery_id: str, now: datetime) -> int:
        return await self._set_status([col(JobRow.recovery_id) == recovery_id,
                                       col(JobRow.status) == str(JobStatus.PAUSED)], JobStatus.PENDING,
                                      run_at=case((col(JobRow.run_at) < now, now), else_=JobRow.run_at))

    async def resume_for_account(self, account: StripeAccount, now: datetime) -> int:
        # Jobs whose time passed while paused are due now, not at a moment already gone.
        return await self._set_status([*_of(account), col(JobRow.status) == str(JobStatus.PAUSED)],
                                      JobStatus.PENDING,
                                      run_at=case((col(JobRow.run_at) < now, now), else_=JobRow.run_at))

    async def _set_status(self, conditions: list[Any], status: JobStatus, **values: Any) -> int:
        values = {k: v for k, v in values.items() if v is not None}
        result = await self._session.execute(
            update(JobRow).where(*conditions).values(status=str(status), **values)
            .execution_options(synchronize_session=False))
        return int(result.rowcount)  # type: ignore[attr-defined]

    async def pending_for_recovery(self, recovery_id: str) -> list[ClaimedJob]:
        rows = (await self._session.execute(
            select(JobRow).where(col(JobRow.recovery_id) == recovery_id,
                                 col(JobRow.status).in_(_OPEN)).order_by(col(JobRow.run_at))
        )).scalars().all()
        return [_claimed(row) for row in rows]

    async def count_by_status(self) -> dict[str, int]:
        rows = (await self._session.execute(
            select(col(JobRow.status), func.count()).group_by(col(JobRow.status)))).all()
        return {status: count for status, count in rows}


    async def prune(self, finished_before: datetime) -> int:
        finished = [str(JobStatus.DONE), str(JobStatus.CANCELLED), str(JobStatus.FAILED)]
        result = await self._session.execute(
            delete(JobRow).where(col(JobRow.status).in_(finished), col(JobRow.finished_at) < finished_before))
        return int(result.rowcount)  # type: ignore[attr-defined]


def _of(account: StripeAccount) -> list[Any]:
    return [col(JobRow.account_id) == account.id, col(JobRow.livemode) == account.livemode]


def _claimed(row: JobRow) -> ClaimedJob:
    assert row.id is not None
    return ClaimedJob(id=row.id, kind=row.kind, account=StripeAccount(row.account_id, row.livemode),
                      recovery_id=row.recovery_id, payload=dict(row.payload), run_at=row.run_at,
                      tries=row.tries, max_tries=row.max_tries, dedupe_key=row.dedupe_key)
