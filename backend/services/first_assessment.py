"""The first look at a failed invoice: read why it failed, plan the recovery, tag the invoice."""

from __future__ import annotations

from backend.domain.billing import Card, CardDecline, InvoiceStatus, StripeAccount
from backend.domain.declines import classify_decline
from backend.domain.recovery import ORIGINAL_ATTEMPT_NUMBER, card_history
from backend.domain.recovery_state import RecoveryStatus
from backend.jobs.loading import Loaded, load, load_for_job
from backend.jobs.outcomes import Done, Outcome
from backend.jobs.runner import JobDeps, JobRun
from backend.services import recovery_log
from backend.services.lifecycle import queue_tag
from backend.services.planning import plan_and_queue
from backend.services.settled_invoices import close_for_settled_invoice


async def assess_failure(deps: JobDeps, run: JobRun) -> Outcome:
    loaded = await load_for_job(deps, run)
    if not isinstance(loaded, Loaded):
        return loaded
    account = loaded.recovery.account
    invoice = await deps.gateway.retrieve_invoice(account, loaded.recovery.invoice_id)
    if invoice.status is not InvoiceStatus.OPEN:
        return await close_for_settled_invoice(deps, run, invoice)
    customer = await deps.gateway.retrieve_customer(account, invoice.customer_id)
    decline = invoice.latest_decline or CardDecline()
    failed_pm = decline.payment_method_id or invoice.latest_payment_method_id
    card = await _find_card(deps, account, invoice.customer_id, failed_pm)
    now = deps.clock.now()
    async with deps.uow_factory() as uow:
        fresh = await load(uow, run.job.recovery_id)
        if fresh is None or fresh.status is RecoveryStatus.PAUSED or not fresh.recovery.is_open:
            await run.finish(uow)
            await uow.commit()
            return Done()
        recovery = fresh.recovery
        recovery.assessed(decline, classify_decline(decline), country=customer.country,
                          stripe_retrying=invoice.next_payment_attempt is not None)
        attempts = fresh.attempts
        if not any(a.number == ORIGINAL_ATTEMPT_NUMBER for a in attempts):
            original = recovery.original_failure(decline, card, failed_pm)
            await uow.attempts.add(original)
            attempts = [original, *attempts]
        await plan_and_queue(uow, recovery, fresh.settings,
                             card=card_history(attempts, failed_pm, card.brand if card else None), now=now)
        if not fresh.settings.observe_only and not recovery.observing:
            await queue_tag(uow, recovery, "in_recovery", now)
        await uow.recoveries.save(recovery)
        await run.finish(uow)
        await uow.commit()
    recovery_log.assessed(recovery)
    return Done()


async def _find_card(deps: JobDeps, account: StripeAccount, customer_id: str,
                     payment_method_id: str | None) -> Card | None:
    if payment_method_id is None:
        return None
    cards = await deps.gateway.list_card_payment_methods(account, customer_id)
    return next((card for card in cards if card.id == payment_method_id), None)
