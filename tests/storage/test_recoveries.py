"""Recovery records: one per invoice, and no lost update when two writers race."""

from __future__ import annotations

from datetime import timedelta

import pytest

from backend.services.records import RecoveryRecord
from backend.services.unit_of_work import StaleRecord
from tests.conftest import START


def recovery(recovery_id: str = "rec_1", invoice_id: str = "in_1") -> RecoveryRecord:
    return RecoveryRecord(id=recovery_id, account_id="acct_1", livemode=False, invoice_id=invoice_id,
                          customer_id="cus_1", subscription_id="sub_1", amount=2500, currency="usd",
                          status="scheduled", started_at=START, deadline=START + timedelta(days=28),
                          next_attempt_at=START + timedelta(days=1))


async def test_a_recovery_round_trips_with_aware_times(uow_factory):
    async with uow_factory() as uow:
        await uow.recoveries.add(recovery())
        await uow.commit()

    async with uow_factory() as uow:
        stored = await uow.recoveries.get("rec_1")

    assert stored == recovery()
    assert stored.next_attempt_at.tzinfo is not None


async def test_an_invoice_has_at_most_one_recovery(uow_factory):
    async with uow_factory() as uow:
        await uow.recoveries.add(recovery("rec_1"))
        await uow.commit()

    # The unique key holds, and the loser sees the port's own "someone else was first" error.
    with pytest.raises(StaleRecord):
        async with uow_factory() as uow:
            await uow.recoveries.add(recovery("rec_2"))
            await uow.commit()


async def test_a_write_based_on_a_stale_read_is_refused(uow_factory):
    async with uow_factory() as uow:
        await uow.recoveries.add(recovery())
        await uow.commit()
    async with uow_factory() as uow:
        first_reader = await uow.recoveries.get("rec_1")
    async with uow_factory() as uow:
        second_reader = await uow.recoveries.get("rec_1")
        second_reader.status = "paused"
        await uow.recoveries.save(second_reader)
        await uow.commit()

    first_reader.status = "recovered"
    with pytest.raises(StaleRecord):
        async with uow_factory() as uow:
            await uow.recoveries.save(first_reader)

    async with uow_factory() as uow:
        assert (await uow.recoveries.get("rec_1")).status == "paused"
