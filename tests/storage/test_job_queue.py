"""The durable job queue, on SQLite and on PostgreSQL alike."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from backend.domain.billing import StripeAccount
from backend.services.records import NewJob
from tests.conftest import START

ACCOUNT = StripeAccount("acct_1Queue", False)
LEASE = timedelta(minutes=5)


def job(key: str, *, at_minutes: int = 0, account: StripeAccount = ACCOUNT) -> NewJob:
    return NewJob(kind="pay_invoice", account=account, run_at=START + timedelta(minutes=at_minutes),
                  dedupe_key=key, payload={"n": key})


async def enqueue(uow_factory, *jobs: NewJob) -> list[bool]:
    async with uow_factory() as uow:
        added = [await uow.jobs.enqueue(new, START) for new in jobs]
        await uow.commit()
    return added


async def claim(uow_factory, *, at: timedelta = timedelta(0), owner: str = "worker-1", limit: int = 10):
    async with uow_factory() as uow:
        claimed = await uow.jobs.claim_due(START + at, owner=owner, lease=LEASE, limit=limit)
        await uow.commit()
    return claimed


async def test_the_same_job_is_never_enqueued_twice(uow_factory):
    added = await enqueue(uow_factory, job("pay:rec_1:1"), job("pay:rec_1:1"))

    assert added == [True, False]
    assert len(await claim(uow_factory)) == 1


async def test_only_due_jobs_are_claimed_oldest_first(uow_factory):
    await enqueue(uow_factory, job("late", at_minutes=60), job("second", at_minutes=-5), job("first", at_minutes=-10))

    claimed = await claim(uow_factory)

    assert [c.dedupe_key for c in claimed] == ["first", "second"]
    assert all(c.tries == 1 for c in claimed)


async def test_a_claimed_job_is_not_claimed_again_while_its_lease_holds(uow_factory):
    await enqueue(uow_factory, job("a"))
    await claim(uow_factory, owner="worker-1")

    again = await claim(uow_factory, at=LEASE - timedelta(seconds=1), owner="worker-2")

    assert again == []


async def test_a_job_whose_worker_died_is_reclaimed_after_the_lease_expires(uow_factory):
    await enqueue(uow_factory, job("a"))
    await claim(uow_factory, owner="dead-worker")

    reclaimed = await claim(uow_factory, at=LEASE + timedelta(seconds=1), owner="worker-2")

    assert [c.dedupe_key for c in reclaimed] == ["a"]
    assert reclaimed[0].tries == 2


async def test_a_worker_that_lost_its_lease_cannot_finish_the_job(uow_factory):
    await enqueue(uow_factory, job("a"))
    [first] = await claim(uow_factory, owner="slow-worker")
    await claim(uow_factory, at=LEASE + timedelta(seconds=1), owner="worker-2")

    async with uow_factory() as uow:
        finished_by_slow = await uow.jobs.finish(first.id, owner="slow-worker", now=START + LEASE * 2)
        finished_by_owner = await uow.jobs.finish(first.id, owner="worker-2", now=START + LEASE * 2)
        await uow.commit()

    assert (finished_by_slow, finished_by_owner) == (False, True)


async def test_a_retried_job_comes_back_at_its_new_time(uow_factory):
    await enqueue(uow_factory, job("a"))
    [claimed] = await claim(uow_factory)
    async with uow_factory() as uow:
        await uow.jobs.retry_later(claimed.id, owner="worker-1", run_at=START + timedelta(minutes=30),
                                   error="503 from Stripe")
        await uow.commit()

    too_early = await claim(uow_factory, at=timedelta(minutes=29))
    on_time = await claim(uow_factory, at=timedelta(minutes=30))

    assert too_early == []
    assert [c.dedupe_key for c in on_time] == ["a"]


async def test_cancelling_an_account_leaves_other_accounts_jobs_alone(uow_factory):
    other = StripeAccount("acct_1Other", False)
    await enqueue(uow_factory, job("mine"), job("theirs", account=other))

    async with uow_factory() as uow:
        cancelled = await uow.jobs.cancel_for_account(ACCOUNT, START)
        await uow.commit()

    assert cancelled == 1
    assert [c.dedupe_key for c in await claim(uow_factory)] == ["theirs"]


async def test_concurrent_claimers_never_share_a_job(uow_factory):
    await enqueue(uow_factory, *[job(f"j{i}") for i in range(60)])

    batches = await asyncio.gather(*[claim(uow_factory, owner=f"w{i}", limit=7) for i in range(12)])

    keys = [c.dedupe_key for batch in batches for c in batch]
    assert len(keys) == len(set(keys)) == 60


async def test_cancelled_work_planned_again_comes_back_but_finished_work_does_not(uow_factory):
    await enqueue(uow_factory, job("finished", at_minutes=-5))
    [finished] = await claim(uow_factory)
    async with uow_factory() as uow:
        await uow.jobs.finish(finished.id, owner="worker-1", now=START)
        await uow.commit()
    await enqueue(uow_factory, job("replanned", at_minutes=-5))
    async with uow_factory() as uow:
        await uow.jobs.cancel_for_account(ACCOUNT, START)
        await uow.commit()

    again = await enqueue(uow_factory, job("replanned", at_minutes=-1), job("finished"))
    claimed_now = await claim(uow_factory)

    assert again == [True, False]
    assert [c.dedupe_key for c in claimed_now] == ["replanned"]
    assert claimed_now[0].tries == 1
