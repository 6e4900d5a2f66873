"""Two service processes on one PostgreSQL database, both ticking: every job runs once, nothing twice."""

from __future__ import annotations

import uuid
from collections import Counter
from datetime import timedelta

import asyncpg
import pytest
from sqlalchemy import text

from backend.adapters.db.engine import create_engine
from tests.conftest import POSTGRES_URL, postgres_unavailable
from tests.faults.world import end_state, job_summary, running_world

pytestmark = [pytest.mark.slow, pytest.mark.postgres]
ACCOUNTS, CUSTOMERS, SEED = 2, 20, 5
QUICK_DUNNING = {"max_retries": 3, "dunning_days": 7}


async def _run(logs, services: int):
    logs.mkdir()
    name = f"recoup_faults_{uuid.uuid4().hex[:8]}"
    admin = POSTGRES_URL.replace("postgresql+asyncpg", "postgresql")
    connection = await asyncpg.connect(admin)
    await connection.execute(f'CREATE DATABASE "{name}"')
    await connection.close()
    url = f"{POSTGRES_URL.rsplit('/', 1)[0]}/{name}"
    engine = create_engine(url)
    try:
        async with running_world(logs, url, services=services) as world:
            await world.failed_renewals(accounts=ACCOUNTS, customers=CUSTOMERS, seed=SEED, settings=QUICK_DUNNING)
            await world.run_for(timedelta(days=9), timedelta(hours=12))
            async with engine.connect() as connection:
                owners = Counter(str(owner).split(":")[1] for (owner,) in (await connection.execute(
                    text("SELECT lease_owner FROM job WHERE status = 'done'"))).all())
                # A job runs again only after a run that ended in an error it recorded (a stale write
                # lost to the other process, a 429): more than one claim with no error is a double claim.
                tries = Counter(tries for (tries,) in (await connection.execute(
                    text("SELECT tries FROM job WHERE status = 'done' AND last_error IS NULL"))).all())
            return await end_state(world, engine), await job_summary(engine, await world.now()), owners, tries
    finally:
        await engine.dispose()
        connection = await asyncpg.connect(admin)
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await connection.close()


async def test_two_services_sharing_one_database_end_where_one_service_does(tmp_path):
    problem = await postgres_unavailable()
    if problem:
        pytest.skip(problem)

    alone, alone_jobs, _, _ = await _run(tmp_path / "one", services=1)
    shared, shared_jobs, owners, tries = await _run(tmp_path / "two", services=2)

    assert len(owners) == 2, f"both services should have run jobs: {owners}"
    assert set(tries) == {1}  # no job was claimed twice without a recorded error
    assert shared == alone
    assert shared_jobs["stranded"] == shared_jobs["failed"] == []
    assert shared_jobs["statuses"] == alone_jobs["statuses"]
