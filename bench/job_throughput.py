"""Job throughput: due jobs drained by the real runner and queue, with a handler that does no I/O."""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import dataclass, field

from backend.adapters.clock import ManualClock
from backend.adapters.db.unit_of_work import SqlUnitOfWorkFactory
from backend.domain.billing import StripeAccount
from backend.jobs.kinds import JobKind
from backend.jobs.runner import JobDeps, JobHandler, JobRun, JobRunner
from backend.services.records import NewJob
from bench.databases import POSTGRES, SQLITE, fresh_database
from bench.options import Options
from bench.table import rate, ratio, render
from bench.timing import Stopwatch, median_of
from bench.wiring import START, unreachable_gateway

ACCOUNT = StripeAccount("acct_bench", False)


@dataclass(frozen=True)
class Setup:
    label: str
    database: str
    concurrency: int
    runners: int = 1
    baseline: str | None = None  # label of the row this one is compared with; None: it is a baseline


SETUPS = [
    Setup("sqlite, 1 runner, concurrency 1", SQLITE, 1),
    Setup("sqlite, 1 runner, concurrency 8", SQLITE, 8, baseline="sqlite, 1 runner, concurrency 1"),
    Setup("postgres, 1 runner, concurrency 1", POSTGRES, 1),
    Setup("postgres, 1 runner, concurrency 8", POSTGRES, 8, baseline="postgres, 1 runner, concurrency 1"),
    Setup("postgres, 2 runners, concurrency 8 each", POSTGRES, 8, runners=2,
          baseline="postgres, 1 runner, concurrency 8"),
]


@dataclass
class RunLog:
    """How many times each job's handler ran, by job id: exactly-once is checked on this."""

    runs: Counter[int] = field(default_factory=Counter)
    problems: list[str] = field(default_factory=list)


def recording_handler(log: RunLog) -> JobHandler:
    async def handle(deps: JobDeps, run: JobRun) -> None:
        log.runs[run.job.id] += 1
        async with deps.uow_factory() as uow:
            await run.finish(uow)
            await uow.commit()
    return handle


async def _enqueue(uow_factory: SqlUnitOfWorkFactory, clock: ManualClock, n: int) -> None:
    async with uow_factory() as uow:
        for i in range(n):
            await uow.jobs.enqueue(NewJob(kind=JobKind.PAY_INVOICE, account=ACCOUNT, run_at=clock.now(),
                                          dedupe_key=f"rec_bench{i:08d}:pay:after-0", payload={"n": i},
                                          recovery_id=f"rec_bench{i:08d}"), clock.now())
        await uow.commit()


async def _check(log: RunLog, uow_factory: SqlUnitOfWorkFactory, setup: Setup, n: int) -> None:
    wrong = {job: count for job, count in log.runs.items() if count != 1}
    async with uow_factory() as uow:
        statuses = await uow.jobs.count_by_status()
    if len(log.runs) != n or wrong or statuses != {"done": n}:
        log.problems.append(f"{setup.label}: {len(log.runs)} of {n} jobs ran, {len(wrong)} more than once "
                            f"(e.g. {dict(list(wrong.items())[:3])}), statuses {statuses}")


async def _round(setup: Setup, n: int, log: RunLog) -> float:
    clock = ManualClock(START)
    gateway = unreachable_gateway()
    run_log = RunLog()
    async with fresh_database(setup.database) as database:
        factories = [SqlUnitOfWorkFactory(database.main if i == 0 else database.engine())
                     for i in range(setup.runners)]
        await _enqueue(factories[0], clock, n)
        runners = [JobRunner(JobDeps(factory, clock, gateway), {JobKind.PAY_INVOICE: recording_handler(run_log)},
                             owner=f"bench-runner-{i}", concurrency=setup.concurrency)
                   for i, factory in enumerate(factories)]
        watch = Stopwatch()
        with watch.measure():
            await _drain_together(runners)
        await _check(run_log, factories[0], setup, n)
    await gateway.aclose()
    log.problems.extend(run_log.problems)
    return watch.seconds


async def _drain_together(runners: list[JobRunner]) -> None:
    # Several runners in one process stand in for several processes: each has its own engine and
    # pool, so they meet only in the database, where SKIP LOCKED must keep them apart.
    await asyncio.gather(*(runner.drain() for runner in runners))


async def _all_setups(database: str, n: int, log: RunLog) -> dict[str, float]:
    """Measure every setup on `database` once, back to back, so each ratio's two sides share conditions."""
    return {setup.label: await _round(setup, n, log) for setup in SETUPS if setup.database == database}


async def run(options: Options) -> str:
    n = options.size(full=400, quick=40)
    log = RunLog()
    rows: list[list[str]] = []
    for database in options.databases:
        medians = await median_of(lambda db=database: _all_setups(db, n, log),
                                  warm_up=lambda db=database: _all_setups(db, 20, log))
        for setup in (s for s in SETUPS if s.database == database):
            jobs_per_second = n / medians[setup.label]
            speed_up = medians[setup.baseline] / medians[setup.label] if setup.baseline else 1.0
            rows.append([setup.label, setup.baseline or "(baseline)", rate(jobs_per_second), ratio(speed_up)])
    lines = [render(f"2. Job throughput: {n} due pay_invoice jobs drained, the handler only marks each done",
                    ["setup", "compared with", "jobs/s", "speed-up"], rows, labels=2)]
    lines += [options.fail(f"exactly-once broken: {problem}") for problem in log.problems]
    lines.append(f"exactly once: every job of every run ran once ({'ok' if not log.problems else 'NO'})")
    skipped = options.skip_line()
    return "\n".join([*lines, *([skipped] if skipped else [])])
