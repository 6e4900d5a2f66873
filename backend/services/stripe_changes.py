"""What Stripe's invoice, subscription and card events do to recoveries.

None of these call Stripe: they record what happened and queue jobs in the same transaction.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from backend.domain.billing import StripeAccount
from backend.domain.recovery import Recovery
from backend.domain.recovery_state import RecoveryEvent, RecoveryStatus
from backend.domain.settings import RecoverySettings
from backend.jobs.kinds import JobKind, assess_key, card_update_pay_key, tag_key
from backend.services.account_settings import enabled_since, load_settings
from backend.services.lifecycle import end_recovery, open_recovery
from backend.services.records import AccountStatus, NewJob
from backend.services.unit_of_work import UnitOfWork
from backend.services.webhook_events import (
    CardAutomaticallyUpdated,
    CardUpdateCompleted,
    DefaultPaymentMethodChanged,
    InvoiceClosed,
    InvoicePaid,
    InvoicePaymentFailed,
    InvoiceUpdated,
    SubscriptionDeleted,
)

# Billing reasons of invoices a subscription generates (STRIPE.md §5.3); the rest are one-off.
SUBSCRIPTION_BILLING_REASONS = frozenset({
    "subscription", "subscription_create", "subscription_cycle", "subscription_threshold",
    "subscription_update"})
STRIPE_RETRYING_TAG = "stripe-retrying"


def new_recovery_id() -> str:
    return f"rec_{uuid.uuid4().hex[:24]}"


async def enabled_settings(uow: UnitOfWork, stripe_account: StripeAccount) -> RecoverySettings | None:
    account = await uow.accounts.get(stripe_account)
    if account is None or account.status is not AccountStatus.INSTALLED:
        return None
    settings = await load_settings(uow, account.ref)
    return settings if settings.enabled else None


async def payment_failed(uow: UnitOfWork, fact: InvoicePaymentFailed, now: datetime) -> str:
    """Open a recovery for a failed invoice Recoup should manage, and queue its assessment."""
    existing = await uow.recoveries.for_invoice(fact.account, fact.invoice_id)
    if existing is not None:
        # A later failure of an invoice we already manage: ours, Stripe's own retry, or the customer's.
        return await _note_stripe_retrying(uow, existing, fact.next_payment_attempt, now)
    if fact.collection_method != "charge_automatically":
        return "ignored: the customer pays this invoice by hand"
    settings = await enabled_settings(uow, fact.account)
    if settings is None:
        return "ignored: recovery is off for this account"
    since = await enabled_since(uow, fact.account)
    if since is not None and fact.at < since:
        # Off means off when the failure happens: switching on a moment later does not reach back.
        return "ignored: the payment failed while recovery was off"
    if fact.billing_reason not in SUBSCRIPTION_BILLING_REASONS and not settings.recover_one_off_invoices:
        return "ignored: one-off invoices are not recovered"
    recovery = Recovery.open(
        recovery_id=new_recovery_id(), account=fact.account, invoice_id=fact.invoice_id,
        customer_id=fact.customer_id, subscription_id=fact.subscription_id, amount=fact.amount_remaining,
        currency=fact.currency, settings=settings, now=now, reason="reading the decline reason from Stripe",
        stripe_retrying=fact.next_payment_attempt is not None)
    await open_recovery(uow, recovery, now)
    await uow.jobs.enqueue(NewJob(kind=JobKind.ASSESS_FAILURE, account=fact.account, run_at=now,
                                  recovery_id=recovery.id, dedupe_key=assess_key(recovery.id)), now)
    return "recovery opened"


async def _note_stripe_retrying(uow: UnitOfWork, recovery: Recovery,
                                next_payment_attempt: datetime | None, now: datetime) -> str:
    if next_payment_attempt is None or recovery.stripe_retrying or not recovery.is_open:
        return "already in recovery"
    recovery.stripe_collection(retrying=True)
    await uow.recoveries.save(recovery)
    # The tag job re-reads the invoice and, when the merchant allows it, turns auto_advance off.
    await uow.jobs.enqueue(NewJob(kind=JobKind.TAG_INVOICE, account=recovery.account, run_at=now,
                                  recovery_id=recovery.id, payload={"status": "in_recovery"},
                                  dedupe_key=tag_key(recovery.id, STRIPE_RETRYING_TAG)), now)
    return "stripe is retrying too"


async def invoice_updated(uow: UnitOfWork, fact: InvoiceUpdated, now: datetime) -> str:
    recovery = await uow.recoveries.for_invoice(fact.account, fact.invoice_id)
    if recovery is None:
        return "ignored: not in recovery"
    if fact.auto_advance is False:
        return "no automatic collection"
    return await _note_stripe_retrying(uow, recovery, fact.next_payment_attempt, now)


async def invoice_paid(uow: UnitOfWork, fact: InvoicePaid, now: datetime) -> str:
    recovery = await uow.recoveries.for_invoice(fact.account, fact.invoice_id)
    if recovery is None:
        return "ignored: not in recovery"
    # Our own successful retry corrects the attribution when its job finishes.
    ended = await end_recovery(uow, recovery, RecoveryEvent.PAID, outcome="paid",
                               attribution=recovery.paid_elsewhere(paid_off_stripe=fact.paid_off_stripe), now=now)
    return "recovered" if ended else "already ended"


async def invoice_closed(uow: UnitOfWork, fact: InvoiceClosed, now: datetime) -> str:
    recovery = await uow.recoveries.for_invoice(fact.account, fact.invoice_id)
    if recovery is None:
        return "ignored: not in recovery"
    ended = await end_recovery(uow, recovery, RecoveryEvent.CLOSED_ELSEWHERE,
                               outcome=f"invoice_{fact.new_status}", now=now)
    return "closed" if ended else "already ended"


async def subscription_deleted(uow: UnitOfWork, fact: SubscriptionDeleted, now: datetime) -> str:
    closed = 0
    for recovery in await uow.recoveries.open_for_subscription(fact.account, fact.subscription_id):
        closed += await end_recovery(uow, recovery, RecoveryEvent.CLOSED_ELSEWHERE,
                                     outcome="subscription_canceled", now=now)
    return f"closed {closed} recoveries"


async def card_updated(uow: UnitOfWork,
                       fact: DefaultPaymentMethodChanged | CardUpdateCompleted | CardAutomaticallyUpdated,
                       now: datetime) -> str:
    """A new card arrived: retry each of the customer's open recoveries once, right away, with it."""
    trigger, refreshed_at = "card_update", None
    if isinstance(fact, CardUpdateCompleted):
        marker, payment_method = fact.checkout_session_id, None
    elif isinstance(fact, CardAutomaticallyUpdated):
        # The same card, refreshed by the networks' updater: each refresh is worth one retry.
        marker, payment_method = f"{fact.payment_method_id}:updated-{int(fact.at.timestamp())}", fact.payment_method_id
        trigger, refreshed_at = "card_updater", fact.at.isoformat()
    else:
        marker, payment_method = fact.payment_method_id, fact.payment_method_id
    queued = 0
    for recovery in await uow.recoveries.open_for_customer(fact.account, fact.customer_id):
        status = recovery.state
        if status is RecoveryStatus.OBSERVING:
            continue  # nothing may be charged
        key = card_update_pay_key(recovery.id, marker)
        added = await uow.jobs.enqueue(NewJob(
            kind=JobKind.PAY_INVOICE, account=recovery.account, run_at=now, recovery_id=recovery.id,
            payload={"trigger": trigger, "payment_method": payment_method,
                     **({"refreshed_at": refreshed_at} if refreshed_at else {})}, dedupe_key=key), now)
        if not added:
            continue
        if status is RecoveryStatus.PAUSED:
            # The merchant paused it: the retry with the new card waits for the resume.
            await uow.jobs.pause_for_recovery(recovery.id)
            continue
        # The immediate retry replaces whatever retry was planned; it plans the next one itself.
        await uow.jobs.cancel_for_recovery(recovery.id, now, kinds=[JobKind.PAY_INVOICE.value],
                                           except_dedupe_key=card_update_pay_key(recovery.id, marker))
        # The pay job asks the guard before charging: a card that hard-declined is not charged again.
        recovery.card_updated(now)
        await uow.recoveries.save(recovery)
        queued += 1
    return f"queued {queued} immediate retries"

