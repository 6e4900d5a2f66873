"""End to end: failed renewals taken through 30 simulated days, with recovery on and off."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

from backend.domain.billing import StripeAccount
from backend.simulator.behaviours import FailureMix
from bench.databases import SQLITE, fresh_database
from bench.options import Options
from bench.table import ratio, render
from bench.timing import Stopwatch, median_of
from bench.wiring import START, bench_config
from tests.harness import Stack, recoup_with_simulator

DAYS = 30
OUTCOMES = ("recovered", "exhausted", "awaiting_customer")


async def _failed_renewals(stack: Stack, account: StripeAccount, k: int) -> Counter[str]:
    """Give `k` subscribers a card drawn from the default failure mix and fail their renewal."""
    mix = FailureMix(seed=7)  # the same draw on every run, so recovery on and off see the same cards
    drawn: Counter[str] = Counter()
    for n in range(k):
        name, behaviour = mix.draw()
        drawn[name] += 1
        customer = stack.sim.create_customer(account, email=f"subscriber{n}@example.test")
        stack.sim.attach_card(account, customer, behaviour)
        subscription = stack.sim.create_subscription(account, customer, amount=2500 + 100 * (n % 20))
        stack.sim.create_failed_invoice(account, subscription)
    await stack.settle()
    return drawn


async def _round(k: int, days: int, recovery: bool, outcomes: Counter[str]) -> dict[str, float]:
    async with fresh_database(SQLITE) as database, \
            recoup_with_simulator(database.main, bench_config(database.url), START) as stack:
        account = await stack.install({"enabled": recovery})
        await _failed_renewals(stack, account, k)
        watch = Stopwatch()
        with watch.measure():
            # Hour steps, as the scenario tests move time: every due job and delivery runs on the way.
            await stack.advance(timedelta(days=days))
        async with stack.uow_factory() as uow:
            outcomes.clear()
            outcomes.update(r.status for r in await uow.recoveries.list_for_account(account))
    return {"per_day": watch.seconds / days}


async def run(options: Options) -> str:
    k = options.size(full=24, quick=4)
    days = options.size(full=DAYS, quick=5)
    outcomes: Counter[str] = Counter()
    off = await median_of(lambda: _round(k, days, False, Counter()), warm_up=lambda: _round(2, 2, False, Counter()))
    on = await median_of(lambda: _round(k, days, True, outcomes), warm_up=lambda: _round(2, 2, True, Counter()))
    rows = [["recovery off: webhooks ingested, nothing scheduled", f"{off['per_day']:.3f}", ratio(1.0)],
            ["recovery on: defaults (6 retries, 28 days)", f"{on['per_day']:.3f}",
             ratio(on["per_day"] / off["per_day"])]]
    table = render(f"3. End-to-end recovery: {k} failed renewals, {days} simulated days in 1-hour steps (SQLite)",
                   ["run", "wall s per simulated day", "vs recovery off"], rows)
    counts = ", ".join(f"{name} {outcomes.get(name, 0)}" for name in OUTCOMES)
    other = sum(outcomes.values()) - sum(outcomes.get(name, 0) for name in OUTCOMES)
    return f"{table}\noutcomes after {days} days (last run): {counts}, other {other}, of {k} recoveries"
