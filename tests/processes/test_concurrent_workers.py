"""Two backend processes on one PostgreSQL database: every due job runs exactly once."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import text

from backend.adapters.db.unit_of_work import SqlUnitOfWorkFactory
from backend.domain.billing import StripeAccount
from backend.services.records import NewJob
from tests.conftest import POSTGRES_URL, START
from tests.processes.support import ROOT

pytestmark = [pytest.mark.slow, pytest.mark.postgres]
JOBS = 1000


async def test_two_processes_run_each_of_a_thousand_jobs_exactly_once(postgres_engine):
    uow_factory = SqlUnitOfWorkFactory(postgres_engine)
    schema = await _schema_of(postgres_engine)
    async with postgres_engine.begin() as connection:
        await connection.execute(text("CREATE TABLE job_run_log (job_id integer NOT NULL, owner text NOT NULL)"))
    account = StripeAccount("acct_1Busy", False)
    async with uow_factory() as uow:
        for n in range(JOBS):
            await uow.jobs.enqueue(NewJob(kind="probe", account=account, run_at=START - timedelta(minutes=1),
                                          dedupe_key=f"probe:{n}"), START)
        await uow.commit()

    workers = [await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tests.processes.claim_worker", POSTGRES_URL, schema, f"worker-{n}", cwd=ROOT,
        stderr=subprocess.PIPE) for n in range(2)]
    results = [await asyncio.wait_for(worker.communicate(), timeout=180) for worker in workers]

    assert [worker.returncode for worker in workers] == [0, 0], [err.decode()[-2000:] for _out, err in results]
    async with postgres_engine.connect() as connection:
        runs = (await connection.execute(text("SELECT job_id, owner FROM job_run_log"))).all()
        statuses = dict((await connection.execute(text("SELECT status, count(*) FROM job GROUP BY status"))).all())
    per_job = Counter(job_id for job_id, _owner in runs)
    per_worker = Counter(owner for _job_id, owner in runs)
    assert len(per_job) == JOBS
    assert set(per_job.values()) == {1}
    assert statuses == {"done": JOBS}
    assert all(per_worker[f"worker-{n}"] > 0 for n in range(2)), per_worker


async def _schema_of(engine) -> str:
    async with engine.connect() as connection:
        return str((await connection.execute(text("SELECT current_schema()"))).scalar_one())
