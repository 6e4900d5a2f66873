"""Migrations: the schema goes down and up again, and totals are counted for existing recoveries."""

from __future__ import annotations

from datetime import timedelta

from alembic import command
from sqlalchemy import Connection

from backend.adapters.db.migrations import alembic_config, is_current, upgrade_to_head
from backend.domain.billing import StripeAccount
from backend.services.records import RecoveryRecord
from tests.conftest import START

ACCOUNT = StripeAccount("acct_1Before", False)


def _downgrade_to(revision: str):
    def run(connection: Connection) -> None:
        config = alembic_config()
        config.attributes["connection"] = connection
        command.downgrade(config, revision)
    return run


def recovery(n: int, status: str, amount: int, currency: str = "usd") -> RecoveryRecord:
    closed = START + timedelta(days=3) if status in ("recovered", "exhausted", "closed") else None
    return RecoveryRecord(id=f"rec_{n}", account_id=ACCOUNT.id, livemode=False, invoice_id=f"in_{n}",
                          customer_id="cus_1", subscription_id=None, amount=amount, currency=currency,
                          status=status, started_at=START, deadline=START + timedelta(days=28), closed_at=closed)


async def test_totals_are_backfilled_for_recoveries_that_existed_before_them(engine, uow_factory):
    async with engine.begin() as connection:
        await connection.run_sync(_downgrade_to("0001"))
    async with uow_factory() as uow:
        for n, (status, amount) in enumerate([("recovered", 1000), ("recovered", 500), ("exhausted", 300),
                                              ("scheduled", 200), ("closed", 50)]):
            await uow.recoveries.add(recovery(n, status, amount))
        await uow.commit()

    await upgrade_to_head(engine)

    async with uow_factory() as uow:
        [totals] = await uow.stats.totals(ACCOUNT)
        weeks = await uow.stats.weekly(ACCOUNT, ["2026-11-02"])
    assert await is_current(engine)
    assert (totals.recovered_count, totals.recovered_amount) == (2, 1500)
    assert (totals.exhausted_count, totals.open_count, totals.open_amount, totals.closed_count) == (1, 1, 200, 1)
    assert weeks == {"2026-11-02": (5, 2)}


async def test_money_per_week_is_backfilled_per_currency(engine, uow_factory):
    async with engine.begin() as connection:
        await connection.run_sync(_downgrade_to("0002"))
    async with uow_factory() as uow:
        for n, (status, amount, currency) in enumerate([("recovered", 1000, "usd"), ("scheduled", 200, "usd"),
                                                        ("recovered", 700, "eur")]):
            await uow.recoveries.add(recovery(n, status, amount, currency))
        await uow.commit()

    await upgrade_to_head(engine)

    async with uow_factory() as uow:
        money = await uow.stats.weekly_money(ACCOUNT, ["2026-11-02"])
    assert money == {("2026-11-02", "usd"): (1200, 1000), ("2026-11-02", "eur"): (700, 700)}
