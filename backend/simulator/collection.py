"""Collecting an invoice: finalization, charge attempts, and what each outcome changes."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from backend.simulator import shapes
from backend.simulator.behaviours import Decline
from backend.simulator.errors import invalid_request
from backend.simulator.events import EventLog
from backend.simulator.ids import IdFactory
from backend.simulator.json_copy import json_copy
from backend.simulator.state import AccountState, RetrySettings

# Codes after which Stripe keeps its schedule but charges only once a new card exists.
NON_RETRYABLE = frozenset({
    "incorrect_number", "lost_card", "pickup_card", "stolen_card", "revocation_of_authorization",
    "revocation_of_all_authorizations", "authentication_required", "highest_risk_level",
})

# Stripe finalizes and charges an automatically collected invoice an hour after its endpoints
# acknowledged invoice.created, or after 72 hours without that (docs: invoicing/integration/
# workflow-transitions). With no endpoint listening it is an hour after creation.
FINALIZE_DELAY = timedelta(hours=1)
FINALIZE_DEADLINE = timedelta(hours=72)


class Collector:
    """Owns invoice collection for every account; time always arrives as an argument."""

    def __init__(self, ids: IdFactory, events: EventLog) -> None:
        self._ids = ids
        self._events = events
        # Set by the timeline, which owns cancellation: (state, subscription, now, reason).
        self.on_cancel: Callable[[AccountState, dict[str, Any], datetime, str], None] = _no_cancel

    # Finalization ------------------------------------------------------------------------
    def finalize(self, state: AccountState, inv: dict[str, Any], now: datetime) -> None:
        meta = state.invoices[inv["id"]]
        customer = state.get(inv["customer"], "customer")
        state.invoice_numbers += 1
        pi = state.put(shapes.payment_intent(
            self._ids.new("pi"), created=now, livemode=state.livemode, amount=inv["amount_due"],
            currency=inv["currency"], customer=inv["customer"]))
        payment = state.put(shapes.invoice_payment(
            self._ids.new("inpay"), created=now, livemode=state.livemode, invoice=inv["id"],
            amount=inv["amount_due"], currency=inv["currency"], payment_intent=pi["id"]))
        meta.payment_intent, meta.invoice_payment, meta.finalize_at = pi["id"], payment["id"], None
        inv.update({
            "status": "open", "number": f"{customer['invoice_prefix']}-{state.invoice_numbers:04d}",
            "hosted_invoice_url": f"https://invoice.stripe.com/i/{state.account_id}/{inv['id']}",
            "invoice_pdf": f"https://pay.stripe.com/invoice/{state.account_id}/{inv['id']}/pdf",
            "confirmation_secret": {"client_secret": pi["client_secret"], "type": "payment_intent"},
            "effective_at": shapes.ts(now),
            "webhooks_delivered_at": inv["webhooks_delivered_at"] or shapes.ts(now),
        })
        inv["status_transitions"]["finalized_at"] = shapes.ts(now)
        self._events.emit(state, "invoice.finalized", inv, now)

    # Attempts ----------------------------------------------------------------------------
    def resolve_payment_method(self, state: AccountState, inv: dict[str, Any]) -> str | None:
        """Stripe's order: invoice, then subscription, then customer default."""
        if inv.get("default_payment_method"):
            return str(inv["default_payment_method"])
        sub_id = subscription_of(inv)
        if sub_id and (sub := state.find(sub_id)) and sub.get("default_payment_method"):
            return str(sub["default_payment_method"])
        customer = state.get(inv["customer"], "customer")
        default = customer["invoice_settings"]["default_payment_method"]
        return str(default) if default else None

    def attempt(self, state: AccountState, inv: dict[str, Any], now: datetime, *,
                automatic: bool, payment_method: str | None = None,
                force_success: bool = False) -> Decline | None:
        """Charge the invoice once; return the decline, or None when it was paid."""
        pm_id = payment_method or self.resolve_payment_method(state, inv)
        if pm_id is None and not automatic:
            raise invalid_request(
                "This customer has no attached payment source or default payment method. "
                "Please consider adding a default payment method.")
        pm = state.get(pm_id, "payment_method", param="payment_method") if pm_id else None
        if pm is not None and pm["customer"] != inv["customer"]:
            raise invalid_request(
                f"The PaymentMethod provided ({pm_id}) does not belong to the Customer "
                f"({inv['customer']}).", param="payment_method")
        before = json_copy(inv)
        # The first attempt of any kind counts; afterwards only Stripe's own retries do.
        if automatic or inv["attempt_count"] == 0:
            inv["attempt_count"] += 1
        inv["attempted"] = True
        if pm is None or pm_id is None:
            # Stripe does not retry an invoice that has no payment method to charge.
            inv["next_payment_attempt"] = None
            self._events.emit_update(state, "invoice.updated", before, inv, now)
            self._events.emit(state, "invoice.payment_failed", inv, now)
            self._subscription_status(state, inv, "past_due", now)
            return Decline(code="payment_method_missing", decline_code=None)
        decline = None
        if not force_success:  # scenario set-up: a signup payment that is not part of the story
            card = state.card(pm_id)
            card.attempts.append(now)
            decline = card.behaviour.decide(len(card.attempts), now, card.attempts[0])
        charge = self._charge(state, inv, pm, decline, now)
        if decline is None:
            self._paid(state, inv, before, charge, now)
        else:
            self._failed(state, inv, before, pm_id, charge, decline, now)
        return decline

    def _charge(self, state: AccountState, inv: dict[str, Any], pm: dict[str, Any],
                decline: Decline | None, now: datetime) -> dict[str, Any]:
        meta = state.invoices[inv["id"]]
        pi = state.get(str(meta.payment_intent), "payment_intent")
        return self.charge_payment_intent(state, pi, pm, decline, now, amount=inv["amount_remaining"])

    def charge_payment_intent(self, state: AccountState, pi: dict[str, Any], pm: dict[str, Any],
                              decline: Decline | None, now: datetime, *, amount: int) -> dict[str, Any]:
        """One charge on a PaymentIntent, with the outcome and error where Stripe puts them."""
        if decline is None:
            outcome = {"network_status": "approved_by_network", "reason": None,
                       "risk_level": "normal", "risk_score": 20,
                       "seller_message": "Payment complete.",
                       "type": "authorized", "advice_code": None, "network_advice_code": None,
                       "network_decline_code": None}
        else:
            outcome = {"network_status": decline.network_status, "reason": decline.decline_code,
                       "risk_level": "normal", "risk_score": 20,
                       "seller_message": seller_message(decline),
                       "type": decline.outcome_type, "advice_code": decline.advice_code,
                       "network_advice_code": decline.network_advice_code,
                       "network_decline_code": decline.network_decline_code}
        charge = state.put(shapes.charge(
            self._ids.new("ch"), created=now, livemode=state.livemode, amount=amount,
            currency=pi["currency"], customer=pi["customer"], payment_intent=pi["id"], pm=pm,
            succeeded=decline is None, failure_code=decline.code if decline else None,
            failure_message=decline.message if decline else None, outcome=outcome))
        pi.update({"latest_charge": charge["id"], "payment_method": pm["id"]})
        if decline is None:
            pi.update({"status": "succeeded", "amount_received": pi["amount"],
                       "last_payment_error": None, "next_action": None})
        else:
            pi["status"] = "requires_action" if decline.requires_action else "requires_payment_method"
            pi["next_action"] = ({"type": "use_stripe_sdk", "use_stripe_sdk": {
                "type": "three_d_secure_redirect", "stripe_js": "https://hooks.stripe.com/3d_secure_2/"}}
                if decline.requires_action else None)
            pi["last_payment_error"] = {
                "type": "card_error", "code": decline.code, "decline_code": decline.decline_code,
                "advice_code": decline.advice_code,
                "network_advice_code": decline.network_advice_code,
                "network_decline_code": decline.network_decline_code, "charge": charge["id"],
                "message": decline.message, "payment_method": json_copy(pm),
                "doc_url": f"https://stripe.com/docs/error-codes/{decline.code.replace('_', '-')}"}
        return charge

    def _paid(self, state: AccountState, inv: dict[str, Any], before: dict[str, Any],
              charge: dict[str, Any], now: datetime) -> None:
        meta = state.invoices[inv["id"]]
        pi = state.get(str(meta.payment_intent), "payment_intent")
        payment = state.get(str(meta.invoice_payment), "invoice_payment")
        self.settle(state, inv, now)
        payment.update({"status": "paid", "amount_paid": inv["amount_paid"]})
        payment["status_transitions"]["paid_at"] = shapes.ts(now)
        self._events.emit(state, "charge.succeeded", charge, now)
        self._events.emit(state, "payment_intent.succeeded", pi, now)
        self._finish_paid(state, inv, before, now)
        self._events.emit(state, "invoice_payment.paid", payment, now)
        self._subscription_status(state, inv, "active", now)

    def settle(self, state: AccountState, inv: dict[str, Any], now: datetime,
               *, off_stripe: bool = False) -> None:
        paid = inv["amount_remaining"]
        inv.update({"status": "paid", "amount_paid": inv["amount_paid"] + paid,
                    "amount_remaining": 0, "next_payment_attempt": None, "auto_advance": False})
        if off_stripe:
            inv["amount_paid_off_stripe"] += paid
        inv["status_transitions"]["paid_at"] = shapes.ts(now)

    def _finish_paid(self, state: AccountState, inv: dict[str, Any], before: dict[str, Any],
                     now: datetime) -> None:
        self._events.emit_update(state, "invoice.updated", before, inv, now)
        self._events.emit(state, "invoice.paid", inv, now)
        self._events.emit(state, "invoice.payment_succeeded", inv, now)

    def pay_out_of_band(self, state: AccountState, inv: dict[str, Any], now: datetime) -> None:
        before = json_copy(inv)
        self.settle(state, inv, now, off_stripe=True)
        self._events.emit_update(state, "invoice.updated", before, inv, now)
        self._events.emit(state, "invoice.paid", inv, now)
        self._subscription_status(state, inv, "active", now)

    def _failed(self, state: AccountState, inv: dict[str, Any], before: dict[str, Any],
                pm_id: str, charge: dict[str, Any], decline: Decline, now: datetime) -> None:
        meta = state.invoices[inv["id"]]
        pi = state.get(str(meta.payment_intent), "payment_intent")
        if meta.first_failed_at is None:
            meta.first_failed_at = now
            meta.retry_times = retry_times(state.retry_settings, now, inv["id"])
        if decline.decline_code in NON_RETRYABLE or decline.code in NON_RETRYABLE:
            meta.hard_declined_pm = pm_id
        self.schedule_retry(state, inv)
        self._events.emit(state, "charge.failed", charge, now)
        self._events.emit(state, "payment_intent.payment_failed", pi, now)
        self._events.emit_update(state, "invoice.updated", before, inv, now)
        self._events.emit(state, "invoice.payment_failed", inv, now)
        if decline.requires_action:
            self._events.emit(state, "invoice.payment_action_required", inv, now)
        self._subscription_status(state, inv, "past_due", now)

    # Smart Retries -----------------------------------------------------------------------
    def schedule_retry(self, state: AccountState, inv: dict[str, Any]) -> None:
        """Set next_payment_attempt from the retry policy (null when Stripe will not retry)."""
        meta = state.invoices[inv["id"]]
        if (not state.smart_retries or not inv["auto_advance"] or inv["status"] != "open"
                or inv["collection_method"] != "charge_automatically"
                or meta.retries_done >= len(meta.retry_times)):
            inv["next_payment_attempt"] = None
            return
        inv["next_payment_attempt"] = shapes.ts(meta.retry_times[meta.retries_done])

    def automatic_retry(self, state: AccountState, inv: dict[str, Any], now: datetime) -> None:
        """Run one of Stripe's own retries; after a hard decline it only counts, never charges."""
        meta = state.invoices[inv["id"]]
        meta.retries_done += 1
        pm_id = self.resolve_payment_method(state, inv)
        if pm_id is not None and pm_id == meta.hard_declined_pm:
            before = json_copy(inv)
            inv["attempt_count"] += 1
            self.schedule_retry(state, inv)
            self._events.emit_update(state, "invoice.updated", before, inv, now)
        else:
            self.attempt(state, inv, now, automatic=True)
        if inv["status"] == "open" and meta.retries_done >= len(meta.retry_times):
            self._retries_exhausted(state, inv, now)

    def _retries_exhausted(self, state: AccountState, inv: dict[str, Any], now: datetime) -> None:
        """Apply the account's end-of-retries settings to the invoice and its subscription."""
        settings = state.retry_settings
        if settings.invoice_end == "uncollectible":
            self.mark_uncollectible(state, inv, now, reason="max_payment_attempts")
        sub_id = subscription_of(inv)
        sub = state.find(sub_id) if sub_id else None
        # Only the latest invoice decides: a newer invoice already paid leaves the subscription
        # as it is (Stripe support: "retry schedules longer than a subscription's billing period").
        if sub is None or sub["latest_invoice"] != inv["id"] or sub["status"] != "past_due":
            return
        if settings.subscription_end == "unpaid":
            self._subscription_status(state, inv, "unpaid", now)
        elif settings.subscription_end == "cancel":
            self.on_cancel(state, sub, now, "payment_failed")

    def mark_uncollectible(self, state: AccountState, inv: dict[str, Any], now: datetime, *,
                           reason: str | None) -> None:
        before = json_copy(inv)
        inv.update({"status": "uncollectible", "next_payment_attempt": None, "auto_advance": False})
        if reason is not None:
            inv["status_details"] = {"uncollectible": {"reason": reason}}
        inv["status_transitions"]["marked_uncollectible_at"] = shapes.ts(now)
        self._events.emit_update(state, "invoice.updated", before, inv, now)
        self._events.emit(state, "invoice.marked_uncollectible", inv, now)

    def _subscription_status(self, state: AccountState, inv: dict[str, Any], status: str,
                             now: datetime) -> None:
        sub_id = subscription_of(inv)
        sub = state.find(sub_id) if sub_id else None
        if sub is None or sub["latest_invoice"] != inv["id"] or sub["status"] in ("canceled", status):
            return
        if status == "past_due" and sub["status"] not in ("active", "trialing"):
            return
        if status == "unpaid" and sub["status"] != "past_due":
            return
        before = json_copy(sub)
        sub["status"] = status
        self._events.emit_update(state, "customer.subscription.updated", before, sub, now)


def _no_cancel(state: AccountState, sub: dict[str, Any], now: datetime, reason: str) -> None:
    raise RuntimeError("the collector was built without a timeline to cancel subscriptions")


def retry_times(settings: RetrySettings, first_failure: datetime, invoice_id: str) -> list[datetime]:
    """Moments for the retries after the first failure, all inside the chosen window.

    Stripe's model picks each moment; its choices are not published. The simulator splits the
    window into one slot per retry and picks a moment in each slot, reproducibly per invoice,
    so retries are neither on fixed days nor bunched together.
    """
    retries = settings.tries - 1
    if retries <= 0:
        return []
    rng = random.Random(invoice_id)
    slot = timedelta(days=settings.window_days) / retries
    return [first_failure + slot * i + slot * rng.uniform(0.25, 1.0) for i in range(retries)]


def seller_message(decline: Decline) -> str:
    """The Dashboard's explanation of a decline, worded as Stripe words it on Charge.outcome."""
    if decline.decline_code in (None, "generic_decline"):
        return "The bank did not return any further details with this decline."
    return f"The bank returned the decline code `{decline.decline_code}`."


def subscription_of(inv: dict[str, Any]) -> str | None:
    parent = inv.get("parent") or {}
    details = parent.get("subscription_details") or {}
    sub = details.get("subscription")
    return str(sub) if sub else None

