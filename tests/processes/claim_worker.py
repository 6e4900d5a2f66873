"""A worker process for the multi-process claim test: drains due jobs, logging each run.

Run as `python -m tests.processes.claim_worker POSTGRES_URL SCHEMA OWNER`.
"""

from __future__ import annotations

import asyncio
import sys
from datetime import UTC, datetime, timedelta

from sqlalchemy import text

from backend.adapters.clock import SystemClock
from backend.adapters.db.engine import create_engine
from backend.adapters.db.unit_of_work import SqlUnitOfWorkFactory
from backend.jobs.runner import JobDeps, JobRun, JobRunner

IDLE_TICKS_BEFORE_EXIT = 5


async def main(url: str, schema: str, owner: str) -> None:
    engine = create_engine(url, postgres_schema=schema)
    log_engine = create_engine(url, postgres_schema=schema)

    async def record_run(deps: JobDeps, run: JobRun) -> None:
        # Logged outside the job's transaction on purpose: a second execution would show here
        # even if its own writes were rolled back.
        async with log_engine.begin() as connection:
            await connection.execute(text("INSERT INTO job_run_log (job_id, owner) VALUES (:id, :owner)"),
                                     {"id": run.job.id, "owner": owner})
        await asyncio.sleep(0.002)  # a little work, so the two processes interleave
        async with deps.uow_factory() as uow:
            await run.finish(uow)
            await uow.commit()

    runner = JobRunner(JobDeps(SqlUnitOfWorkFactory(engine), SystemClock(), gateway=None),  # type: ignore[arg-type]
                       {"probe": record_run}, owner=owner, lease=timedelta(minutes=5), batch_size=20,
                       concurrency=4)
    idle = 0
    started = datetime.now(UTC)
    while idle < IDLE_TICKS_BEFORE_EXIT and datetime.now(UTC) - started < timedelta(minutes=2):
        idle = idle + 1 if await runner.tick() == 0 else 0
        await asyncio.sleep(0.01)
    await engine.dispose()
    await log_engine.dispose()


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:4]))
