"""Migration 0008: the daily analytics buckets start out counting what the database already held."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import text

from backend.adapters.db.migrations import upgrade_to_head
from backend.domain.billing import StripeAccount
from backend.services.analytics import analytics
from backend.services.records import AccountRecord, AccountStatus
from tests.conftest import START
from tests.storage.test_money_migration import _downgrade_to

ACCOUNT = StripeAccount("acct_1Existing", False)


async def test_recoveries_and_messages_from_before_are_counted_per_day(engine, uow_factory):
    async with engine.begin() as connection:
        await connection.run_sync(_downgrade_to("0006"))
    async with engine.begin() as connection:
        for n, status, closed, by in (("1", "recovered", START + timedelta(days=3, hours=1), "recoup_retry"),
                                      ("2", "exhausted", START + timedelta(days=7), None),
                                      ("3", "scheduled", None, None),
                                      ("4", "recovered", START + timedelta(days=1), "customer")):
            await connection.execute(text(
                "INSERT INTO recovery (id, account_id, livemode, invoice_id, customer_id, amount, currency, status,"
                " started_at, deadline, attempts_made, stripe_retrying, version, closed_at, recovered_by)"
                " VALUES (:id, :account, false, :invoice, 'cus_1', 1000, 'eur', :status, :start, :deadline,"
                " 0, false, 1, :closed, :by)"),
                {"id": f"rec_{n}", "account": ACCOUNT.id, "invoice": f"in_{n}", "status": status, "start": START,
                 "deadline": START + timedelta(days=28), "closed": closed, "by": by})
        await connection.execute(text(
            "INSERT INTO notification (id, recovery_id, account_id, livemode, customer_id, channel, step, status,"
            " send_at, created_at, sent_at, opened_at) VALUES ('msg_1', 'rec_1', :account, false, 'cus_1', 'email',"
            " 'notice', 'sent', :start, :start, :start, :start)"), {"account": ACCOUNT.id, "start": START})

    await upgrade_to_head(engine)
    async with uow_factory() as uow:
        await uow.accounts.save(AccountRecord(account_id=ACCOUNT.id, livemode=False, status=AccountStatus.INSTALLED,
                                              installed_at=START))
        await uow.commit()
    now = START + timedelta(days=8)
    view = await analytics(uow_factory, ACCOUNT, START.date(), now.date(), now)

    (eur,) = view.currencies
    assert (eur.failed, eur.recovered, eur.exhausted, eur.in_flight, eur.paid_without_recoup) == (
        4000, 1000, 1000, 1000, 1000)
    assert (view.rate_by_count, view.median_days_to_recover) == (0.5, 3)
    assert (view.messages_sent, view.open_rate) == (1, 1.0)
