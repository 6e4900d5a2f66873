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
from backend.domain.recovery_state import RecoveryEvent, RecoveryStatus, is_terminal
from backend.domain.settings import InvoiceAction
from backend.services.job_runner import JobDeps, JobRun
from backend.services.lifecycle import end_recovery
from backend.services.ports import StripeGateway
from backend.services.records import RecoveryRecord
from backend.services.recovery_jobs_common import close_for_settled_invoice, load, park
from backend.services.tagging import RECOVERY_KEY, STATUS_KEY

# Marks a recovery whose end actions have started but not all finished: a re-run after a crash
# applies them again (each with its own idempotency key) instead of skipping a terminal recovery.
ACTIONS_PENDING = "end_actions_pending"
CANCELLATION_COMMENT = "Canceled by Recoup after the failed payment could not be recovered."


async def end_dunning(deps: JobDeps, run: JobRun) -> None:
    async with deps.uow_factory() as uow:
        loaded = await load(uow, run.job.recovery_id)
    if loaded is None or loaded.status is RecoveryStatus.PAUSED or (
            is_terminal(loaded.status) and loaded.recovery.outcome != ACTIONS_PENDING):
        await _finish(deps, run)  # paused: resuming re-plans and checks the deadline again
        return
    if not loaded.settings.enabled:
        await park(deps, run)
        return
    recovery, settings = loaded.recovery, loaded.settings
    invoice = await deps.gateway.retrieve_invoice(recovery.account, recovery.invoice_id)
    if invoice.status is not InvoiceStatus.OPEN and recovery.outcome != ACTIONS_PENDING:
        await close_for_settled_invoice(deps, run, invoice)
        return
    subscription = (await deps.gateway.retrieve_subscription(recovery.account, invoice.subscription_id)
                    if invoice.subscription_id else None)
    newer_paid, later_open = await _later_invoices(deps.gateway, recovery.account, invoice)
    # A run that stopped half-way replays its writes under the same idempotency keys, so they must carry
    # the same parameters: every time in them comes from the moment the first run marked the recovery.
    now = recovery.closed_at if recovery.outcome == ACTIONS_PENDING and recovery.closed_at else deps.clock.now()
    plan = plan_end_of_dunning(settings, SubscriptionState.of(subscription), newer_invoice_paid=newer_paid,
                               later_open_invoice_ids=later_open, now=now)
    observing = settings.observe_only or loaded.status is RecoveryStatus.OBSERVING
    if observing:
        await _conclude(deps, run, recovery.id, plan, now, detail_prefix="observe only, nothing was changed: ")
        return
    await _mark_pending(deps, recovery.id, now)
    await _apply(deps.gateway, recovery, plan, subscription, now)
    await _conclude(deps, run, recovery.id, plan, now, detail_prefix="")


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
        if other.status is InvoiceStatus.PAID:
            newer_paid = True
        elif other.status is InvoiceStatus.OPEN:
            later_open.append(other.id)
    return newer_paid, later_open


async def _mark_pending(deps: JobDeps, recovery_id: str, now: datetime) -> None:
    async with deps.uow_factory() as uow:
        recovery = await uow.recoveries.get(recovery_id)
        if recovery is not None and not is_terminal(RecoveryStatus(recovery.status)):
            await end_recovery(uow, recovery, RecoveryEvent.EXHAUSTED, outcome=ACTIONS_PENDING, now=now,
                               tag=False)
            await uow.commit()


async def _apply(gateway: StripeGateway, recovery: RecoveryRecord, plan: EndOfDunningPlan,
                 subscription: Subscription | None, now: datetime) -> None:
    account, key = recovery.account, f"recoup:{recovery.id}:end"
    if subscription is not None and plan.mark_dunning_complete:
        # Written before any cancellation: Stripe refuses updates to a canceled subscription.
        await gateway.update_subscription(account, subscription.id, idempotency_key=f"{key}:metadata",
                                          metadata=dunning_complete_metadata(now))
    if subscription is not None:
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
                    detail_prefix: str) -> None:
    async with deps.uow_factory() as uow:
        recovery = await uow.recoveries.get(recovery_id)
        assert recovery is not None
        if not is_terminal(RecoveryStatus(recovery.status)):
            await end_recovery(uow, recovery, RecoveryEvent.EXHAUSTED, outcome="exhausted", now=now, tag=False)
        recovery.outcome = "exhausted"
        recovery.outcome_detail = (detail_prefix + "; ".join(plan.reasons))[:1000]
        await uow.recoveries.save(recovery)
        await run.finish(uow)
        await uow.commit()


async def _finish(deps: JobDeps, run: JobRun) -> None:
    async with deps.uow_factory() as uow:
        await run.finish(uow)
        await uow.commit()
