"""One retry: re-read the invoice and subscription, pick the card, ask the guard, pay, plan what next."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from backend.domain.attribution import Attribution
from backend.domain.billing import Card, CardDecline, Declined, InvoiceStatus, Paid, PayOutcome
from backend.domain.card_rotation import next_card
from backend.domain.charge_guard import ChargeAnswer, ChargeQuestion, Then
from backend.domain.declines import DeclineCategory, classify_decline, is_retryable
from backend.domain.recovery import Attempt, Recovery, card_history, failed_card_ids, latest_card
from backend.domain.recovery_state import RecoveryEvent, RecoveryStatus
from backend.jobs.kinds import JobKind, pay_idempotency_key, scheduled_pay_key
from backend.jobs.loading import Loaded, finish, load, load_for_job
from backend.jobs.outcomes import Done, Outcome
from backend.jobs.runner import JobDeps, JobRun
from backend.services import recovery_log
from backend.services.lifecycle import correct_attribution, end_recovery
from backend.services.paper_attempts import observe_attempt
from backend.services.planning import enqueue, plan_and_queue, queue_end
from backend.services.ports import StripeRequestRejected, StripeUnavailable
from backend.services.settled_invoices import close_for_settled_invoice, close_for_stopped_subscription

# What each trigger means for attribution when the payment succeeds.
_ATTRIBUTION = {"schedule": Attribution.RECOUP_RETRY, "merchant": Attribution.RECOUP_RETRY,
                "card_update": Attribution.CARD_UPDATE,
                # The networks' card updater refreshed the card and Recoup's immediate retry took the
                # money: the same road back as a card the customer added (docs/recovery-rules.md).
                "card_updater": Attribution.CARD_UPDATE}
_OURS = frozenset(str(a) for a in _ATTRIBUTION.values())


@dataclass(frozen=True)
class CardChoice:
    payment_method_id: str | None  # None: Stripe charges the invoice's default payment method
    card: Card | None
    rotated: bool  # another card than the failed one: make it the default if it works
    fingerprints: dict[str, str | None]

    @property
    def card_id(self) -> str | None:
        return self.payment_method_id or (self.card.id if self.card else None)


async def pay_invoice(deps: JobDeps, run: JobRun) -> Outcome:
    crash_rerun = run.job.tries > 1
    loaded = await load_for_job(deps, run, keep_ended=_paid_by_someone_else if crash_rerun else None)
    if not isinstance(loaded, Loaded):
        return loaded
    if not loaded.recovery.is_open:
        return await _credit_lost_success(deps, run, loaded)
    if loaded.settings.observe_only or loaded.status is RecoveryStatus.OBSERVING:
        return await observe_attempt(deps, run, loaded)
    recovery = loaded.recovery
    invoice = await deps.gateway.retrieve_invoice(recovery.account, recovery.invoice_id)
    # The key depends only on the recovery and the attempt number, so a job re-run after a crash
    # (or by a second worker after a lost lease) replays Stripe's stored answer instead of charging.
    number = recovery.next_attempt_number()
    key = pay_idempotency_key(recovery.id, number)
    if invoice.status is InvoiceStatus.PAID and run.job.tries > 1 \
            and await _replay_lost_answer(deps, run, loaded, key):
        return Done()
    subscription_status = None
    if invoice.subscription_id and invoice.status is InvoiceStatus.OPEN:
        # customer.subscription.deleted may still be on its way: ask Stripe, not our inbox.
        subscription_status = (await deps.gateway.retrieve_subscription(recovery.account,
                                                                        invoice.subscription_id)).status
    choice = await _choose_card(deps, loaded, invoice.customer_id, run.job.payload)
    card_update = run.job.payload.get("trigger") == "card_update"
    failed_on_invoice = frozenset({invoice.latest_payment_method_id} if invoice.latest_decline
                                  and invoice.latest_payment_method_id else set())
    answer = recovery.may_charge(ChargeQuestion(invoice_status=invoice.status,
                                                subscription_status=subscription_status, card=choice.card,
                                                card_id=choice.card_id, now=deps.clock.now(),
                                                as_new_card=card_update, failed_on_invoice=failed_on_invoice,
                                                card_refreshed_at=_refreshed_at(run.job.payload)),
                                 loaded.attempts, choice.fingerprints)
    if not answer.allowed:
        if invoice.status is not InvoiceStatus.OPEN:
            return await close_for_settled_invoice(deps, run, invoice)  # paid elsewhere: never charge twice
        return await _not_charged(deps, run, answer, subscription_status)
    try:
        outcome = await deps.gateway.pay_invoice(recovery.account, invoice.id, idempotency_key=key,
                                                 payment_method=choice.payment_method_id)
    except StripeRequestRejected as refusal:
        return await _record(deps, run, _refusal_as_decline(refusal), choice, number, key,
                             category=_refusal_category(refusal))
    except StripeUnavailable:
        settled = await _answer_from_stripe_state(deps, loaded, choice)
        if settled is None:
            raise  # perhaps it never reached Stripe: the same key is sent again later
        outcome = settled
    if isinstance(outcome, Paid) and choice.rotated and choice.payment_method_id:
        await _make_default(deps, recovery, choice.payment_method_id, failed_card_ids(loaded.attempts))
    return await _record(deps, run, outcome, choice, number, key)


async def _not_charged(deps: JobDeps, run: JobRun, answer: ChargeAnswer, subscription_status: str | None) -> Outcome:
    """The guard said no: close, wait for a card, come back when the network allows, or end."""
    if answer.then is Then.CLOSE:
        return await close_for_stopped_subscription(deps, run, subscription_status or "canceled")
    now = deps.clock.now()
    async with deps.uow_factory() as uow:
        fresh = await load(uow, run.job.recovery_id)
        assert fresh is not None, "recoveries are never deleted while their jobs run"
        recovery = fresh.recovery
        recovery.charge_refused(answer, now)
        if answer.then is Then.LATER and recovery.next_attempt_at is not None:
            when = recovery.next_attempt_at
            await enqueue(uow, recovery, JobKind(run.job.kind), when, dict(run.job.payload),
                          scheduled_pay_key(recovery.id, recovery.attempts_made, int(when.timestamp())), now)
            await queue_end(uow, recovery, now)
        elif answer.then is Then.WAIT_FOR_CARD:
            await queue_end(uow, recovery, now)
        else:
            last_pm, brand = latest_card(fresh.attempts)
            await plan_and_queue(uow, recovery, fresh.settings, card=card_history(fresh.attempts, last_pm, brand),
                                 now=now)
        await uow.recoveries.save(recovery)
        await run.finish(uow)
        await uow.commit()
    return Done()


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


def _paid_by_someone_else(recovery: Recovery) -> bool:
    return recovery.status == RecoveryStatus.RECOVERED and recovery.recovered_by not in _OURS


async def _credit_lost_success(deps: JobDeps, run: JobRun, loaded: Loaded) -> Outcome:
    """A re-run whose recovery was meanwhile closed as paid by someone else: was it us after all?

    If the process died after Stripe took our payment, the invoice.paid event can close the
    recovery before this job runs again. Stripe still holds the answer to our request.
    """
    key = pay_idempotency_key(loaded.recovery.id, loaded.recovery.next_attempt_number())
    if await _replay_lost_answer(deps, run, loaded, key):
        return Done()
    return await finish(deps, run)


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
    except StripeUnavailable:
        # Stripe may be replaying a 5xx it stored after our request took effect: that replay
        # never changes, so Stripe's state answers instead.
        settled = await _answer_from_stripe_state(deps, loaded, choice)
        if settled is None:
            return False
        outcome = settled
    if not isinstance(outcome, Paid):
        return False
    await _record(deps, run, outcome, choice, recovery.next_attempt_number(), key)
    return True


async def _answer_from_stripe_state(deps: JobDeps, loaded: Loaded, choice: CardChoice) -> Paid | None:
    """What our pay request did, read from the invoice when Stripe's answer to it is an error.

    Stripe stores a 5xx that happened after the charge and replays it for the key (with
    `Stripe-Should-Retry: false`), so sending the request again never tells. The invoice's
    PaymentIntent does: its charge on our card, made after every attempt of the story, is ours.
    None when nothing shows our request took the money (a decline is a 402, never a stored 5xx).
    """
    recovery = loaded.recovery
    invoice = await deps.gateway.retrieve_invoice(recovery.account, recovery.invoice_id)
    if invoice.status is InvoiceStatus.PAID and invoice.paid_by_charge_id:
        charge = await deps.gateway.retrieve_charge(recovery.account, invoice.paid_by_charge_id)
        if recovery.attempt_of_ours(charge, choice.card_id, loaded.attempts):
            return Paid(invoice, request_id=None)
    return None


async def _choose_card(deps: JobDeps, loaded: Loaded, customer_id: str, payload: dict[str, Any]) -> CardChoice:
    cards = await deps.gateway.list_card_payment_methods(loaded.recovery.account, customer_id)
    by_id = {card.id: card for card in cards}
    prints = {card.id: card.fingerprint for card in cards}
    failed = failed_card_ids(loaded.attempts)
    requested = payload.get("payment_method")
    if isinstance(requested, str) and requested:
        # The event that named this card may be older than the failure (Stripe does not deliver in
        # order): the card Stripe holds as default now is the one the customer chose last.
        current = await _current_default(deps, loaded.recovery) or requested
        return CardChoice(current, by_id.get(current), rotated=False, fingerprints=prints)
    wants_other_card = payload.get("trigger") == "card_update" or (
        loaded.settings.card_rotation and _latest_is_soft(loaded.recovery))
    if wants_other_card:
        # Stripe lists a customer's cards newest first, so a card just added comes first.
        candidate = next_card(cards, failed_card_ids=failed, now=deps.clock.now())
        if candidate is not None:
            return CardChoice(candidate.id, candidate, rotated=True, fingerprints=prints)
    last_pm, _ = latest_card(loaded.attempts)
    return CardChoice(None, by_id.get(last_pm or ""), rotated=False, fingerprints=prints)


async def _current_default(deps: JobDeps, recovery: Recovery) -> str | None:
    """The card Stripe charges for this invoice now: the subscription's default, else the customer's."""
    if recovery.subscription_id:
        subscription = await deps.gateway.retrieve_subscription(recovery.account, recovery.subscription_id)
        if subscription.default_payment_method:
            return subscription.default_payment_method
    return (await deps.gateway.retrieve_customer(recovery.account, recovery.customer_id)).default_payment_method


def _refreshed_at(payload: dict[str, Any]) -> datetime | None:
    """When the card updater refreshed the card this retry is for (set only by that event)."""
    raw = payload.get("refreshed_at")
    return datetime.fromisoformat(raw) if isinstance(raw, str) else None


def _latest_is_soft(recovery: Recovery) -> bool:
    category = recovery.latest_decline_category
    return category is not None and is_retryable(DeclineCategory(category))


async def _make_default(deps: JobDeps, recovery: Recovery, payment_method_id: str, failed: set[str]) -> None:
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


def _attempt(recovery_id: str, run: JobRun, outcome: PayOutcome, choice: CardChoice, number: int, key: str,
             refused: bool, now: Any) -> Attempt:
    decline = outcome.decline if isinstance(outcome, Declined) else None
    card = choice.card
    return Attempt(
        recovery_id=recovery_id, number=number, attempted_at=now, idempotency_key=key,
        trigger=str(run.job.payload.get("trigger", "schedule")),
        outcome="succeeded" if isinstance(outcome, Paid) else ("refused" if refused else "declined"),
        payment_method_id=(decline.payment_method_id if decline else None) or choice.card_id,
        card_brand=card.brand if card else None, card_last4=card.last4 if card else None,
        decline_code=(decline.decline_code or decline.code) if decline else None,
        advice_code=decline.advice_code if decline else None,
        network_advice_code=decline.network_advice_code if decline else None, request_id=outcome.request_id,
        payment_intent_id=decline.payment_intent_id if decline else None,
        charge_id=decline.charge_id if decline else _paying_charge(outcome))


def _paying_charge(outcome: PayOutcome) -> str | None:
    return outcome.invoice.paid_by_charge_id if isinstance(outcome, Paid) else None


async def _record(deps: JobDeps, run: JobRun, outcome: PayOutcome, choice: CardChoice, number: int,
                  key: str, *, category: DeclineCategory | None = None) -> Outcome:
    now = deps.clock.now()
    async with deps.uow_factory() as uow:
        fresh = await load(uow, run.job.recovery_id)
        assert fresh is not None, "recoveries are never deleted while their jobs run"
        recovery = fresh.recovery
        attempt = _attempt(recovery.id, run, outcome, choice, number, key, category is not None, now)
        await uow.attempts.add(attempt)
        if isinstance(outcome, Paid):
            recovery.charge_succeeded(attempt)
            attribution = _ATTRIBUTION.get(attempt.trigger, Attribution.RECOUP_RETRY)
            if recovery.is_open:
                await end_recovery(uow, recovery, RecoveryEvent.PAID, outcome="paid", attribution=attribution,
                                   now=now)
            else:
                await correct_attribution(uow, recovery, attribution, now)
        else:
            recovery.charge_declined(attempt, outcome.decline, category or classify_decline(outcome.decline))
            if recovery.is_open:
                await plan_and_queue(uow, recovery, fresh.settings,
                                     card=card_history([*fresh.attempts, attempt], attempt.payment_method_id,
                                                       attempt.card_brand), now=now)
            await uow.recoveries.save(recovery)
        await run.finish(uow)
        await uow.commit()
    recovery_log.attempt_made(recovery, attempt, fresh.settings.max_retries)
    return Done()
