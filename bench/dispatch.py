"""P2: due retries across 20 accounts against a simulator that enforces Stripe's per-account limit.

The simulator answers 429 to any account that exceeds Stripe's test-mode limit (25 requests per
second). Recoup's gateway is set to pace each account at that same limit, so the figure shows how
close the retry dispatch gets to it (in production Recoup keeps 20 % of the budget for the
merchant's own integration). Every retry must charge its invoice exactly once; a 429 may slow a
retry down but must never fail it. Two smaller runs add an assumed network latency per Stripe call,
with the default number of jobs at once and with more, to show what bounds dispatch in production.
"""

from __future__ import annotations

import os
import time
from collections import Counter
from dataclasses import dataclass
from datetime import timedelta

import httpx
from sqlalchemy import func, select

from backend.adapters.clock import ManualClock
from backend.adapters.db.tables import JobRow
from backend.adapters.db.unit_of_work import SqlUnitOfWorkFactory
from backend.adapters.stripe import StripeSdkGateway
from backend.adapters.stripe.rate_limits import RateLimits
from backend.domain.billing import StripeAccount
from backend.jobs.kinds import JobKind, pay_idempotency_key, scheduled_pay_key
from backend.jobs.registry import JOB_HANDLERS
from backend.jobs.runner import JobDeps, JobRunner
from backend.services.account_settings import save_settings
from backend.services.lifecycle import open_recovery
from backend.services.records import AccountRecord, AccountStatus, AttemptRecord, NewJob, RecoveryRecord
from backend.simulator.behaviours import Succeeds
from backend.simulator.simulator import Simulator
from backend.simulator.transport import BASE_URL
from bench.databases import POSTGRES, SQLITE, fresh_database
from bench.options import Options
from bench.summary import summarise
from bench.table import render
from bench.timing import BenchFailure
from bench.wiring import START

ACCOUNTS = 20
STRIPE_TEST_LIMIT = 25  # requests per second per account in test mode (docs.stripe.com/rate-limits)
PRODUCTION_CONCURRENCY = 8  # JOB_CONCURRENCY's default
# An assumed round trip to Stripe per call, for the rows that show what latency does to dispatch;
# not a measurement of Stripe (nothing here can reach it): put your own hosts' figure in its place.
ASSUMED_LATENCY = 0.1


class CountingTransport(httpx.AsyncBaseTransport):
    """Counts Stripe's answers by status, and the CPU the in-process simulator spends answering.

    The simulator answers without yielding to the event loop, so the thread's CPU time across one
    answer is Stripe's side of that request alone; what is left of the process's CPU is Recoup's.
    """

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self._inner = inner
        self.statuses: Counter[int] = Counter()
        self.simulator_cpu = 0.0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        started = time.thread_time()
        response = await self._inner.handle_async_request(request)
        self.simulator_cpu += time.thread_time() - started
        self.statuses[response.status_code] += 1
        return response


async def _seed(sim: Simulator, uow_factory: SqlUnitOfWorkFactory, clock: ManualClock,
                retries: int) -> list[tuple[StripeAccount, str, str]]:
    """`retries` failed renewals whose cards now work, each with a pay_invoice job due now."""
    accounts = [sim.install_account(smart_retries=False) for _ in range(ACCOUNTS)]
    for account in accounts:
        async with uow_factory() as uow:
            await uow.accounts.save(AccountRecord(account.id, False, AccountStatus.INSTALLED, START))
            await uow.commit()
        await save_settings(uow_factory, clock, account, {"enabled": True})
    renewals = []
    from backend.simulator.behaviours import Declines

    for n in range(retries):
        account = accounts[n % ACCOUNTS]
        customer = sim.create_customer(account, country="US")
        card = sim.attach_card(account, customer, Declines("generic_decline"))
        invoice = sim.create_failed_invoice(account, sim.create_subscription(account, customer))
        sim.set_card_behaviour(account, card, Succeeds())
        renewals.append((account, customer, invoice))
        recovery_id = f"rec_dispatch_{n}"
        now = clock.now()
        async with uow_factory() as uow:
            await open_recovery(uow, RecoveryRecord(
                id=recovery_id, account_id=account.id, livemode=False, invoice_id=invoice, customer_id=customer,
                subscription_id=None, amount=2500, currency="usd", status="scheduled", started_at=now,
                deadline=now + timedelta(days=28), next_attempt_at=now, next_attempt_reason="bench"), now)
            await uow.attempts.add(AttemptRecord(recovery_id=recovery_id, number=0, attempted_at=now,
                                                 outcome="declined", trigger="stripe", payment_method_id=card,
                                                 idempotency_key=pay_idempotency_key(recovery_id, 0),
                                                 decline_code="generic_decline"))
            await uow.jobs.enqueue(NewJob(kind=JobKind.PAY_INVOICE, account=account, recovery_id=recovery_id,
                                          run_at=now, dedupe_key=scheduled_pay_key(recovery_id, 0, 0)), now)
            await uow.commit()
    return renewals


def _succeeded(sim: Simulator, account: StripeAccount, customer: str) -> int:
    return len([c for c in sim.charges(account, customer=customer) if c["status"] == "succeeded"])


@dataclass(frozen=True)
class Dispatched:
    retries: int
    elapsed: float
    requests: int
    rate_limited: int
    recoup_cpu_ms: float  # per retry, the simulator's CPU taken out
    simulator_cpu_ms: float

    @property
    def per_account(self) -> float:
        return self.requests / self.elapsed / ACCOUNTS

    @property
    def requests_per_retry(self) -> float:
        return self.requests / self.retries


async def _dispatch(kind: str, retries: int, *, latency: float, concurrency: int) -> Dispatched:
    """Seed `retries` due retries, drain them with the real runner, check each invoice was charged once."""
    clock = ManualClock(START)
    sim = Simulator(clock)
    sim.faults.set_rate_limit(STRIPE_TEST_LIMIT)
    sim.faults.set_latency(latency)
    counting = CountingTransport(sim.transport())
    gateway = StripeSdkGateway(test_key="sk_test_bench", live_key=None, api_base=BASE_URL,
                               http_client=httpx.AsyncClient(transport=counting),
                               rate_limits=RateLimits(test_per_second=STRIPE_TEST_LIMIT))
    async with fresh_database(kind) as database:
        uow_factory = SqlUnitOfWorkFactory(database.main)
        renewals = await _seed(sim, uow_factory, clock, retries)
        before = {customer: _succeeded(sim, account, customer) for account, customer, _invoice in renewals}
        counting.statuses.clear()
        counting.simulator_cpu = 0.0
        runner = JobRunner(JobDeps(uow_factory, clock, gateway), JOB_HANDLERS, owner="bench-dispatch",
                           batch_size=200, concurrency=concurrency)
        started, cpu_started = time.perf_counter(), time.process_time()
        await runner.drain(max_ticks=100_000)
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
        async with database.main.connect() as connection:
            jobs = dict((await connection.execute(select(JobRow.status, func.count()).where(
                JobRow.kind == JobKind.PAY_INVOICE).group_by(JobRow.status))).all())
    await gateway.aclose()
    # Charges the dispatch made: each subscription's first invoice was paid before its renewal failed.
    paid = Counter(_succeeded(sim, account, customer) - before[customer] for account, customer, _invoice in renewals)
    lost, duplicates = paid.get(0, 0), sum(count for charges, count in paid.items() if charges > 1)
    if lost or duplicates:
        raise BenchFailure(f"{lost} invoices never charged, {duplicates} charged more than once")
    if jobs.get("failed"):
        raise BenchFailure(f"{jobs['failed']} retries failed (429s must slow a retry down, never fail it)")
    # With latency the simulator's answers wait on the event loop, so its CPU cannot be told apart
    # from Recoup's; the CPU split is read from the run without latency only.
    simulator_cpu = counting.simulator_cpu if not latency else 0.0
    return Dispatched(retries, elapsed, sum(counting.statuses.values()), counting.statuses.get(429, 0),
                      (cpu - simulator_cpu) / retries * 1000, simulator_cpu / retries * 1000)


async def run(options: Options) -> str:
    retries = options.size(full=int(os.environ.get("BENCH_P2_RETRIES", "10000")), quick=200)
    with_latency = options.size(full=int(os.environ.get("BENCH_P2_LATENCY_RETRIES", "1000")), quick=60)
    kind = POSTGRES if POSTGRES in options.databases else SQLITE
    figure = await _dispatch(kind, retries, latency=0.0, concurrency=PRODUCTION_CONCURRENCY)
    runs = [("none", PRODUCTION_CONCURRENCY, figure)]
    for concurrency in (PRODUCTION_CONCURRENCY, 64):
        runs.append((f"{ASSUMED_LATENCY * 1000:.0f} ms", concurrency,
                     await _dispatch(kind, with_latency, latency=ASSUMED_LATENCY, concurrency=concurrency)))
    rows = [[latency, str(concurrency), f"{d.retries:,}", f"{d.elapsed:.1f}", f"{d.requests:,}", str(d.rate_limited),
             f"{d.per_account:.1f}", f"{d.per_account / STRIPE_TEST_LIMIT:.2f}x",
             f"{d.recoup_cpu_ms:.1f}" if not latency.endswith("ms") else "-",
             f"{d.simulator_cpu_ms:.1f}" if not latency.endswith("ms") else "-"] for latency, concurrency, d in runs]
    table = render(f"P2. Dispatch of due retries over {ACCOUNTS} accounts, Stripe's test-mode limit of "
                   f"{STRIPE_TEST_LIMIT}/s per account enforced ({kind})",
                   ["latency per call", "jobs at once", "retries", "seconds", "Stripe requests", "429s",
                    "requests/s per account", "vs limit", "Recoup CPU ms/retry", "simulator CPU ms/retry"],
                   rows, labels=0)
    # What it would take to reach the limit: Recoup's own CPU per retry (the simulator's, which real
    # Stripe spends on its own machines, taken out; PostgreSQL's server is another process), times
    # the retries per second the accounts' limits allow.
    retries_at_limit = STRIPE_TEST_LIMIT * ACCOUNTS / figure.requests_per_retry
    cores = figure.recoup_cpu_ms * retries_at_limit / 1000
    explained = (f"the limit allows {retries_at_limit:.0f} retries/s over {ACCOUNTS} accounts "
                 f"({figure.requests_per_retry:.1f} requests each); at {figure.recoup_cpu_ms:.1f} ms of Recoup's CPU "
                 f"per retry that takes {cores:.1f} cores of worker processes")
    line = summarise(f"P2 dispatch: ratio={figure.per_account / STRIPE_TEST_LIMIT:.2f} "
                     f"achieved={figure.per_account:.1f}/s limit={STRIPE_TEST_LIMIT}/s lost=0 duplicates=0 db={kind} "
                     f"recoup_cpu={figure.recoup_cpu_ms:.1f}ms/retry cores_for_limit={cores:.1f}")
    return f"{table}\n{explained}\n{line}"
