"""End of dunning: what to do to the subscription and invoices once a recovery runs out."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from backend.domain.billing import Subscription
from backend.domain.settings import InvoiceAction, RecoverySettings, SubscriptionAction

# Stripe statuses of a subscription that has ended; Stripe refuses updates to these.
_ENDED_STATUSES = frozenset({"canceled", "incomplete_expired"})
DUNNING_COMPLETE_KEY = "dunning_complete"


@dataclass(frozen=True)
class SubscriptionState:
    """What the end-of-dunning rules need to know about the invoice's subscription."""

    exists: bool
    status: str | None = None
    already_canceled: bool = False
    cancel_at_period_end: bool = False
    current_period_end: datetime | None = None

    @classmethod
    def none(cls) -> SubscriptionState:
        """Return the state of an invoice that has no subscription."""
        return cls(exists=False)

    @classmethod
    def of(cls, subscription: Subscription | None) -> SubscriptionState:
        """Return the state of a subscription as the gateway read it (None: no subscription)."""
        if subscription is None:
            return cls.none()
        return cls(exists=True, status=subscription.status,
                   already_canceled=subscription.status in _ENDED_STATUSES,
                   cancel_at_period_end=subscription.cancel_at_period_end,
                   current_period_end=subscription.current_period_end)


@dataclass(frozen=True)
class LeaveSubscription:
    pass


@dataclass(frozen=True)
class CancelNow:
    prorate: bool


@dataclass(frozen=True)
class CancelAtPeriodEnd:
    pass


@dataclass(frozen=True)
class CancelAt:
    when: datetime
    prorate: bool


SubscriptionStep = LeaveSubscription | CancelNow | CancelAtPeriodEnd | CancelAt


@dataclass(frozen=True)
class EndOfDunningPlan:
    subscription: SubscriptionStep
    invoice: InvoiceAction
    mark_dunning_complete: bool
    tidy_invoice_ids: tuple[str, ...]
    reasons: tuple[str, ...]


def plan_end_of_dunning(settings: RecoverySettings, subscription: SubscriptionState, *,
                        newer_invoice_paid: bool, later_open_invoice_ids: Sequence[str],
                        now: datetime) -> EndOfDunningPlan:
    """Return the end actions for an invoice whose recovery ran out of retries or time."""
    step, reasons = _subscription_step(settings, subscription, newer_invoice_paid, now)
    tidy, tidy_reason = _tidy(settings, subscription, newer_invoice_paid, later_open_invoice_ids)
    invoice_reason = ("invoice left open as the settings ask"
                      if settings.invoice_action is InvoiceAction.LEAVE
                      else f"invoice: {settings.invoice_action.value.replace('_', ' ')}")
    # Stripe refuses metadata updates on a canceled subscription, so only a live one is marked.
    mark = subscription.exists and not subscription.already_canceled
    return EndOfDunningPlan(
        subscription=step,
        invoice=settings.invoice_action,
        mark_dunning_complete=mark,
        tidy_invoice_ids=tidy,
        reasons=(*reasons, invoice_reason, *([tidy_reason] if tidy_reason else [])),
    )


def dunning_complete_metadata(completed_at: datetime) -> dict[str, str]:
    """Return the subscription metadata that records when dunning completed (unix seconds).

    `completed_at` must be durable (the recovery's deadline), never the moment of the write: a
    re-run sends the same parameters under the same Idempotency-Key, which Stripe replays; other
    parameters would be refused with `idempotency_error` and the end actions never applied.
    """
    return {DUNNING_COMPLETE_KEY: str(int(completed_at.timestamp()))}


def _subscription_step(settings: RecoverySettings, sub: SubscriptionState, newer_invoice_paid: bool,
                       now: datetime) -> tuple[SubscriptionStep, tuple[str, ...]]:
    action = settings.subscription_action
    if not sub.exists:
        return LeaveSubscription(), ("the invoice has no subscription",)
    if sub.already_canceled:
        return LeaveSubscription(), (f"subscription already ended ({sub.status or 'canceled'}); "
                                     f"nothing to do",)
    if action is SubscriptionAction.LEAVE:
        return LeaveSubscription(), ("subscription left as is, as the settings ask",)
    # A newer paid invoice proves the customer is still paying: canceling would end a healthy
    # subscription over an old debt.
    if newer_invoice_paid:
        return LeaveSubscription(), ("a newer invoice of this subscription is paid: not canceling "
                                     "a subscription that is being paid",)
    return _cancel_step(settings, sub, now)


def _cancel_step(settings: RecoverySettings, sub: SubscriptionState,
                 now: datetime) -> tuple[SubscriptionStep, tuple[str, ...]]:
    prorate = settings.prorate_on_cancel
    proration = "with proration" if prorate else "without proration"
    action = settings.subscription_action
    if action is SubscriptionAction.CANCEL_AT_PERIOD_END:
        if sub.cancel_at_period_end:
            return LeaveSubscription(), ("subscription already set to cancel at period end",)
        end = (f" ({sub.current_period_end:%Y-%m-%d %H:%M} UTC)"
               if sub.current_period_end else "")
        return CancelAtPeriodEnd(), (f"cancel the subscription at the end of its period{end}",)
    delay = timedelta(days=settings.cancel_delay_days, hours=settings.cancel_delay_hours)
    if action is SubscriptionAction.CANCEL_NOW or delay <= timedelta(0):
        return CancelNow(prorate), (f"cancel the subscription now, {proration}",)
    when = now + delay
    if sub.cancel_at_period_end and sub.current_period_end and sub.current_period_end <= when:
        return LeaveSubscription(), ("subscription already ends at its period end, before the "
                                     "delayed cancellation would",)
    return CancelAt(when, prorate), (f"cancel the subscription at {when:%Y-%m-%d %H:%M} UTC "
                                     f"({settings.cancel_delay_days} d {settings.cancel_delay_hours}"
                                     f" h after dunning ended), {proration}",)


def _tidy(settings: RecoverySettings, sub: SubscriptionState, newer_invoice_paid: bool,
          later_open_invoice_ids: Sequence[str]) -> tuple[tuple[str, ...], str | None]:
    ids = tuple(dict.fromkeys(later_open_invoice_ids))
    if not ids or not sub.exists:
        return (), None
    if not settings.tidy_later_invoices or settings.invoice_action is InvoiceAction.LEAVE:
        return (), None
    if newer_invoice_paid:
        # The later invoices belong to a subscription that is being paid; they get their own
        # recoveries instead of inheriting this one's end.
        return (), "later open invoices left alone: a newer invoice of the subscription is paid"
    action = settings.invoice_action.value.replace("_", " ")
    return ids, f"tidy: {action} {len(ids)} later open invoice(s) of the same subscription"
