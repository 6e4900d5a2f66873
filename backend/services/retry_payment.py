"""One retry: re-read the invoice, pick the card, pay with a durable idempotency key, plan what next."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from backend.domain.billing import Card, CardDecline, Declined, InvoiceStatus, Paid, PayOutcome
from backend.domain.card_rotation import next_card
from backend.domain.declines import DeclineCategory, classify_decline, is_retryable
from backend.domain.recovery_state import RecoveryEvent, RecoveryStatus, is_terminal
from backend.services.job_kinds import pay_idempotency_key
from backend.services.job_runner import JobDeps, JobRun
from backend.services.lifecycle import end_recovery, score
from backend.services.observe import observe_attempt
from backend.services.planning import plan_and_queue
from backend.services.ports import StripeRequestRejected
from backend.services.records import AttemptRecord, RecoveryRecord
from backend.services.recovery_jobs_common import (
    Loaded,
    card_facts,
    close_for_settled_invoice,
    failed_card_ids,
    latest_card,
    load,
    load_open,
)
from backend.services.unit_of_work import UnitOfWork

# What each trigger means for attribution when the payment succeeds.
_RECOVERED_BY = {"schedule": "retry", "merchant": "retry", "card_update": "card_update",
                 "card_updater": "card_updater"}  # the networks refreshed the card (outreach)
_OURS = frozenset(_RECOVERED_BY.values())


@dataclass(frozen=True)
class CardChoice:
    payment_method_id: str | None  # None: Stripe charges the invoice's default payment method
    card: Card | None
    rotated: bool  # another card than the failed one: make it the default if it works


async def pay_invoice(deps: JobDeps, run: JobRun) -> None:
    if run.job.tries > 1 and await _credit_lost_success(deps, run):
        return
    loaded = await load_open(deps, run)
    if loaded is None:
        return
    if loaded.settings.observe_only or loaded.status is RecoveryStatus.OBSERVING:
        await observe_attempt(deps, run, loaded)
        return
    recovery = loaded.recovery
    invoice = await deps.gateway.retrieve_invoice(recovery.account, recovery.invoice_id)
    number = recovery.attempts_made + 1
    # The key depends only on the recovery and the attempt number, so a job re-run after a crash
    # (or by a second worker after a lost lease) replays Stripe's stored answer instead of charging.
    key = pay_idempotency_key(recovery.id, number)
    if invoice.status is not InvoiceStatus.OPEN:
        if not (invoice.status is InvoiceStatus.PAID and run.job.tries > 1
                and await _replay_lost_answer(deps, run, loaded, key)):
            await close_for_settled_invoice(deps, run, invoice)  # paid elsewhere: never charge twice
        return
    choice = await _choose_card(deps, loaded, invoice.customer_id, run.job.payload)
    try:
        outcome = await deps.gateway.pay_invoice(recovery.account, invoice.id, idempotency_key=key,
                                                 payment_method=choice.payment_method_id)
    except StripeRequestRejected as refusal:
        await _record(deps, run, _refusal_as_decline(refusal), choice, number, key,
                      category=_refusal_category(refusal))
        return
    if isinstance(outcome, Paid) and choice.rotated and choice.payment_method_id:
        await _make_default(deps, recovery, choice.payment_method_id, failed_card_ids(loaded.attempts))
    await _record(deps, run, outcome, choice, number, key)


def _refusal_as_decline(refusal: StripeRequestRejected) -> Declined:
    """Stripe would not even try the payment (no usable card on file, a detached card, ...)."""
    return Declined(CardDecline(code=refusal.code or "payment_refused", message=str(refusal)),
                    request_id=refusal.request_id)


def _refusal_category(refusal: StripeRequestRejected) -> DeclineCategory:
    # Reusing a key with other parameters means an earlier attempt of ours was made and did not
    # pay (the invoice is still open): just go on with the schedule. Any other refusal means
    # nothing on file can be charged, so only the customer can help; retrying blindly cannot.
    if refusal.code == "idempotency_error":
        return DeclineCategory.OTHER
    return DeclineCategory.NEEDS_NEW_CARD


async def _credit_lost_success(deps: JobDeps, run: JobRun) -> bool:
    """A re-run whose recovery was meanwhile closed as paid by someone else: was it us after all?

    If the process died after Stripe took our payment, the invoice.paid webhook can close the
    recovery before this job runs again. Stripe still holds the answer to our request.
    """
    async with deps.uow_factory() as uow:
        loaded = await load(uow, run.job.recovery_id)
    if loaded is None or loaded.status is not RecoveryStatus.RECOVERED or loaded.recovery.recovered_by in _OURS:
        return False
    key = pay_idempotency_key(loaded.recovery.id, loaded.recovery.attempts_made + 1)
    return await _replay_lost_answer(deps, run, loaded, key)


async def _replay_lost_answer(deps: JobDeps, run: JobRun, loaded: Loaded, key: str) -> bool:
    """After a crash, ask Stripe for the answer to our own pay request, if it was ever made.

    The invoice is paid and this job ran before: perhaps by our request, whose answer died with
    the process. Re-sending the same key returns Stripe's stored answer and charges nothing;
    if the first request never reached Stripe, Stripe refuses to pay a paid invoice.
    """
    recovery = loaded.recovery
    choice = await _choose_card(deps, loaded, recovery.customer_id, run.job.payload)
    try:
        outcome = await deps.gateway.pay_invoice(recovery.account, recovery.invoice_id, idempotency_key=key,
                                                 payment_method=choice.payment_method_id)
    except StripeRequestRejected:
        return False
    if not isinstance(outcome, Paid):
        return False
    await _record(deps, run, outcome, choice, recovery.attempts_made + 1, key)
    return True


async def _choose_card(deps: JobDeps, loaded: Loaded, customer_id: str, payload: dict[str, Any]) -> CardChoice:
    cards = await deps.gateway.list_card_payment_methods(loaded.recovery.account, customer_id)
    by_id = {card.id: card for card in cards}
    failed = failed_card_ids(loaded.attempts)
    requested = payload.get("payment_method")
    if isinstance(requested, str) and requested:
        return CardChoice(requested, by_id.get(requested), rotated=False)  # already the new default
    wants_other_card = payload.get("trigger") == "card_update" or (
        loaded.settings.card_rotation and _latest_is_soft(loaded.recovery))
    if wants_other_card:
        # Stripe lists a customer's cards newest first, so a card just added comes first.
        candidate = next_card(cards, failed_card_ids=failed, now=deps.clock.now())
        if candidate is not None:
            return CardChoice(candidate.id, candidate, rotated=True)
    last_pm, _ = latest_card(loaded.attempts)
    return CardChoice(None, by_id.get(last_pm or ""), rotated=False)


def _latest_is_soft(recovery: RecoveryRecord) -> bool:
    category = recovery.latest_decline_category
    return category is not None and is_retryable(DeclineCategory(category))


async def _make_default(deps: JobDeps, recovery: RecoveryRecord, payment_method_id: str,
                        failed: set[str]) -> None:
    """Point the field that held the failed card at the card that worked (STRIPE.md §6.1).

    Stripe charges the subscription's default before the customer's, so fixing the wrong field
    would leave the next renewal on the dead card.
    """
    account = recovery.account
    key = f"recoup:{recovery.id}:default:{payment_method_id}"
    if recovery.subscription_id:
        subscription = await deps.gateway.retrieve_subscription(account, recovery.subscription_id)
        if subscription.default_payment_method in failed:
            await deps.gateway.update_subscription(account, subscription.id, idempotency_key=key,
                                                   default_payment_method=payment_method_id)
            return
        if subscription.default_payment_method is not None:
            return  # the subscription's own card did not fail; leave the merchant's choice alone
    customer = await deps.gateway.retrieve_customer(account, recovery.customer_id)
    if customer.default_payment_method in failed:
        await deps.gateway.set_customer_default_payment_method(account, customer.id, payment_method_id,
                                                               idempotency_key=key)


async def _record(deps: JobDeps, run: JobRun, outcome: PayOutcome, choice: CardChoice, number: int,
                  key: str, *, category: DeclineCategory | None = None) -> None:
    now = deps.clock.now()
    trigger = str(run.job.payload.get("trigger", "schedule"))
    async with deps.uow_factory() as uow:
        fresh = await load(uow, run.job.recovery_id)
        assert fresh is not None, "recoveries are never deleted while their jobs run"
        recovery = fresh.recovery
        attempt = AttemptRecord(
            recovery_id=recovery.id, number=number, attempted_at=now, idempotency_key=key, trigger=trigger,
            outcome="succeeded" if isinstance(outcome, Paid) else ("refused" if category else "declined"),
            payment_method_id=choice.payment_method_id or (choice.card.id if choice.card else None),
            card_brand=choice.card.brand if choice.card else None,
            card_last4=choice.card.last4 if choice.card else None, request_id=outcome.request_id)
        if isinstance(outcome, Declined):
            decline = outcome.decline
            attempt.payment_method_id = decline.payment_method_id or attempt.payment_method_id
            attempt.decline_code = decline.decline_code or decline.code
            attempt.advice_code = decline.advice_code
            attempt.network_advice_code = decline.network_advice_code
        await uow.attempts.add(attempt)
        recovery.attempts_made = max(recovery.attempts_made, number)
        if isinstance(outcome, Paid):
            await _recovered(uow, recovery, _RECOVERED_BY.get(trigger, "retry"), now)
        elif not is_terminal(RecoveryStatus(recovery.status)):
            category = category or classify_decline(outcome.decline)
            recovery.latest_decline_category = str(category)
            recovery.latest_decline_code = attempt.decline_code
            recovery.latest_advice_code = outcome.decline.advice_code
            recovery.latest_network_advice_code = outcome.decline.network_advice_code
            attempts = [*fresh.attempts, attempt]
            await plan_and_queue(uow, recovery, fresh.settings,
                                 card=card_facts(attempts, attempt.payment_method_id, attempt.card_brand),
                                 now=now)
            await uow.recoveries.save(recovery)
        else:
            await uow.recoveries.save(recovery)
        await run.finish(uow)
        await uow.commit()


async def _recovered(uow: UnitOfWork, recovery: RecoveryRecord, by: str, now: datetime) -> None:
    if is_terminal(RecoveryStatus(recovery.status)):
        # invoice.paid got here first and guessed the attribution; our successful attempt is the truth.
        recovery.recovered_by = by
        recovery.difficulty = await score(uow, recovery, now)
        await uow.recoveries.save(recovery)
        return
    await end_recovery(uow, recovery, RecoveryEvent.PAID, outcome="paid", recovered_by=by, now=now)
