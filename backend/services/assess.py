"""The first look at a failed invoice: read why it failed, plan the recovery, tag the invoice."""

from __future__ import annotations

from backend.domain.billing import Card, CardDecline, InvoiceStatus, StripeAccount
from backend.domain.declines import classify_decline
from backend.domain.recovery_state import RecoveryStatus, is_terminal
from backend.services import recovery_log
from backend.services.job_runner import JobDeps, JobRun
from backend.services.lifecycle import queue_tag
from backend.services.planning import plan_and_queue
from backend.services.records import AttemptRecord
from backend.services.recovery_jobs_common import card_facts, close_for_settled_invoice, load, load_open

ORIGINAL_ATTEMPT_NUMBER = 0


async def assess_failure(deps: JobDeps, run: JobRun) -> None:
    loaded = await load_open(deps, run)
    if loaded is None:
        return
    account = loaded.recovery.account
    invoice = await deps.gateway.retrieve_invoice(account, loaded.recovery.invoice_id)
    if invoice.status is not InvoiceStatus.OPEN:
        await close_for_settled_invoice(deps, run, invoice)
        return
    customer = await deps.gateway.retrieve_customer(account, invoice.customer_id)
    decline = invoice.latest_decline or CardDecline()
    failed_pm = decline.payment_method_id or invoice.latest_payment_method_id
    card = await _find_card(deps, account, invoice.customer_id, failed_pm)
    now = deps.clock.now()
    async with deps.uow_factory() as uow:
        fresh = await load(uow, run.job.recovery_id)
        if fresh is None or fresh.status is RecoveryStatus.PAUSED or is_terminal(fresh.status):
            await run.finish(uow)
            await uow.commit()
            return
        recovery = fresh.recovery
        category = classify_decline(decline)
        recovery.customer_country = customer.country
        recovery.first_decline_category = recovery.first_decline_category or str(category)
        recovery.first_decline_code = recovery.first_decline_code or _code(decline)
        recovery.latest_decline_category = str(category)
        recovery.latest_decline_code = _code(decline)
        recovery.latest_advice_code = decline.advice_code
        recovery.latest_network_advice_code = decline.network_advice_code
        recovery.stripe_retrying = recovery.stripe_retrying or invoice.next_payment_attempt is not None
        attempts = fresh.attempts
        if not any(a.number == ORIGINAL_ATTEMPT_NUMBER for a in attempts):
            # The failure that opened the recovery is attempt 0: it counts against the card's
            # network budget and shows first in the invoice's story.
            original = AttemptRecord(
                recovery_id=recovery.id, number=ORIGINAL_ATTEMPT_NUMBER, attempted_at=recovery.started_at,
                outcome="declined", idempotency_key=f"stripe:{recovery.id}:original", trigger="stripe",
                payment_method_id=failed_pm, card_brand=card.brand if card else None,
                card_last4=card.last4 if card else None, decline_code=_code(decline),
                advice_code=decline.advice_code, network_advice_code=decline.network_advice_code)
            await uow.attempts.add(original)
            attempts = [original, *attempts]
        await plan_and_queue(uow, recovery, fresh.settings,
                             card=card_facts(attempts, failed_pm, card.brand if card else None), now=now)
        if not fresh.settings.observe_only and recovery.status != RecoveryStatus.OBSERVING:
            await queue_tag(uow, recovery, "in_recovery", now)
        await uow.recoveries.save(recovery)
        await run.finish(uow)
        await uow.commit()
    recovery_log.assessed(recovery)


def _code(decline: CardDecline) -> str | None:
    return decline.decline_code or decline.code


async def _find_card(deps: JobDeps, account: StripeAccount, customer_id: str,
                     payment_method_id: str | None) -> Card | None:
    if payment_method_id is None:
        return None
    cards = await deps.gateway.list_card_payment_methods(account, customer_id)
    return next((card for card in cards if card.id == payment_method_id), None)
