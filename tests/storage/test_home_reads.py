"""The home's reads return just the lines it shows, for the weeks it asks, in the order it shows them."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from backend.domain.billing import StripeAccount
from backend.services.records import DueRecovery, EndedRecovery, RecoveryRecord
from tests.conftest import START

ACCOUNT = StripeAccount("acct_1", False)
WEEK = timedelta(weeks=1)


def recovery(n: int, **changes: object) -> RecoveryRecord:
    record = RecoveryRecord(id=f"rec_{n}", account_id=ACCOUNT.id, livemode=False, invoice_id=f"in_{n}",
                            customer_id=f"cus_{n}", subscription_id=None, amount=1000 * n, currency="usd",
                            status="scheduled", started_at=START, deadline=START + timedelta(days=28))
    return replace(record, **changes)  # type: ignore[arg-type]


async def _add(uow_factory, *records: RecoveryRecord) -> None:
    async with uow_factory() as uow:
        for record in records:
            await uow.recoveries.add(record)
        await uow.commit()


async def test_next_due_lists_open_recoveries_soonest_first(uow_factory):
    await _add(uow_factory,
               recovery(1, next_attempt_at=START + timedelta(days=2), next_attempt_reason="payday"),
               recovery(2, next_attempt_at=START + timedelta(days=1), next_attempt_reason="soon"),
               recovery(3, status="recovered", next_attempt_at=START, closed_at=START),
               recovery(4))

    async with uow_factory() as uow:
        due = await uow.recoveries.next_due(ACCOUNT, 5)

    assert due == [DueRecovery("in_2", 2000, "usd", START + timedelta(days=1), "soon"),
                   DueRecovery("in_1", 1000, "usd", START + timedelta(days=2), "payday")]


async def test_recent_outcomes_list_ended_recoveries_latest_first(uow_factory):
    await _add(uow_factory,
               recovery(1, status="recovered", recovered_by="recoup_retry", closed_at=START + timedelta(hours=1)),
               recovery(2, status="exhausted", closed_at=START + timedelta(hours=2)),
               recovery(3))

    async with uow_factory() as uow:
        ended = await uow.recoveries.recently_ended(ACCOUNT, 10)

    assert ended == [
        EndedRecovery("in_2", "cus_2", "exhausted", None, START + timedelta(hours=2), 2000, "usd"),
        EndedRecovery("in_1", "cus_1", "recovered", "recoup_retry", START + timedelta(hours=1), 1000, "usd")]


async def test_the_double_retry_warning_reads_the_open_invoices_stripe_also_retries(uow_factory):
    await _add(uow_factory, recovery(1, stripe_retrying=True),
               recovery(2, stripe_retrying=True, status="recovered", closed_at=START), recovery(3))

    async with uow_factory() as uow:
        flagged = await uow.recoveries.flagged_stripe_retrying(ACCOUNT)

    assert flagged == ["in_1"]


async def test_weekly_figures_cover_only_the_weeks_asked(uow_factory):
    async with uow_factory() as uow:
        for weeks_later in range(3):
            await uow.stats.opened(ACCOUNT, "usd", 500, START + weeks_later * WEEK)
        await uow.commit()
    first, second, third = ((START + n * WEEK).date().isoformat() for n in range(3))

    async with uow_factory() as uow:
        counts = await uow.stats.weekly(ACCOUNT, [first, third])
        money = await uow.stats.weekly_money(ACCOUNT, [first, third])

    assert counts == {first: (1, 0), third: (1, 0)}
    assert money == {(first, "usd"): (500, 0), (third, "usd"): (500, 0)}
    assert second not in counts
