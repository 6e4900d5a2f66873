"""Run due jobs: claim with a lease, run with bounded concurrency, retry or fail what broke."""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta

from backend.domain.recovery_state import RecoveryStatus, is_terminal
from backend.services.ports import Clock, StripeGateway, StripeRequestRejected, StripeUnavailable
from backend.services.records import ClaimedJob
from backend.services.unit_of_work import StaleRecord, UnitOfWork, UnitOfWorkFactory

log = logging.getLogger(__name__)

FIRST_BACKOFF = timedelta(seconds=30)
MAX_BACKOFF = timedelta(hours=1)
# Stripe being down is not the job's fault: beyond its own `max_tries`, a job waits out an outage
# with a day of hourly tries (the back-off is capped at an hour) before it is given up for good.
OUTAGE_EXTRA_TRIES = 24


class LeaseLost(Exception):
    """Another worker took the job over (this one was too slow); its writes must not land."""


@dataclass(frozen=True)
class JobDeps:
    uow_factory: UnitOfWorkFactory
    clock: Clock
    gateway: StripeGateway


class JobRun:
    """One claimed job in progress; `finish` marks it done inside the handler's own transaction."""

    def __init__(self, job: ClaimedJob, owner: str, clock: Clock) -> None:
        self.job = job
        self._owner = owner
        self._clock = clock

    async def finish(self, uow: UnitOfWork) -> None:
        """Mark the job done in `uow`; raise LeaseLost if the job is no longer ours."""
        if not await uow.jobs.finish(self.job.id, owner=self._owner, now=self._clock.now()):
            raise LeaseLost(f"job {self.job.id} was taken over by another worker")

    async def park(self, uow: UnitOfWork) -> None:
        """Put the job back, paused, until its account switches recovery on again."""
        if not await uow.jobs.park(self.job.id, owner=self._owner):
            raise LeaseLost(f"job {self.job.id} was taken over by another worker")


JobHandler = Callable[[JobDeps, JobRun], Awaitable[None]]


def backoff(tries: int) -> timedelta:
    """Exponential back-off with jitter, so many failed jobs do not retry in lock-step."""
    base: timedelta = min(FIRST_BACKOFF * (2 ** max(0, tries - 1)), MAX_BACKOFF)
    jitter: float = random.uniform(0.8, 1.2)
    return base * jitter


class JobRunner:
    def __init__(self, deps: JobDeps, handlers: Mapping[str, JobHandler], *, owner: str,
                 lease: timedelta = timedelta(minutes=5), batch_size: int = 50, concurrency: int = 8) -> None:
        self._deps = deps
        self._handlers = handlers
        self._owner = owner
        self._lease = lease
        self._batch_size = batch_size
        self._slots = asyncio.Semaphore(concurrency)

    async def tick(self) -> int:
        """Claim and run the jobs due now; return how many were claimed."""
        async with self._deps.uow_factory() as uow:
            jobs = await uow.jobs.claim_due(self._deps.clock.now(), owner=self._owner, lease=self._lease,
                                            limit=self._batch_size)
            await uow.commit()
        await asyncio.gather(*(self._run(job) for job in jobs))
        return len(jobs)

    async def drain(self, max_ticks: int = 1000) -> int:
        """Tick until nothing is due (tests and the CLI); return how many jobs ran."""
        total = 0
        for _ in range(max_ticks):
            claimed = await self.tick()
            if claimed == 0:
                return total
            total += claimed
        return total

    async def _run(self, job: ClaimedJob) -> None:
        async with self._slots:
            handler = self._handlers.get(job.kind)
            if handler is None:
                await self._give_up(job, f"no handler for job kind {job.kind!r}")
                return
            try:
                await handler(self._deps, JobRun(job, self._owner, self._deps.clock))
            except LeaseLost as error:
                log.warning("job lease lost", extra={"job": job.id, "error": str(error)})
            except StripeRequestRejected as error:
                await self._give_up(job, f"Stripe refused the request: {error} (code={error.code}, "
                                         f"param={error.param})")
            except StripeUnavailable as error:
                await self._retry_or_give_up(job, f"{type(error).__name__}: {error}",
                                             max_tries=job.max_tries + OUTAGE_EXTRA_TRIES)
            except StaleRecord as error:
                await self._retry_or_give_up(job, f"{type(error).__name__}: {error}")
            except Exception as error:  # noqa: BLE001 - a job bug must not stop the tick
                log.exception("job crashed", extra={"job": job.id, "kind": job.kind})
                await self._retry_or_give_up(job, f"{type(error).__name__}: {error}")

    async def _retry_or_give_up(self, job: ClaimedJob, error: str, *, max_tries: int | None = None) -> None:
        if job.tries >= (max_tries or job.max_tries):
            await self._give_up(job, f"gave up after {job.tries} tries; last error: {error}")
            return
        async with self._deps.uow_factory() as uow:
            await uow.jobs.retry_later(job.id, owner=self._owner,
                                       run_at=self._deps.clock.now() + backoff(job.tries), error=error)
            await uow.commit()

    async def _give_up(self, job: ClaimedJob, error: str) -> None:
        log.error("job %s (%s) failed for good: %s", job.id, job.kind, error)
        async with self._deps.uow_factory() as uow:
            if not await uow.jobs.fail(job.id, owner=self._owner, now=self._deps.clock.now(), error=error):
                return  # another worker owns it now
            await _flag_recovery(uow, job, error)
            await uow.commit()


async def _flag_recovery(uow: UnitOfWork, job: ClaimedJob, error: str) -> None:
    """Say on the invoice's panel that a step failed, instead of showing a retry that never comes."""
    recovery = await uow.recoveries.get(job.recovery_id) if job.recovery_id else None
    if recovery is None or is_terminal(RecoveryStatus(recovery.status)):
        return
    recovery.next_attempt_at = None
    recovery.next_attempt_reason = f"needs attention: the {job.kind.replace('_', ' ')} step failed ({error})"[:500]
    await uow.recoveries.save(recovery)
