"""Migrations: the schema goes down and up again, and totals are counted for existing recoveries."""

from __future__ import annotations

from datetime import timedelta

from alembic import command
from sqlalchemy import Connection, text

from backend.adapters.db.migrations import alembic_config, is_current, upgrade_to_head
from backend.domain.billing import StripeAccount
from tests.conftest import START

ACCOUNT = StripeAccount("acct_1Before", False)


def _downgrade_to(revision: str):
    def run(connection: Connection) -> None:
        config = alembic_config()
        config.attributes["connection"] = connection
        command.downgrade(config, revision)
    return run


_INSERT = text(
    "INSERT INTO recovery (id, account_id, livemode, invoice_id, customer_id, amount, currency, status, "
    "started_at, deadline, closed_at, recovered_by, attempts_made, stripe_retrying, version) "
    "VALUES (:id, :account, false, :invoice, 'cus_1', :amount, :currency, :status, :started, :deadline, :closed, "
    ":by, 0, false, 1)")


async def add_recoveries_of_before(engine, rows: list[tuple[str, int, str | None]], currency: str = "usd") -> None:
    """Rows written by the version whose schema is 0001."""
    async with engine.begin() as connection:
        await connection.run_sync(_downgrade_to("0001"))
        for n, (status, amount, by) in enumerate(rows):
            closed = START + timedelta(days=3) if status in ("recovered", "exhausted", "closed") else None
            await connection.execute(_INSERT, {
                "id": f"rec_{n}", "account": ACCOUNT.id, "invoice": f"in_{n}", "amount": amount, "status": status,
                "started": START, "deadline": START + timedelta(days=28), "closed": closed, "by": by,
                "currency": currency})


async def test_totals_are_backfilled_for_recoveries_that_existed_before_them(engine, uow_factory):
    await add_recoveries_of_before(engine, [("recovered", 1000, "retry"), ("recovered", 500, "card_update"),
                                            ("exhausted", 300, None), ("scheduled", 200, None), ("closed", 50, None)])

    await upgrade_to_head(engine)

    async with uow_factory() as uow:
        [totals] = await uow.stats.totals(ACCOUNT)
        weeks = await uow.stats.weekly(ACCOUNT, ["2026-11-02"])
    assert await is_current(engine)
    assert (totals.recovered_count, totals.recovered_amount) == (2, 1500)
    assert (totals.exhausted_count, totals.open_count, totals.open_amount, totals.closed_count) == (1, 1, 200, 1)
    assert weeks == {"2026-11-02": (5, 2)}


async def test_money_per_week_is_backfilled_per_currency(engine, uow_factory):
    await add_recoveries_of_before(engine, [("recovered", 1000, "retry"), ("scheduled", 200, None),
                                            ("recovered", 300, "customer")])
    async with engine.begin() as connection:
        await connection.execute(_INSERT, {
            "id": "rec_eur", "account": ACCOUNT.id, "invoice": "in_eur", "amount": 700, "status": "recovered",
            "started": START, "deadline": START + timedelta(days=28), "closed": START + timedelta(days=3),
            "by": "card_update", "currency": "eur"})

    await upgrade_to_head(engine)

    async with uow_factory() as uow:
        money = await uow.stats.weekly_money(ACCOUNT, ["2026-11-02"])
    # The customer's own payment is failed money of the week, never money Recoup recovered.
    assert money == {("2026-11-02", "usd"): (1500, 1000), ("2026-11-02", "eur"): (700, 700)}


async def test_payments_recoup_had_no_part_in_leave_recovered_revenue_when_upgrading(engine, uow_factory):
    await add_recoveries_of_before(engine, [("recovered", 1000, "retry"), ("recovered", 700, "other"),
                                            ("recovered", 400, "customer")])

    await upgrade_to_head(engine)

    async with uow_factory() as uow:
        [totals] = await uow.stats.totals(ACCOUNT)
        ours = await uow.recoveries.get("rec_0")
    assert (totals.recovered_count, totals.recovered_amount) == (1, 1000)
    assert (totals.paid_elsewhere_count, totals.paid_elsewhere_amount) == (2, 1100)
    assert ours is not None and ours.recovered_by == "recoup_retry"
