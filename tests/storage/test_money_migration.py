"""Migration 0003: an existing database learns to hold amounts beyond 2**31, keeping what it had."""

from __future__ import annotations

from datetime import timedelta

from alembic import command
from sqlalchemy import Connection, bindparam, text

from backend.adapters.db.migrations import alembic_config, is_current, upgrade_to_head
from backend.adapters.db.types import UTCDateTime
from backend.domain.billing import StripeAccount
from backend.services.records import RecoveryRecord
from tests.conftest import START

ACCOUNT = StripeAccount("acct_1Existing", False)
THREE_BILLION_RUPIAH = 3_000_000_000


def _downgrade_to(revision: str):
    def run(connection: Connection) -> None:
        config = alembic_config()
        config.attributes["connection"] = connection
        command.downgrade(config, revision)
    return run


def recovery(n: int, amount: int) -> RecoveryRecord:
    return RecoveryRecord(id=f"rec_{n}", account_id=ACCOUNT.id, livemode=False, invoice_id=f"in_{n}",
                          customer_id="cus_1", subscription_id=None, amount=amount, currency="idr",
                          status="scheduled", started_at=START, deadline=START + timedelta(days=28))


async def test_amounts_stored_before_the_migration_stay_and_larger_ones_fit_after(engine, uow_factory):
    async with engine.begin() as connection:
        await connection.run_sync(_downgrade_to("0002"))
    # The recovery and the totals as revision 0002 kept them (later revisions add columns and tables
    # the repository writes too).
    async with engine.begin() as connection:
        await connection.execute(text(
            "INSERT INTO recovery (id, account_id, livemode, invoice_id, customer_id, amount, currency, status,"
            " attempts_made, started_at, deadline, stripe_retrying, version)"
            " VALUES ('rec_1', :account, false, 'in_1', 'cus_1', 2000000000, 'idr', 'scheduled', 0, :started,"
            " :deadline, false, 1)").bindparams(bindparam("started", type_=UTCDateTime()),
                                               bindparam("deadline", type_=UTCDateTime())),
            {"account": ACCOUNT.id, "started": START, "deadline": START + timedelta(days=28)})
        await connection.execute(text(
            "INSERT INTO recovery_totals (account_id, livemode, currency, open_count, open_amount, recovered_count,"
            " recovered_amount, exhausted_count, exhausted_amount, closed_count)"
            " VALUES (:account, false, 'idr', 1, 2000000000, 0, 0, 0, 0, 0)"), {"account": ACCOUNT.id})

    await upgrade_to_head(engine)
    async with uow_factory() as uow:
        await uow.recoveries.add(recovery(2, THREE_BILLION_RUPIAH))
        await uow.stats.opened(ACCOUNT, "idr", THREE_BILLION_RUPIAH, START)
        await uow.commit()

    async with uow_factory() as uow:
        before = await uow.recoveries.get("rec_1")
        after = await uow.recoveries.get("rec_2")
        [totals] = await uow.stats.totals(ACCOUNT)
    assert await is_current(engine)
    assert (before.amount, after.amount) == (2_000_000_000, THREE_BILLION_RUPIAH)
    assert (totals.open_count, totals.open_amount) == (2, 2_000_000_000 + THREE_BILLION_RUPIAH)
