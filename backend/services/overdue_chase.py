"""The daily overdue chase (failed invoices no webhook told us about), and pruning old bookkeeping."""

from __future__ import annotations

from datetime import timedelta

from backend.domain.billing import InvoiceStatus, StripeAccount
from backend.domain.charge_guard import STOPPED_SUBSCRIPTION_STATUSES
from backend.jobs.kinds import JobKind
from backend.jobs.outcomes import Done, Outcome
from backend.jobs.runner import JobDeps, JobRun
from backend.services.account_settings import load_settings
from backend.services.ports import Clock
from backend.services.records import NewJob
from backend.services.stripe_changes import payment_failed
from backend.services.unit_of_work import UnitOfWorkFactory
from backend.services.webhook_events import InvoicePaymentFailed

# Event ids older than Stripe's longest redelivery window (3 days) can no longer arrive twice.
KEEP_EVENT_IDS = timedelta(days=30)
KEEP_FINISHED_JOBS = timedelta(days=30)
CHASE_LOOK_BACK = timedelta(days=60)


async def queue_daily_work(uow_factory: UnitOfWorkFactory, clock: Clock) -> int:
    """Queue one overdue chase per account that asked for it; return how many were queued."""
    now = clock.now()
    queued = 0
    async with uow_factory() as uow:
        for account in await uow.accounts.list_installed():
            settings = await load_settings(uow, account.ref)
            if settings.enabled and settings.daily_overdue_chase:
                queued += await uow.jobs.enqueue(NewJob(
                    kind=JobKind.CHASE_OVERDUE, account=account.ref, run_at=now,
                    dedupe_key=f"chase:{account.account_id}:{int(account.livemode)}:{now:%Y-%m-%d}"), now)
        await uow.commit()
    return queued


async def prune_bookkeeping(uow_factory: UnitOfWorkFactory, clock: Clock) -> None:
    now = clock.now()
    async with uow_factory() as uow:
        await uow.events.prune(now - KEEP_EVENT_IDS)
        await uow.jobs.prune(now - KEEP_FINISHED_JOBS)
        await uow.commit()


async def chase_overdue(deps: JobDeps, run: JobRun) -> Outcome:
    """Open recoveries for failed invoices that no webhook told us about (an outage, a lost event)."""
    account = run.job.account
    now = deps.clock.now()
    found = []
    async for invoice in deps.gateway.list_invoices(account, status="open",
                                                    collection_method="charge_automatically",
                                                    created_gte=now - CHASE_LOOK_BACK):
        if invoice.status is InvoiceStatus.OPEN and invoice.attempt_count > 0 \
                and not await _subscription_stopped(deps, account, invoice.subscription_id):
            found.append(invoice)
    async with deps.uow_factory() as uow:
        for invoice in found:
            await payment_failed(uow, InvoicePaymentFailed(
                account=account, invoice_id=invoice.id, customer_id=invoice.customer_id,
                subscription_id=invoice.subscription_id, amount_due=invoice.amount_due,
                amount_remaining=invoice.amount_remaining, currency=invoice.currency,
                billing_reason=invoice.billing_reason, collection_method=invoice.collection_method,
                attempt_count=invoice.attempt_count, next_payment_attempt=invoice.next_payment_attempt,
                at=now), now)
        await run.finish(uow)
        await uow.commit()
    return Done()


async def _subscription_stopped(deps: JobDeps, account: StripeAccount, subscription_id: str | None) -> bool:
    """An open invoice of a cancelled or paused subscription is not ours to charge."""
    if subscription_id is None:
        return False
    subscription = await deps.gateway.retrieve_subscription(account, subscription_id)
    return subscription.status in STOPPED_SUBSCRIPTION_STATUSES
