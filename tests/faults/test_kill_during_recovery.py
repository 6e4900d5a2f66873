"""`kill -9` at random moments while 500 recoveries run: the end state equals an uninterrupted run."""

from __future__ import annotations

import asyncio
import os
import random
from datetime import timedelta
from pathlib import Path

import pytest

from backend.adapters.db.engine import create_engine
from tests.faults.world import World, end_state, job_summary, running_world
from tests.processes.support import wait_until

pytestmark = pytest.mark.slow
# CI runs 60 renewals (two runs of under a minute each on two cores) so the whole fault suite stays
# within about four minutes; FAULT_SUITE_RECOVERIES=500 runs the full size, about twelve minutes a run.
RECOVERIES = int(os.environ.get("FAULT_SUITE_RECOVERIES", "60"))
CUSTOMERS, SEED = 20, 13
ACCOUNTS = max(1, RECOVERIES // CUSTOMERS)
DUNNING_WINDOW = timedelta(days=30)
STEP = timedelta(hours=12)


async def _run(logs: Path, *, kills: bool) -> tuple[list, dict, int]:
    logs.mkdir()
    database = logs / "recoup.db"
    async with running_world(logs, f"sqlite:///{database}") as world:
        await world.failed_renewals(accounts=ACCOUNTS, customers=CUSTOMERS, seed=SEED)
        # Kills start once the renewals are enrolled: a set-up interrupted over and over would move
        # Stripe's redeliveries (and so every date after them) hours away from the calm run's.
        killer = asyncio.create_task(_kill_now_and_then(world)) if kills else None
        try:
            await world.run_for(DUNNING_WINDOW, STEP)
        finally:
            if killer is not None:
                killer.cancel()
        await world.settle()
        engine = create_engine(f"sqlite+aiosqlite:///{database}")
        try:
            return (await end_state(world, engine), await job_summary(engine, await world.now()),
                    world.restarts)
        finally:
            await engine.dispose()


async def _kill_now_and_then(world: World) -> None:
    """SIGKILL the service after 1–5 s of work each time, and restart it at once, as a supervisor would."""
    chance = random.Random(SEED)
    service = world.services[0]
    while True:
        await asyncio.sleep(chance.uniform(1.0, 5.0))
        await asyncio.to_thread(service.kill)
        service.launch()
        world.restarts += 1
        await asyncio.to_thread(wait_until, f"{service.base}/readyz")


async def test_a_service_killed_at_random_moments_ends_exactly_where_an_uninterrupted_one_does(tmp_path):
    calm, calm_jobs, _ = await _run(tmp_path / "uninterrupted", kills=False)
    crashed, crashed_jobs, restarts = await _run(tmp_path / "killed", kills=True)
    print(f"kill -9 suite: {len(calm)} renewals, {restarts} kills and restarts, "
          f"{sum(1 for a, b in zip(calm, crashed, strict=True) if a != b)} end states differ")

    assert restarts >= 5
    assert len(calm) == ACCOUNTS * CUSTOMERS
    assert crashed == calm
    assert crashed_jobs["stranded"] == calm_jobs["stranded"] == []
    assert crashed_jobs["failed"] == calm_jobs["failed"] == []
