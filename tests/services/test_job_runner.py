"""The job runner: transient failures come back later, permanent ones stop, nothing runs twice."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy import select

from backend.adapters.db.tables import JobRow
from backend.domain.billing import StripeAccount
from backend.jobs.outcomes import Done
from backend.jobs.runner import JobDeps, JobRun, JobRunner, backoff
from backend.services.ports import StripeRequestRejected, StripeUnavailable
from backend.services.records import NewJob, RecoveryRecord
from tests.conftest import START

ACCOUNT = StripeAccount("acct_1Runner", False)


async def enqueue(uow_factory, kind: str, key: str = "job-1", max_tries: int = 3) -> None:
    async with uow_factory() as uow:
        await uow.jobs.enqueue(NewJob(kind=kind, account=ACCOUNT, run_at=START, dedupe_key=key,
                                      max_tries=max_tries), START)
        await uow.commit()


async def job_row(uow_factory, key: str = "job-1") -> JobRow:
    async with uow_factory.engine.connect() as connection:
        return (await connection.execute(select(JobRow).where(JobRow.dedupe_key == key))).one()


def runner(uow_factory, clock, handlers, owner: str = "runner-1") -> JobRunner:
    return JobRunner(JobDeps(uow_factory, clock, gateway=None), handlers, owner=owner)  # type: ignore[arg-type]


async def finishing(deps: JobDeps, run: JobRun) -> None:
    async with deps.uow_factory() as uow:
        await run.finish(uow)
        await uow.commit()


async def stripe_down(_deps: JobDeps, _run: JobRun) -> None:
    raise StripeUnavailable("503 after retries")


async def broken(_deps: JobDeps, _run: JobRun) -> None:
    raise KeyError("a bug in the handler")


async def stripe_refuses(_deps: JobDeps, _run: JobRun) -> None:
    raise StripeRequestRejected("No such invoice", code="resource_missing", param="id", http_status=404)


async def test_a_finished_job_is_done_and_not_run_again(uow_factory, manual_clock):
    await enqueue(uow_factory, "ok")
    calls = []

    async def counting(deps, run):
        calls.append(run.job.id)
        await finishing(deps, run)

    work = runner(uow_factory, manual_clock, {"ok": counting})
    await work.tick()
    await work.tick()

    assert len(calls) == 1
    assert (await job_row(uow_factory)).status == "done"


async def test_a_job_done_in_its_handlers_transaction_costs_no_second_one(uow_factory, manual_clock):
    for n in range(3):
        await enqueue(uow_factory, "ok", key=f"job-{n}")
    opened = 0

    def counted():
        nonlocal opened
        opened += 1
        return uow_factory()

    async def done(deps, run):
        await finishing(deps, run)
        return Done()

    work = JobRunner(JobDeps(counted, manual_clock, gateway=None), {"ok": done}, owner="runner-1")  # type: ignore[arg-type]
    assert await work.tick() == 3

    # One claim and each job's own transaction: a tick's cost is what its handlers do.
    assert opened == 1 + 3
    assert {(await job_row(uow_factory, f"job-{n}")).status for n in range(3)} == {"done"}


async def test_stripe_being_down_puts_the_job_back_with_backoff(uow_factory, manual_clock):
    await enqueue(uow_factory, "flaky")
    work = runner(uow_factory, manual_clock, {"flaky": stripe_down})

    await work.tick()

    row = await job_row(uow_factory)
    assert row.status == "pending"
    assert "503" in row.last_error
    assert row.run_at >= START + timedelta(seconds=24)  # the first back-off, less its jitter
    assert await work.tick() == 0  # not due again straight away


async def test_a_job_that_keeps_failing_stops_after_its_last_try(uow_factory, manual_clock):
    await enqueue(uow_factory, "flaky", max_tries=3)
    work = runner(uow_factory, manual_clock, {"flaky": broken})

    for _ in range(3):
        await work.tick()
        manual_clock.advance(timedelta(hours=2))

    row = await job_row(uow_factory)
    assert (row.status, row.tries) == ("failed", 3)
    assert "gave up after 3 tries" in row.last_error


async def test_stripe_being_down_for_a_day_is_waited_out_and_the_job_runs_when_it_is_back(uow_factory, manual_clock):
    await open_recovery_with_job(uow_factory, "flaky", max_tries=3)
    down = {"until": START + timedelta(hours=33)}  # 27 hourly-ish tries fail first

    async def down_for_a_day(deps: JobDeps, run: JobRun) -> None:
        if deps.clock.now() < down["until"]:
            raise StripeUnavailable("503 after retries")
        await finishing(deps, run)

    work = runner(uow_factory, manual_clock, {"flaky": down_for_a_day})
    for _ in range(3 + 24):
        await work.tick()
        manual_clock.advance(timedelta(hours=1, minutes=15))
    still_waiting = await job_row(uow_factory)
    await work.tick()

    assert (still_waiting.status, still_waiting.tries) == ("pending", 27)
    assert (await job_row(uow_factory)).status == "done"


async def test_a_request_stripe_refuses_fails_at_once_with_the_reason(uow_factory, manual_clock):
    await enqueue(uow_factory, "refused")

    await runner(uow_factory, manual_clock, {"refused": stripe_refuses}).tick()

    row = await job_row(uow_factory)
    assert (row.status, row.tries) == ("failed", 1)
    assert "resource_missing" in row.last_error


async def test_a_job_of_an_unknown_kind_fails_instead_of_looping(uow_factory, manual_clock):
    await enqueue(uow_factory, "from_a_newer_version")

    await runner(uow_factory, manual_clock, {}).tick()

    assert (await job_row(uow_factory)).status == "failed"


async def test_a_worker_whose_lease_was_taken_over_cannot_mark_the_job_done(uow_factory, manual_clock):
    await enqueue(uow_factory, "slow")
    outcomes = []

    async def slow_then_finish(deps, run):
        # While this worker "hangs", its lease expires and another worker takes the job.
        manual_clock.advance(timedelta(minutes=6))
        await runner(uow_factory, manual_clock, {"slow": finishing}, owner="runner-2").tick()
        try:
            await finishing(deps, run)
            outcomes.append("finished")
        except Exception as error:  # noqa: BLE001 - the test records what happened
            outcomes.append(type(error).__name__)
            raise

    await runner(uow_factory, manual_clock, {"slow": slow_then_finish}).tick()

    row = await job_row(uow_factory)
    assert outcomes == ["LeaseLost"]
    assert (row.status, row.tries) == ("done", 2)


async def test_a_backlog_keeps_every_slot_busy_within_one_tick_and_runs_each_job_once(uow_factory, manual_clock):
    for n in range(23):
        await enqueue(uow_factory, "ok", key=f"job-{n}")
    calls: list[int] = []
    in_flight, most = 0, 0

    async def counting(deps, run):
        nonlocal in_flight, most
        in_flight += 1
        most = max(most, in_flight)
        calls.append(run.job.id)
        await finishing(deps, run)
        in_flight -= 1

    work = JobRunner(JobDeps(uow_factory, manual_clock, gateway=None), {"ok": counting},  # type: ignore[arg-type]
                     owner="runner-1", batch_size=5, concurrency=2)
    claimed = await work.tick()

    # A full first claim is a backlog: one tick goes on claiming as slots free up, instead of
    # stopping at one batch and leaving the rest for the next tick interval.
    assert claimed == 23 and sorted(calls) == sorted(set(calls)) and len(calls) == 23
    assert most <= 2
    assert await work.tick() == 0


async def test_a_concurrency_above_the_batch_size_keeps_every_slot_busy(uow_factory, manual_clock):
    for n in range(30):
        await enqueue(uow_factory, "ok", key=f"job-{n}")
    in_flight, most = 0, 0

    async def slow(deps, run):
        nonlocal in_flight, most
        in_flight += 1
        most = max(most, in_flight)
        await asyncio.sleep(0.01)  # a Stripe call's latency: the job waits, the slot stays taken
        in_flight -= 1
        return await finishing(deps, run)

    work = JobRunner(JobDeps(uow_factory, manual_clock, gateway=None), {"ok": slow},  # type: ignore[arg-type]
                     owner="runner-1", batch_size=5, concurrency=12)

    assert await work.tick() == 30
    assert most == 12  # a claim of 5 would have left 7 slots idle


def test_backoff_grows_and_is_capped():
    first, fifth, twentieth = backoff(1), backoff(5), backoff(20)

    assert timedelta(seconds=24) <= first <= timedelta(seconds=36)
    assert fifth > first
    assert twentieth <= timedelta(hours=1, minutes=12)


def test_a_job_retried_through_a_long_outage_keeps_waiting_an_hour_at_most():
    # A transient failure never gives up while the recovery has work, so tries keep counting.
    assert timedelta(minutes=48) <= backoff(10_000) <= timedelta(hours=1, minutes=12)


async def test_a_recovery_whose_step_failed_for_good_says_so_on_its_panel(uow_factory, manual_clock):
    async with uow_factory() as uow:
        await uow.recoveries.add(RecoveryRecord(
            id="rec_1", account_id=ACCOUNT.id, livemode=False, invoice_id="in_1", customer_id="cus_1",
            subscription_id=None, amount=100, currency="usd", status="scheduled", started_at=START,
            deadline=START + timedelta(days=28), next_attempt_at=START, next_attempt_reason="day 1"))
        await uow.jobs.enqueue(NewJob(kind="refused", account=ACCOUNT, run_at=START, dedupe_key="job-1",
                                      recovery_id="rec_1"), START)
        await uow.commit()

    await runner(uow_factory, manual_clock, {"refused": stripe_refuses}).tick()

    async with uow_factory() as uow:
        recovery = await uow.recoveries.get("rec_1")
    assert recovery.next_attempt_at is None
    assert recovery.next_attempt_reason.startswith("needs attention: the refused step failed")


async def open_recovery_with_job(uow_factory, kind: str, max_tries: int = 2) -> None:
    async with uow_factory() as uow:
        await uow.recoveries.add(RecoveryRecord(
            id="rec_out", account_id=ACCOUNT.id, livemode=False, invoice_id="in_out", customer_id="cus_1",
            subscription_id=None, amount=900, currency="eur", status="scheduled", started_at=START,
            deadline=START + timedelta(days=28)))
        await uow.jobs.enqueue(NewJob(kind=kind, account=ACCOUNT, run_at=START, dedupe_key="job-1",
                                      recovery_id="rec_out", max_tries=max_tries), START)
        await uow.commit()


async def test_an_outage_never_exhausts_the_tries_of_a_recoverys_job(uow_factory, manual_clock):
    await open_recovery_with_job(uow_factory, "flaky", max_tries=2)
    work = runner(uow_factory, manual_clock, {"flaky": stripe_down})

    for _ in range(6):
        await work.tick()
        manual_clock.advance(timedelta(hours=2))

    row = await job_row(uow_factory)
    assert (row.status, row.tries) == ("pending", 6)
    assert row.run_at - manual_clock.now() <= timedelta(hours=1, minutes=12)  # capped back-off


async def test_a_job_that_fails_for_good_leaves_the_end_of_dunning_on_the_calendar(uow_factory, manual_clock):
    await open_recovery_with_job(uow_factory, "refused")
    work = runner(uow_factory, manual_clock, {"refused": stripe_refuses})

    await work.tick()

    async with uow_factory() as uow:
        recovery = await uow.recoveries.get("rec_out")
        pending = await uow.jobs.pending_for_recovery("rec_out")
    assert recovery.next_attempt_reason.startswith("needs attention") and "press Stop" in recovery.next_attempt_reason
    assert [(job.kind, job.run_at) for job in pending] == [("end_dunning", START + timedelta(days=28))]
