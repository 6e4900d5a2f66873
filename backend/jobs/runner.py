"""Run due jobs: claim with a lease, run with bounded concurrency, act on what each handler reports."""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from backend.jobs.kinds import JobKind, end_key
from backend.jobs.outcomes import Done, Failed, Outcome, Parked, RetryLater
from backend.services.audit_records import acting_for, job_cause
from backend.services.outreach_ports import OutreachDeps
from backend.services.ports import Clock, StripeGateway, StripeRequestRejected, StripeUnavailable
from backend.services.records import ClaimedJob, NewJob
from backend.services.unit_of_work import StaleRecord, UnitOfWork, UnitOfWorkFactory

log = logging.getLogger(__name__)

FIRST_BACKOFF = timedelta(seconds=30)
MAX_BACKOFF = timedelta(hours=1)


class LeaseLost(Exception):
    """Another worker took the job over (this one was too slow); its writes must not land."""


@dataclass(frozen=True)
class JobDeps:
    uow_factory: UnitOfWorkFactory
    clock: Clock
    gateway: StripeGateway
    outreach: OutreachDeps | None = None  # customer e-mails and texts; None where nothing is sent


class JobRun:
    """One claimed job in progress; `finish` marks it done inside the handler's own transaction."""

    def __init__(self, job: ClaimedJob, owner: str, clock: Clock) -> None:
        self.job = job
        self._owner = owner
        self._clock = clock
        # Set once the handler's transaction marked the job done; handlers commit that transaction
        # or raise, so the runner needs no second transaction to settle a Done job.
        self.finished = False

    async def finish(self, uow: UnitOfWork) -> None:
        """Mark the job done in `uow`; raise LeaseLost if the job is no longer ours."""
        if not await uow.jobs.finish(self.job.id, owner=self._owner, now=self._clock.now()):
            raise LeaseLost(f"job {self.job.id} was taken over by another worker")
        self.finished = True


JobHandler = Callable[[JobDeps, JobRun], Awaitable[Outcome]]


def backoff(tries: int) -> timedelta:
    """Exponential back-off with jitter, so many failed jobs do not retry in lock-step."""
    # Transient failures are retried for as long as the recovery has work, so `tries` can grow
    # without bound: the exponent stops well before timedelta would overflow (2**20 x 30 s > 1 h cap).
    base: timedelta = min(FIRST_BACKOFF * (2 ** min(max(0, tries - 1), 20)), MAX_BACKOFF)
    jitter: float = random.uniform(0.8, 1.2)
    return base * jitter


def is_transient(error: Exception) -> bool:
    """429, 5xx, timeouts and connection errors (the gateway's StripeUnavailable) and lost races."""
    return isinstance(error, (StripeUnavailable, StaleRecord))


class JobRunner:
    def __init__(self, deps: JobDeps, handlers: Mapping[str, JobHandler], *, owner: str,
                 lease: timedelta = timedelta(minutes=5), batch_size: int = 50, concurrency: int = 8) -> None:
        self._deps = deps
        self._handlers = handlers
        self._owner = owner
        self._lease = lease
        # A claim never holds fewer jobs than there are slots, or slots above the batch would idle.
        self._batch_size = max(batch_size, concurrency)
        self._concurrency = concurrency
        self._slots = asyncio.Semaphore(concurrency)

    @property
    def concurrency(self) -> int:
        """How many jobs this runner runs at once."""
        return self._concurrency

    async def tick(self) -> int:
        """Claim and run the jobs due now; return how many were claimed.

        A full claim means a backlog: the tick then keeps every slot busy, claiming more as jobs
        finish, until a claim comes back short, instead of waiting for the whole batch and then
        for the next tick (which capped a process at one batch per tick interval).
        """
        jobs = await self._claim(self._batch_size)
        if len(jobs) < self._batch_size:
            await asyncio.gather(*(self._run(job) for job in jobs))
            return len(jobs)
        return await self._work_through_backlog(jobs)

    async def _claim(self, limit: int) -> list[ClaimedJob]:
        async with self._deps.uow_factory() as uow:
            jobs = await uow.jobs.claim_due(self._deps.clock.now(), owner=self._owner, lease=self._lease,
                                            limit=limit)
            await uow.commit()
        return jobs

    async def _work_through_backlog(self, first: list[ClaimedJob]) -> int:
        """Run `first` and refill: when no claimed job is left waiting for a slot, claim up to a batch more.

        At most one batch is claimed and not yet finished at any moment, as before, so a claimed job
        waits for a slot no longer than it did (its lease is as safe); each job still runs once.
        """
        running = {asyncio.create_task(self._run(job)) for job in first}
        claimed, backlog = len(first), True
        try:
            while running:
                done, running = await asyncio.wait(running, return_when=asyncio.FIRST_COMPLETED)
                for task in done:
                    task.result()  # _run handles every job error; anything else is a bug worth raising
                room = self._batch_size - len(running)
                if backlog and len(running) <= self._concurrency and room > 0:
                    more = await self._claim(room)
                    claimed += len(more)
                    backlog = len(more) == room
                    running |= {asyncio.create_task(self._run(job)) for job in more}
        finally:
            for task in running:  # the tick was cancelled (shutdown): stop the jobs it started
                task.cancel()
        return claimed

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
                await self._settle(job, Failed(f"no handler for job kind {job.kind!r}"))
                return
            run = JobRun(job, self._owner, self._deps.clock)
            try:
                # What the job writes to Stripe is recorded in the audit trail as done for this job.
                with acting_for(job_cause(job.kind, job.id, job.recovery_id)):
                    outcome = await handler(self._deps, run)
            except LeaseLost as error:
                log.warning("job lease lost", extra={"job": job.id, "error": str(error)})
                return
            except StripeRequestRejected as error:
                outcome = Failed(f"Stripe refused the request: {error} (code={error.code}, param={error.param})")
            except Exception as error:  # noqa: BLE001 - a job bug must not stop the tick
                if not is_transient(error):
                    log.exception("job crashed", extra={"job": job.id, "kind": job.kind})
                outcome = await self._after_error(job, error)
            if isinstance(outcome, Done) and run.finished:
                return  # done in the handler's own transaction: half a tick's transactions saved
            await self._settle(job, outcome)

    async def _after_error(self, job: ClaimedJob, error: Exception) -> Outcome:
        why = f"{type(error).__name__}: {error}"
        now = self._deps.clock.now()
        if is_transient(error) and job.recovery_id is not None:
            # An outage must never strand a recovery: keep trying, at most an hour apart. Jobs of an
            # open recovery (its end of dunning is one) and the follow-ups of a closed one (giving
            # Stripe its collection back, a delayed cancellation) are all cancelled or finished
            # by the recovery's own rules, never by a count of failures.
            return RetryLater(now + backoff(job.tries), why)
        if job.tries >= job.max_tries:
            return Failed(f"gave up after {job.tries} tries; last error: {why}")
        return RetryLater(now + backoff(job.tries), why)

    async def _settle(self, job: ClaimedJob, outcome: Outcome) -> None:
        async with self._deps.uow_factory() as uow:
            match outcome:
                case Done():
                    # Handlers mark their job done in their final transaction; this catches one that
                    # had nothing to write (finish is a no-op on a job no longer running).
                    await uow.jobs.finish(job.id, owner=self._owner, now=self._deps.clock.now())
                case RetryLater(when=when, why=why):
                    await uow.jobs.retry_later(job.id, owner=self._owner, run_at=when, error=why)
                case Parked():
                    await uow.jobs.park(job.id, owner=self._owner)
                case Failed(reason=reason):
                    log.error("job %s (%s) failed for good: %s", job.id, job.kind, reason)
                    if not await uow.jobs.fail(job.id, owner=self._owner, now=self._deps.clock.now(),
                                               error=reason):
                        return  # another worker owns it now
                    await _flag_recovery(uow, job, reason, self._deps.clock.now())
            await uow.commit()


async def _flag_recovery(uow: UnitOfWork, job: ClaimedJob, error: str, now: datetime) -> None:
    """Say on the panel that a step failed, and keep the end of dunning on the calendar."""
    recovery = await uow.recoveries.get(job.recovery_id) if job.recovery_id else None
    if recovery is None or not recovery.is_open:
        return
    recovery.needs_attention(f"the {job.kind.replace('_', ' ')} step failed ({error}); check the invoice "
                             "in Stripe, or press Stop to let Stripe collect it")
    await uow.recoveries.save(recovery)
    if job.kind != JobKind.END_DUNNING:
        # Every open recovery keeps a next job: its end of dunning at the deadline.
        when = max(recovery.deadline, now)
        await uow.jobs.enqueue(NewJob(kind=JobKind.END_DUNNING, account=recovery.account, run_at=when,
                                      recovery_id=recovery.id, dedupe_key=end_key(recovery.id, int(when.timestamp()))),
                               now)
