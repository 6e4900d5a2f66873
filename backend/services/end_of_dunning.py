"""End of dunning: apply the merchant's chosen actions once retries or time run out."""

from __future__ import annotations

from datetime import datetime

from backend.domain.billing import Invoice, InvoiceStatus, StripeAccount, Subscription
from backend.domain.end_of_dunning import (
    CancelAt,
    CancelAtPeriodEnd,
    CancelNow,
    EndOfDunningPlan,
    LeaveSubscription,
    SubscriptionState,
    dunning_complete_metadata,
    plan_end_of_dunning,
)
from backend.domain.recovery import Recovery
from backend.domain.settings import InvoiceAction
from backend.jobs.kinds import JobKind, delayed_cancel_key, restore_key
from backend.jobs.loading import Loaded, finish, load_for_job
from backend.jobs.outcomes import Done, Outcome
from backend.jobs.runner import JobDeps, JobRun
from backend.services import recovery_log
from backend.services.invoice_tags import RECOVERY_KEY, STATUS_KEY
from backend.services.lifecycle import recorded_end
from backend.services.planning import queue_end
from backend.services.ports import StripeGateway
from backend.services.records import NewJob
from backend.services.settled_invoices import close_for_settled_invoice
from backend.services.unit_of_work import UnitOfWork

CANCELLATION_COMMENT = "Canceled by Recoup after the failed payment could not be recovered."


async def end_dunning(deps: JobDeps, run: JobRun) -> Outcome:
    loaded = await load_for_job(deps, run, resume_end_actions=True)
    if not isinstance(loaded, Loaded):
        return loaded  # paused: resuming re-plans and checks the deadline again
    recovery, settings = loaded.recovery, loaded.settings
    now = deps.clock.now()
    if recovery.is_open and now < recovery.deadline:
        return await _not_yet(deps, run, recovery)
    invoice = await deps.gateway.retrieve_invoice(recovery.account, recovery.invoice_id)
    if invoice.status is not InvoiceStatus.OPEN and not recovery.end_actions_pending:
        return await close_for_settled_invoice(deps, run, invoice)
    subscription = (await deps.gateway.retrieve_subscription(recovery.account, invoice.subscription_id)
                    if invoice.subscription_id else None)
    newer_paid, later_open = await _later_invoices(deps.gateway, recovery.account, invoice)
    now = recovery.end_actions_dated(now)
    plan = plan_end_of_dunning(settings, SubscriptionState.of(subscription), newer_invoice_paid=newer_paid,
                               later_open_invoice_ids=later_open, now=now)
    if settings.observe_only or recovery.observing:
        return await _conclude(deps, run, recovery.id, plan, now, detail_prefix="observe only, nothing was changed: ")
    await _mark_pending(deps, recovery.id, now)
    await _apply(deps.gateway, recovery, plan, subscription)
    return await _conclude(deps, run, recovery.id, plan, now, detail_prefix="")


async def _not_yet(deps: JobDeps, run: JobRun, recovery: Recovery) -> Outcome:
    """A stale end job (the dunning length grew since it was queued): put the real one on the calendar."""
    async with deps.uow_factory() as uow:
        await queue_end(uow, recovery, deps.clock.now())
        await run.finish(uow)
        await uow.commit()
    return Done()


async def _later_invoices(gateway: StripeGateway, account: StripeAccount,
                          invoice: Invoice) -> tuple[bool, list[str]]:
    """Whether a newer invoice of the subscription is paid, and which later ones are still open."""
    if invoice.subscription_id is None:
        return False, []
    newer_paid = False
    later_open: list[str] = []
    async for other in gateway.list_invoices(account, subscription_id=invoice.subscription_id,
                                             created_gte=invoice.created):
        # Strictly later: an invoice from the same second (a signup invoice, say) proves nothing.
        if other.id == invoice.id or other.created <= invoice.created:
            continue
        # Paid with money: a $0 invoice (a trial, a credit) says nothing about the customer paying.
        if other.status is InvoiceStatus.PAID and other.amount_due > 0:
            newer_paid = True
        elif other.status is InvoiceStatus.OPEN:
            later_open.append(other.id)
    return newer_paid, later_open


async def _mark_pending(deps: JobDeps, recovery_id: str, now: datetime) -> None:
    async with deps.uow_factory() as uow:
        recovery = await uow.recoveries.get(recovery_id)
        if recovery is not None and recovery.end_actions_started(now):
            await recorded_end(uow, recovery, now, tag=False, restore_collection=False)
            await uow.commit()


async def _apply(gateway: StripeGateway, recovery: Recovery, plan: EndOfDunningPlan,
                 subscription: Subscription | None) -> None:
    # Every parameter below is a function of durable state (ids, settings, the deadline), so a
    # re-run after a failure midway replays the writes already made and finishes the rest.
    account, key = recovery.account, f"recoup:{recovery.id}:end"
    if subscription is not None and plan.mark_dunning_complete:
        # Written before any cancellation: Stripe refuses updates to a canceled subscription.
        await gateway.update_subscription(account, subscription.id, idempotency_key=f"{key}:metadata",
                                          metadata=dunning_complete_metadata(recovery.deadline))
    if subscription is not None and not isinstance(plan.subscription, CancelAt):
        await _apply_subscription_step(gateway, account, subscription.id, plan, f"{key}:subscription")
    # Tagged before a void: a voided invoice keeps its last metadata, so merchants can still filter it.
    await gateway.update_invoice(account, recovery.invoice_id, idempotency_key=f"{key}:tag",
                                 metadata={STATUS_KEY: "exhausted", RECOVERY_KEY: recovery.id})
    await _apply_invoice_action(gateway, account, recovery.invoice_id, plan.invoice, f"{key}:invoice")
    for invoice_id in plan.tidy_invoice_ids:
        await _apply_invoice_action(gateway, account, invoice_id, plan.invoice, f"{key}:tidy:{invoice_id}")


async def _apply_subscription_step(gateway: StripeGateway, account: StripeAccount, subscription_id: str,
                                   plan: EndOfDunningPlan, key: str) -> None:
    match plan.subscription:
        case CancelNow(prorate=prorate):
            await gateway.cancel_subscription(account, subscription_id, idempotency_key=key, prorate=prorate,
                                              comment=CANCELLATION_COMMENT)
        case CancelAtPeriodEnd():
            await gateway.update_subscription(account, subscription_id, idempotency_key=key,
                                              cancel_at_period_end=True, cancellation_comment=CANCELLATION_COMMENT)
        case CancelAt(when=when, prorate=prorate):
            await gateway.update_subscription(account, subscription_id, idempotency_key=key, cancel_at=when,
                                              proration_behavior="create_prorations" if prorate else "none",
                                              cancellation_comment=CANCELLATION_COMMENT)
        case LeaveSubscription():
            pass


async def _apply_invoice_action(gateway: StripeGateway, account: StripeAccount, invoice_id: str,
                                action: InvoiceAction, key: str) -> None:
    if action is InvoiceAction.LEAVE:
        return
    current = await gateway.retrieve_invoice(account, invoice_id)  # re-read: it may be paid by now
    if current.status is not InvoiceStatus.OPEN:
        return
    if action is InvoiceAction.VOID:
        await gateway.void_invoice(account, invoice_id, idempotency_key=key)
    else:
        await gateway.mark_invoice_uncollectible(account, invoice_id, idempotency_key=key)


async def _conclude(deps: JobDeps, run: JobRun, recovery_id: str, plan: EndOfDunningPlan, now: datetime, *,
                    detail_prefix: str) -> Outcome:
    async with deps.uow_factory() as uow:
        recovery = await uow.recoveries.get(recovery_id)
        assert recovery is not None
        if recovery.end_actions_done(detail_prefix + "; ".join(plan.reasons), now):
            await recorded_end(uow, recovery, now, tag=False, restore_collection=False)
        else:
            await uow.recoveries.save(recovery)
        if not detail_prefix:
            await _queue_follow_ups(uow, recovery, plan, now)
        await run.finish(uow)
        await uow.commit()
    recovery_log.exhausted(recovery)
    return Done()


async def _queue_follow_ups(uow: UnitOfWork, recovery: Recovery, plan: EndOfDunningPlan, now: datetime) -> None:
    if isinstance(plan.subscription, CancelAt) and recovery.subscription_id:
        # Not Stripe's cancel_at: the safeguard (a newer invoice paid) is checked when it is due.
        await uow.jobs.enqueue(NewJob(kind=JobKind.CANCEL_SUBSCRIPTION, account=recovery.account,
                                      run_at=plan.subscription.when, recovery_id=recovery.id,
                                      payload={"prorate": "yes" if plan.subscription.prorate else "no"},
                                      dedupe_key=delayed_cancel_key(recovery.id)), now)
    if plan.invoice is InvoiceAction.LEAVE and recovery.collection_to_restore():
        # The invoice stays open: Stripe collects it again the way it did before Recoup stepped in.
        await uow.jobs.enqueue(NewJob(kind=JobKind.RESTORE_COLLECTION, account=recovery.account, run_at=now,
                                      recovery_id=recovery.id, dedupe_key=restore_key(recovery.id)), now)


async def cancel_subscription_later(deps: JobDeps, run: JobRun) -> Outcome:
    """The delayed cancellation is due: cancel unless a newer invoice of the subscription was paid since."""
    async with deps.uow_factory() as uow:
        recovery = await uow.recoveries.get(run.job.recovery_id or "")
    if recovery is None or recovery.subscription_id is None:
        return await finish(deps, run)
    account = recovery.account
    invoice = await deps.gateway.retrieve_invoice(account, recovery.invoice_id)
    subscription = await deps.gateway.retrieve_subscription(account, recovery.subscription_id)
    newer_paid, _later_open = await _later_invoices(deps.gateway, account, invoice)
    if not newer_paid and not SubscriptionState.of(subscription).already_canceled:
        await deps.gateway.cancel_subscription(account, subscription.id,
                                               idempotency_key=f"recoup:{recovery.id}:end:subscription",
                                               prorate=run.job.payload.get("prorate") == "yes",
                                               comment=CANCELLATION_COMMENT)
    return await finish(deps, run)
