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
# Recoup paces Stripe calls per account on the wall clock (20 requests/s in test mode). Simulated
# time squeezes a month into seconds, so on one account the pacing, not Recoup, would set the
# pace; a few subscribers per account keep every burst under the limit, as a month of real time would.
SUBSCRIBERS_PER_ACCOUNT = 3
OUTCOMES = ("recovered", "exhausted", "awaiting_customer")  # always shown, even at zero


async def _failed_renewals(stack: Stack, accounts: list[StripeAccount], k: int) -> Counter[str]:
    """Give `k` subscribers a card drawn from the default failure mix and fail their renewal."""
    mix = FailureMix(seed=7)  # the same draw on every run, so recovery on and off see the same cards
    drawn: Counter[str] = Counter()
    for n in range(k):
        name, behaviour = mix.draw()
        drawn[name] += 1
        account = accounts[n % len(accounts)]
        customer = stack.sim.create_customer(account, email=f"subscriber{n}@example.test")
        stack.sim.attach_card(account, customer, behaviour)
        subscription = stack.sim.create_subscription(account, customer, amount=2500 + 100 * (n % 20))
        stack.sim.create_failed_invoice(account, subscription)
    await stack.settle()
    return drawn


async def _seconds_per_day(k: int, days: int, recovery: bool, outcomes: Counter[str]) -> float:
    async with fresh_database(SQLITE) as database, \
            recoup_with_simulator(database.main, bench_config(database.url), START) as stack:
        accounts = [await stack.install({"enabled": recovery})
                    for _ in range(-(-k // SUBSCRIBERS_PER_ACCOUNT))]
        await _failed_renewals(stack, accounts, k)
        watch = Stopwatch()
        with watch.measure():
            # Hour steps, as the scenario tests move time: every due job and delivery runs on the way.
            await stack.advance(timedelta(days=days))
        outcomes.clear()
        async with stack.uow_factory() as uow:
            for account in accounts:
                outcomes.update(r.status for r in await uow.recoveries.list_for_account(account))
    return watch.seconds / days


async def _round(k: int, days: int, outcomes: Counter[str]) -> dict[str, float]:
    """Recovery off, then on, back to back, so both sides of the ratio share the machine's mood."""
    return {"off": await _seconds_per_day(k, days, False, Counter()),
            "on": await _seconds_per_day(k, days, True, outcomes)}


async def run(options: Options) -> str:
    k = options.size(full=24, quick=4)
    days = options.size(full=DAYS, quick=5)
    outcomes: Counter[str] = Counter()
    medians = await median_of(lambda: _round(k, days, outcomes), warm_up=lambda: _round(2, 2, Counter()))
    rows = [["recovery off: webhooks ingested, nothing scheduled", f"{medians['off']:.3f}", ratio(1.0)],
            ["recovery on: default settings (6 retries, 28 days)", f"{medians['on']:.3f}",
             ratio(medians["on"] / medians["off"])]]
    accounts = -(-k // SUBSCRIBERS_PER_ACCOUNT)
    table = render(f"3. End-to-end recovery: {k} failed renewals on {accounts} accounts, {days} simulated days "
                   f"in 1-hour steps (SQLite)",
                   ["run", "wall s per simulated day", "vs recovery off"], rows)
    names = [*OUTCOMES, *sorted(set(outcomes) - set(OUTCOMES))]
    counts = ", ".join(f"{name} {outcomes.get(name, 0)}" for name in names)
    return f"{table}\nrecoveries after {days} days (last run, recovery on): {counts}; {sum(outcomes.values())} of {k}"
