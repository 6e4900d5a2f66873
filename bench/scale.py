"""P3 and P4: a tick, and the Dashboard API, with a million rows in the database.

P3 grows the job queue to 1k, 10k, 100k and 1M open (future) jobs and times one tick that claims
and finishes the same 50 due jobs each time: the tick's cost must follow what is due, not what
exists. P4 then adds 1M attempts (250k recoveries of four attempts each over 100 accounts) and
measures the p99 of the invoice panel and of the home overview through the real API.
"""

from __future__ import annotations

import gc
import json
import os
import statistics
import time
from datetime import timedelta
from typing import Any

import httpx
import stripe
from sqlalchemy import insert, text
from sqlalchemy.ext.asyncio import AsyncEngine

from backend.adapters.clock import ManualClock
from backend.adapters.db.tables import AttemptRow, JobRow, RecoveryRow
from backend.adapters.db.unit_of_work import SqlUnitOfWorkFactory
from backend.app import create_app
from backend.domain.billing import StripeAccount
from backend.jobs.outcomes import Done, Outcome
from backend.jobs.runner import JobDeps, JobRun, JobRunner
from backend.services.account_settings import save_settings
from backend.services.records import AccountRecord, AccountStatus, NewJob
from bench.databases import POSTGRES, SQLITE, fresh_database
from bench.options import Options
from bench.summary import summarise
from bench.table import ratio, render
from bench.wiring import START, bench_config, unreachable_gateway

SIZES = (1_000, 10_000, 100_000, 1_000_000)
DUE = 50
TICKS = 7
BATCH = 20_000
ACCOUNTS = 100
ATTEMPTS_PER_RECOVERY = 4
API_READS = 300
APP_SECRET = "absec_bench"


async def _finish(deps: JobDeps, run: JobRun) -> Outcome:
    async with deps.uow_factory() as uow:
        await run.finish(uow)
        await uow.commit()
    return Done()


async def _grow_queue(engine: AsyncEngine, start: int, end: int) -> None:
    """Open jobs due in a month: they exist, as a million recoveries' next steps would, but are not due."""
    later = START + timedelta(days=30)
    for first in range(start, end, BATCH):
        rows = [{"kind": "pay_invoice", "account_id": f"acct_{n % ACCOUNTS}", "livemode": False,
                 "recovery_id": f"rec_{n}", "payload": {}, "run_at": later + timedelta(seconds=n),
                 "status": "pending", "tries": 0, "max_tries": 8, "dedupe_key": f"bench:{n}", "created_at": START}
                for n in range(first, min(first + BATCH, end))]
        async with engine.begin() as connection:
            await connection.execute(insert(JobRow), rows)


async def _analyze(engine: AsyncEngine, *tables: str) -> None:
    """Give the planner statistics for tables the benchmark bulk-loaded, as autovacuum keeps them on
    a database that grew over months (the test server runs without it). Without statistics the
    planner guesses, and a read can pick an index that filters thousands of rows."""
    async with engine.begin() as connection:
        for table in tables:
            await connection.execute(text(f"ANALYZE {table}"))


async def _tick_ms(uow_factory: SqlUnitOfWorkFactory, clock: ManualClock, round_: int) -> float:
    account = StripeAccount("acct_due", False)
    async with uow_factory() as uow:
        for n in range(DUE):
            await uow.jobs.enqueue(NewJob(kind="bench_due", account=account, run_at=clock.now(),
                                          dedupe_key=f"due:{round_}:{n}"), clock.now())
        await uow.commit()
    runner = JobRunner(JobDeps(uow_factory, clock, unreachable_gateway()), {"bench_due": _finish},
                       owner=f"bench-{round_}", batch_size=DUE)
    started = time.perf_counter()
    claimed = await runner.tick()
    elapsed = (time.perf_counter() - started) * 1000
    if claimed != DUE:
        raise RuntimeError(f"the tick claimed {claimed} jobs, expected {DUE}")
    return elapsed


async def _tick_costs(kind: str, sizes: tuple[int, ...]) -> tuple[dict[int, float], Any]:
    costs: dict[int, float] = {}
    database_cm = fresh_database(kind)
    database = await database_cm.__aenter__()
    uow_factory = SqlUnitOfWorkFactory(database.main)
    clock = ManualClock(START)
    existing = 0
    for size in sizes:
        await _grow_queue(database.main, existing, size)
        await _analyze(database.main, "job")
        existing = size
        samples = [await _tick_ms(uow_factory, clock, size * 100 + n) for n in range(TICKS + 1)][1:]
        costs[size] = statistics.median(samples)
    return costs, (database_cm, database)


async def _seed_attempts(engine: AsyncEngine, recoveries: int) -> None:
    for first in range(0, recoveries, BATCH // ATTEMPTS_PER_RECOVERY):
        last = min(first + BATCH // ATTEMPTS_PER_RECOVERY, recoveries)
        recovery_rows = [{
            "id": f"rec_{n}", "account_id": f"acct_{n % ACCOUNTS}", "livemode": False, "invoice_id": f"in_{n}",
            "customer_id": f"cus_{n}", "amount": 2500, "currency": "usd",
            "status": ("scheduled", "recovered", "exhausted")[n % 3], "attempts_made": ATTEMPTS_PER_RECOVERY - 1,
            "started_at": START - timedelta(days=n % 60), "deadline": START + timedelta(days=28 - n % 60),
            "next_attempt_at": START + timedelta(days=1, seconds=n) if n % 3 == 0 else None,
            "closed_at": START - timedelta(seconds=n) if n % 3 else None, "stripe_retrying": False, "version": 1}
            for n in range(first, last)]
        attempt_rows = [{
            "recovery_id": f"rec_{n}", "number": a, "attempted_at": START - timedelta(days=4 - a, seconds=n),
            "payment_method_id": f"pm_{n}", "card_brand": "visa", "card_last4": "4242",
            "outcome": "declined", "decline_code": "insufficient_funds", "idempotency_key": f"recoup:rec_{n}:pay:{a}",
            "trigger": "schedule" if a else "stripe"} for n in range(first, last) for a in range(ATTEMPTS_PER_RECOVERY)]
        async with engine.begin() as connection:
            await connection.execute(insert(RecoveryRow), recovery_rows)
            await connection.execute(insert(AttemptRow), attempt_rows)


def _signed_query(account: str) -> tuple[dict[str, str], dict[str, str]]:
    payload = json.dumps({"user_id": "usr_bench", "account_id": account}, separators=(",", ":"))
    header = stripe.WebhookSignature.generate_signature_header(payload, APP_SECRET, timestamp=int(time.time()))
    return {"user_id": "usr_bench", "account_id": account, "mode": "test"}, {"Stripe-Signature": header}


async def _p99_ms(http: httpx.AsyncClient, paths: list[tuple[str, str]]) -> float:
    samples = []
    for path, account in paths:
        params, headers = _signed_query(account)
        started = time.perf_counter()
        answer = await http.get(path, params=params, headers=headers)
        samples.append((time.perf_counter() - started) * 1000)
        if answer.status_code != 200:
            raise RuntimeError(f"{path} answered {answer.status_code}: {answer.text[:200]}")
    return statistics.quantiles(samples, n=100)[98]


async def _api_latency(database: Any, recoveries: int) -> tuple[float, float]:
    uow_factory = SqlUnitOfWorkFactory(database.main)
    clock = ManualClock(START)
    # Recovery is switched on before the history is loaded: switching it on re-plans every open
    # recovery of the account, one transaction each (at 1M attempts, most of the run's wall time).
    for n in range(ACCOUNTS):
        account = StripeAccount(f"acct_{n}", False)
        async with uow_factory() as uow:
            await uow.accounts.save(AccountRecord(account.id, False, AccountStatus.INSTALLED, START))
            await uow.commit()
        await save_settings(uow_factory, clock, account, {"enabled": True})
    await _seed_attempts(database.main, recoveries)
    await _analyze(database.main, "recovery", "attempt")
    app = create_app(bench_config(database.url), gateway=unreachable_gateway(), clock=clock, engine=database.main,
                     migrate_on_start=False)
    step = max(1, recoveries // API_READS)
    panels = [(f"/api/v1/invoices/in_{n}/recovery", f"acct_{n % ACCOUNTS}") for n in range(0, recoveries, step)]
    overviews = [("/api/v1/overview", f"acct_{n % ACCOUNTS}") for n in range(API_READS)]
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://recoup.bench") as http:
        await _p99_ms(http, panels[:20] + overviews[:20])  # warm-up: statement caches, pool
        gc.collect()  # the seeding's garbage is not the requests' to collect
        return await _p99_ms(http, panels), await _p99_ms(http, overviews)


async def run(options: Options) -> str:
    largest = int(os.environ.get("BENCH_P3_LARGEST", str(SIZES[-1])))
    sizes = tuple(size for size in SIZES if size <= largest) if not options.quick else (1_000, 10_000)
    kind = POSTGRES if POSTGRES in options.databases else SQLITE
    costs, (database_cm, database) = await _tick_costs(kind, sizes)
    try:
        recoveries = options.size(full=int(os.environ.get("BENCH_P4_ATTEMPTS", "1000000")) // ATTEMPTS_PER_RECOVERY,
                                  quick=2_000)
        p99_panel, p99_overview = await _api_latency(database, recoveries)
    finally:
        await database_cm.__aexit__(None, None, None)
    base = costs[sizes[0]]
    rows = [[kind, f"{size:,}", f"{cost:.1f}", ratio(cost / base)] for size, cost in costs.items()]
    table = render(f"P3. One tick claiming and finishing {DUE} due jobs, by open jobs in the queue ({kind})",
                   ["db", "open jobs", "tick ms (median)", "vs 1k"], rows, labels=1)
    attempts = recoveries * ATTEMPTS_PER_RECOVERY
    p3 = summarise(f"P3 tick: ratio={costs[sizes[-1]] / base:.2f} t1k={base:.1f}ms "
                   f"t{_short(sizes[-1])}={costs[sizes[-1]]:.1f}ms db={kind}")
    p4 = summarise(f"P4 api: p99_panel={p99_panel:.1f}ms p99_overview={p99_overview:.1f}ms rows={attempts} db={kind}")
    return f"{table}\n{p3}\n{p4}"


def _short(size: int) -> str:
    return f"{size // 1_000_000}m" if size >= 1_000_000 else f"{size // 1_000}k"
