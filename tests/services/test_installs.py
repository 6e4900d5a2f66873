"""Uninstalling stops everything for the account and keeps its history."""

from __future__ import annotations

from datetime import timedelta

from backend.domain.billing import StripeAccount
from backend.services.records import JobStatus, NewJob, RecoveryRecord
from backend.services.webhook_events import AppInstalled, AppUninstalled, EventEnvelope
from backend.services.webhooks import ingest_event
from tests.conftest import START

ACCOUNT = StripeAccount("acct_1Leaving", False)


def envelope(event_id: str, kind: str) -> EventEnvelope:
    return EventEnvelope(event_id=event_id, type=kind, account_id=ACCOUNT.id, livemode=False, created=START)


async def test_uninstall_cancels_jobs_closes_recoveries_and_reinstall_keeps_history(uow_factory, manual_clock):
    await ingest_event(uow_factory, manual_clock, envelope("evt_1", "account.application.authorized"),
                       AppInstalled(ACCOUNT, START))
    async with uow_factory() as uow:
        await uow.recoveries.add(RecoveryRecord(
            id="rec_1", account_id=ACCOUNT.id, livemode=False, invoice_id="in_1", customer_id="cus_1",
            subscription_id="sub_1", amount=900, currency="eur", status="scheduled", started_at=START,
            deadline=START + timedelta(days=28)))
        await uow.jobs.enqueue(NewJob(kind="pay_invoice", account=ACCOUNT, run_at=START + timedelta(days=1),
                                      dedupe_key="pay:rec_1:1", recovery_id="rec_1"), START)
        await uow.commit()

    manual_clock.advance(timedelta(days=2))
    await ingest_event(uow_factory, manual_clock, envelope("evt_2", "account.application.deauthorized"),
                       AppUninstalled(ACCOUNT, START + timedelta(days=2)))
    await ingest_event(uow_factory, manual_clock, envelope("evt_3", "account.application.authorized"),
                       AppInstalled(ACCOUNT, START + timedelta(days=3)))

    async with uow_factory() as uow:
        recovery = await uow.recoveries.get("rec_1")
        due = await uow.jobs.claim_due(manual_clock.now() + timedelta(days=30), owner="w",
                                       lease=timedelta(minutes=1), limit=10)
        counts = await uow.jobs.count_by_status()
        account = await uow.accounts.get(ACCOUNT)
    assert recovery is not None and recovery.status == "closed" and recovery.outcome == "app_uninstalled"
    assert due == []
    assert counts == {str(JobStatus.CANCELLED): 1}
    assert str(account.status) == "installed"
