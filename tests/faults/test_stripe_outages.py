"""Stripe failing 30 % of calls, then down for two hours: every recovery still ends, once, as it should."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

from sqlalchemy import text

from backend.adapters.db.engine import create_engine
from backend.adapters.db.migrations import upgrade_to_head
from backend.simulator.behaviours import FailureMix
from tests.conftest import START
from tests.faults.flaky_stripe import FlakyStripe, Outage
from tests.harness import recoup_with_simulator

ACCOUNTS, CUSTOMERS, SEED = 4, 10, 21
FAULTY_SHARE = 0.3
OUTAGE = Outage(START, START + timedelta(hours=2))  # from the first failure on: every assessment meets it


async def _run(directory, config, wrap=None):
    engine = create_engine(f"sqlite+aiosqlite:///{directory}/recoup.db")
    await upgrade_to_head(engine)
    async with recoup_with_simulator(engine, config, START, wrap_stripe=wrap) as stack:
        mix = FailureMix(seed=SEED)
        population = []
        for _ in range(ACCOUNTS):
            account = await stack.install()
            for _ in range(CUSTOMERS):
                name, behaviour = mix.draw()
                customer = stack.sim.create_customer(account, country="US")
                stack.sim.attach_card(account, customer, behaviour)
                subscription = stack.sim.create_subscription(account, customer, amount=2500)
                population.append((account, customer, name, stack.sim.create_failed_invoice(account, subscription)))
                await stack.settle()
        # Fine steps through the outage, so jobs come back as often as a 2 s tick would let them.
        await stack.advance(OUTAGE.end - START + timedelta(hours=1), step=timedelta(seconds=30))
        await stack.advance(timedelta(days=30), step=timedelta(hours=1))
        state = []
        for account, customer, name, invoice in population:
            recovery = await stack.recovery(account, invoice)
            paid = [c for c in stack.charges(account, customer) if c["status"] == "succeeded"]
            # Per renewal: what was charged, how the invoice and the recovery ended, and who is credited.
            state.append((name, len(paid), stack.invoice(account, invoice)["status"],
                          (recovery.status, recovery.outcome, recovery.recovered_by)))
        async with engine.connect() as connection:
            jobs = [tuple(row) for row in (await connection.execute(
                text("SELECT kind, status, last_error FROM job"))).all()]
    await engine.dispose()
    return state, jobs


async def test_calls_failing_at_random_and_a_two_hour_outage_change_no_outcome(tmp_path, config):
    (tmp_path / "calm").mkdir()
    (tmp_path / "stormy").mkdir()
    calm, calm_jobs = await _run(tmp_path / "calm", config)
    faults: list[FlakyStripe] = []

    def flaky(inner, clock, sim):
        faults.append(FlakyStripe(inner, clock, sim, share=FAULTY_SHARE, seed=SEED, outages=[OUTAGE]))
        return faults[0]

    stormy, stormy_jobs = await _run(tmp_path / "stormy", config, flaky)

    seen = faults[0].seen
    assert seen["outage"] > 0 and all(seen[kind] > 0 for kind in ("429", "500", "503", "timeout_after"))
    assert stormy == calm
    assert [job for job in stormy_jobs if job[1] in ("failed", "running")] == []
    # A storm may add work (Stripe's own retries fire while the write that stops them waits out
    # the outage, and their events need applying), but no kind of work is ever dropped.
    calm_done = Counter(kind for kind, status, _ in calm_jobs if status == "done")
    stormy_done = Counter(kind for kind, status, _ in stormy_jobs if status == "done")
    assert all(stormy_done[kind] >= count for kind, count in calm_done.items())
