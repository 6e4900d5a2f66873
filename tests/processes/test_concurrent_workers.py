"""Two backend processes on one PostgreSQL database: every due job runs exactly once."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import uuid
from collections import Counter
from datetime import timedelta

import asyncpg
import pytest
from sqlalchemy import text

from backend.adapters.db.engine import create_engine
from backend.adapters.db.migrations import upgrade_to_head
from backend.adapters.db.unit_of_work import SqlUnitOfWorkFactory
from backend.domain.billing import StripeAccount
from backend.services.records import NewJob
from tests.conftest import POSTGRES_URL, START, postgres_unavailable
from tests.processes.support import ROOT, free_port, start, stop

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


async def test_two_running_services_share_a_thousand_due_jobs_without_running_any_twice(tmp_path):
    """The same, with two real `serve` processes and their APScheduler ticks.

    The jobs are tag jobs whose recoveries no longer exist, the cheapest real job: each one looks,
    finds nothing to do and finishes, so nothing here depends on Stripe.
    """
    database = await _fresh_database()
    url = f"{POSTGRES_URL.rsplit('/', 1)[0]}/{database}"
    engine = create_engine(url)
    try:
        await upgrade_to_head(engine)
        uow_factory = SqlUnitOfWorkFactory(engine)
        account = StripeAccount("acct_1Shared", False)
        async with uow_factory() as uow:
            for n in range(JOBS):
                await uow.jobs.enqueue(NewJob(kind="tag_invoice", account=account, recovery_id=f"rec_gone_{n}",
                                              run_at=START, payload={"status": "in_recovery"},
                                              dedupe_key=f"tag:{n}"), START)
            await uow.commit()
        services = [start("backend", {
            "DATABASE_URL": url, "PORT": str(free_port()), "SCHEDULER_TICK_SECONDS": "0.05",
            "STRIPE_SECRET_KEY": "sk_test_unused", "STRIPE_WEBHOOK_SECRET": "whsec_unused",
            "STRIPE_APP_SECRET": "absec_unused", "LINK_SIGNING_SECRET": "u" * 40,
            "STRIPE_API_BASE": "http://127.0.0.1:9"}, tmp_path / f"service-{n}.log") for n in range(2)]
        try:
            rows = await _wait_until_all_done(engine)
        finally:
            for service in services:
                stop(service)
    finally:
        await engine.dispose()
        await _drop_database(database)

    assert len(rows) == JOBS
    assert {(status, tries) for status, tries, _owner in rows} == {("done", 1)}
    owners = Counter(owner.split(":")[1] for _status, _tries, owner in rows)
    assert len(owners) == 2, f"both services should have run jobs: {owners}"


async def _wait_until_all_done(engine, timeout: float = 120.0) -> list[tuple[str, int, str]]:
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        async with engine.connect() as connection:
            rows = [tuple(row) for row in (await connection.execute(
                text("SELECT status, tries, lease_owner FROM job"))).all()]
        if all(status == "done" for status, _tries, _owner in rows):
            return rows  # type: ignore[return-value]
        if asyncio.get_running_loop().time() > deadline:
            raise TimeoutError(f"jobs still open: {Counter(status for status, _t, _o in rows)}")
        await asyncio.sleep(0.2)


async def _fresh_database() -> str:
    problem = await postgres_unavailable()
    if problem:
        pytest.skip(problem)
    name = f"recoup_{uuid.uuid4().hex[:10]}"
    connection = await asyncpg.connect(POSTGRES_URL.replace("postgresql+asyncpg", "postgresql"))
    await connection.execute(f'CREATE DATABASE "{name}"')
    await connection.close()
    return name


async def _drop_database(name: str) -> None:
    connection = await asyncpg.connect(POSTGRES_URL.replace("postgresql+asyncpg", "postgresql"))
    await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    await connection.close()
