"""P5: how much failed revenue Recoup wins back compared with Stripe's own retries alone.

The same population (the simulator's default failure mix, a fixed seed) goes through the whole
dunning window twice: once with Stripe's Smart Retries on and Recoup switched off, once with
Smart Retries off and Recoup on with its default settings. What counts is the share of the failed
amount that ended up paid, overall and by the card's failure cause.
"""

from __future__ import annotations

import os
from collections import defaultdict
from datetime import timedelta

from backend.simulator.behaviours import FailureMix
from bench.databases import SQLITE, fresh_database
from bench.options import Options
from bench.summary import summarise
from bench.table import render
from bench.wiring import START, bench_config
from tests.harness import recoup_with_simulator

SEED = 7
DAYS = 30
STEP = timedelta(hours=6)
# Recoup paces its Stripe calls per account on the wall clock; a month squeezed into minutes would
# otherwise be limited by that pacing, so the population is spread over accounts.
SUBSCRIBERS_PER_ACCOUNT = 25


async def _recovered_by_cause(population: int, *, recoup: bool) -> dict[str, tuple[int, int]]:
    """Return, per failure cause, (amount paid at the end, amount that failed)."""
    mix = FailureMix(seed=SEED)
    figures: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    async with fresh_database(SQLITE) as database, \
            recoup_with_simulator(database.main, bench_config(database.url), START) as stack:
        accounts = []
        for _ in range(-(-population // SUBSCRIBERS_PER_ACCOUNT)):
            account = stack.sim.install_account(smart_retries=not recoup)
            await stack.settle()
            if recoup:
                from backend.services.account_settings import save_settings

                await save_settings(stack.uow_factory, stack.clock, account, {"enabled": True})
            accounts.append(account)
        renewals = []
        for n in range(population):
            name, behaviour = mix.draw()
            account = accounts[n % len(accounts)]
            customer = stack.sim.create_customer(account, country=("US", "GB", "DE", "FR")[n % 4])
            stack.sim.attach_card(account, customer, behaviour)
            amount = 2500 + 100 * (n % 20)
            subscription = stack.sim.create_subscription(account, customer, amount=amount)
            renewals.append((name, account, stack.sim.create_failed_invoice(account, subscription), amount))
            if n % SUBSCRIBERS_PER_ACCOUNT == SUBSCRIBERS_PER_ACCOUNT - 1:
                await stack.settle()
        await stack.settle()
        await stack.advance(timedelta(days=DAYS), step=STEP)
        for name, account, invoice, amount in renewals:
            figures[name][1] += amount
            if stack.invoice(account, invoice)["status"] == "paid":
                figures[name][0] += amount
    return {name: (paid, failed) for name, (paid, failed) in figures.items()}


def _share(paid: int, failed: int) -> float:
    return 100.0 * paid / failed if failed else 0.0


async def run(options: Options) -> str:
    population = options.size(full=int(os.environ.get("BENCH_P5_POPULATION", "1000")), quick=40)
    stripe_only = await _recovered_by_cause(population, recoup=False)
    with_recoup = await _recovered_by_cause(population, recoup=True)
    rows = []
    for name in sorted(stripe_only, key=lambda n: -stripe_only[n][1]):
        rows.append([name, f"{stripe_only[name][1] / 100:,.0f}", f"{_share(*stripe_only[name]):.1f}%",
                     f"{_share(*with_recoup[name]):.1f}%"])
    stripe_total = _share(sum(p for p, _ in stripe_only.values()), sum(f for _, f in stripe_only.values()))
    recoup_total = _share(sum(p for p, _ in with_recoup.values()), sum(f for _, f in with_recoup.values()))
    rows.append(["all causes", f"{sum(f for _, f in stripe_only.values()) / 100:,.0f}", f"{stripe_total:.1f}%",
                 f"{recoup_total:.1f}%"])
    table = render(f"P5. Failed revenue recovered within {DAYS} days: {population} failed renewals, seed {SEED}",
                   ["failure cause", "failed amount", "Stripe retries only", "Recoup"], rows)
    ratio = recoup_total / stripe_total if stripe_total else float("inf")
    line = summarise(f"P5 effectiveness: ratio={ratio:.2f} recoup={recoup_total:.1f}% stripe_only={stripe_total:.1f}% "
                     f"population={population} seed={SEED}")
    return f"{table}\n{line}"
