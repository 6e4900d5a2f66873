"""What Stripe does on its own as time passes: renewals, finalization, Smart Retries, cancellations."""

from __future__ import annotations

import calendar
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from backend.simulator import shapes
from backend.simulator.collection import FINALIZE_DEADLINE, FINALIZE_DELAY, Collector
from backend.simulator.events import EventLog
from backend.simulator.ids import IdFactory
from backend.simulator.json_copy import json_copy
from backend.simulator.state import AccountState, InvoiceState, Store

Action = Callable[[datetime], None]
_LIVE_SUBSCRIPTION = ("active", "past_due", "trialing")


def add_interval(moment: datetime, interval: str, count: int = 1) -> datetime:
    """Advance by calendar months/years (clamping the day, as Stripe's billing anchor does)."""
    if interval in ("day", "week"):
        return moment + timedelta(days=count * (7 if interval == "week" else 1))
    months = count * (12 if interval == "year" else 1)
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def _at(stamp: Any) -> datetime | None:
    return None if stamp is None else datetime.fromtimestamp(int(stamp), UTC)


class Timeline:
    """Find the earliest thing Stripe would do next and do it, until nothing is due."""

    def __init__(self, store: Store, ids: IdFactory, events: EventLog, collector: Collector) -> None:
        self._store = store
        self._ids = ids
        self._events = events
        self._collector = collector
        collector.on_cancel = lambda state, sub, now, reason: self.cancel(state, sub, now,
                                                                          reason=reason)

    def run_until(self, now: datetime, max_steps: int = 100_000) -> int:
        """Process everything due at or before `now`, oldest first; return the number of steps."""
        steps = 0
        while steps < max_steps:
            due = self._next_due(now)
            if due is None:
                return steps
            when, action = due
            action(when)
            steps += 1
        raise RuntimeError("the simulated timeline did not settle; is something rescheduling itself?")

    def next_due_at(self) -> datetime | None:
        """When Stripe will next do something on its own, however far ahead."""
        found = self._next_due(None)
        return found[0] if found else None

    def _next_due(self, now: datetime | None) -> tuple[datetime, Action] | None:
        best: tuple[datetime, Action] | None = None
        for state in self._store.all():
            if not state.installed:
                continue  # Stripe stops collecting for a disconnected account's app view
            for when, action in self._candidates(state):
                if (now is None or when <= now) and (best is None or when < best[0]):
                    best = (when, action)
        return best

    def _candidates(self, state: AccountState) -> list[tuple[datetime, Action]]:
        out: list[tuple[datetime, Action]] = []
        for sub in state.all("subscription"):
            if sub["status"] not in _LIVE_SUBSCRIPTION:
                continue
            cancel_at = _at(sub["cancel_at"])
            period_end = _at(sub["items"]["data"][0]["current_period_end"])
            assert period_end is not None
            if cancel_at is not None and cancel_at <= period_end:
                out.append((cancel_at, self._bind(self.cancel, state, sub)))
            elif sub["cancel_at_period_end"]:
                out.append((period_end, self._bind(self.cancel, state, sub)))
            else:
                out.append((period_end, self._bind(self.renew, state, sub)))
        for inv in state.all("invoice"):
            meta = state.invoices[inv["id"]]
            if inv["status"] == "draft" and inv["auto_advance"] and meta.finalize_at is not None:
                out.append((meta.finalize_at, self._bind(self._finalize_and_charge, state, inv)))
            retry_at = _at(inv["next_payment_attempt"])
            if (inv["status"] == "open" and retry_at is not None and inv["auto_advance"]
                    and state.smart_retries):
                out.append((retry_at, self._bind(self._collector.automatic_retry, state, inv)))
        return out

    @staticmethod
    def _bind(step: Callable[[AccountState, dict[str, Any], datetime], object], state: AccountState,
              obj: dict[str, Any]) -> Action:
        """Fix a step to its object now, so each candidate acts on its own subscription or invoice."""
        def action(moment: datetime) -> None:
            step(state, obj, moment)
        return action

    # Actions -----------------------------------------------------------------------------
    def renew(self, state: AccountState, sub: dict[str, Any], now: datetime) -> dict[str, Any]:
        """Roll the period and open the renewal invoice (draft now, charged an hour later)."""
        plan = state.subscriptions[sub["id"]]
        item = sub["items"]["data"][0]
        start = _at(item["current_period_end"]) or now
        end = add_interval(start, plan.interval, plan.interval_count)
        before = json_copy(sub)
        item["current_period_start"], item["current_period_end"] = shapes.ts(start), shapes.ts(end)
        inv = self.create_invoice(state, sub["customer"], plan.amount, plan.currency, now,
                                  billing_reason="subscription_cycle", subscription=sub,
                                  period=(start, end))
        sub["latest_invoice"] = inv["id"]
        self._events.emit_update(state, "customer.subscription.updated", before, sub, now)
        return inv

    def create_invoice(self, state: AccountState, customer_id: str, amount: int, currency: str,
                       now: datetime, *, billing_reason: str, subscription: dict[str, Any] | None,
                       period: tuple[datetime, datetime] | None = None) -> dict[str, Any]:
        customer = state.get(customer_id, "customer")
        start, end = period or (now, now)
        inv = state.put(shapes.invoice(
            self._ids.new("in"), created=now, livemode=state.livemode,
            account_id=state.account_id, customer=customer, amount=amount, currency=currency,
            billing_reason=billing_reason, subscription=subscription["id"] if subscription else None,
            subscription_metadata=dict(subscription["metadata"]) if subscription else None,
            period_start=start, period_end=end, line_id=self._ids.new("il")))
        meta = state.invoices[inv["id"]] = InvoiceState(finalize_at=now + FINALIZE_DELAY)
        event = self._events.emit(state, "invoice.created", inv, now)
        if event["pending_webhooks"]:
            # Stripe waits for a 2xx to invoice.created (then an hour), at most 72 hours.
            meta.finalize_at = now + FINALIZE_DEADLINE
        else:
            inv["webhooks_delivered_at"] = shapes.ts(now)
        inv["automatically_finalizes_at"] = shapes.ts(meta.finalize_at)
        return inv

    def invoice_created_delivered(self, state: AccountState, invoice_id: str, now: datetime) -> None:
        """Every endpoint acknowledged invoice.created: finalize an hour from now."""
        inv = state.find(invoice_id)
        meta = state.invoices.get(invoice_id)
        if inv is None or meta is None or inv["status"] != "draft" or meta.finalize_at is None:
            return
        meta.finalize_at = min(meta.finalize_at, now + FINALIZE_DELAY)
        inv["webhooks_delivered_at"] = shapes.ts(now)
        inv["automatically_finalizes_at"] = shapes.ts(meta.finalize_at)

    def _finalize_and_charge(self, state: AccountState, inv: dict[str, Any], now: datetime) -> None:
        self._collector.finalize(state, inv, now)
        self._collector.attempt(state, inv, now, automatic=True)

    def cancel(self, state: AccountState, sub: dict[str, Any], now: datetime, *,
               comment: str | None = None, feedback: str | None = None,
               reason: str = "cancellation_requested") -> None:
        before = json_copy(sub)
        sub.update({"status": "canceled", "canceled_at": shapes.ts(now), "ended_at": shapes.ts(now)})
        details = sub["cancellation_details"]
        details["reason"] = reason
        if comment is not None:
            details["comment"] = comment
        if feedback is not None:
            details["feedback"] = feedback
        # Cancelling stops automatic collection of the subscription's open invoices.
        for inv in state.all("invoice"):
            if inv["status"] == "open" and (inv.get("parent") or {}).get(
                    "subscription_details", {}).get("subscription") == sub["id"]:
                inv_before = json_copy(inv)
                inv["next_payment_attempt"] = None
                self._events.emit_update(state, "invoice.updated", inv_before, inv, now)
        self._events.emit(state, "customer.subscription.deleted", sub, now,
                          previous={k: before[k] for k in ("status", "canceled_at", "ended_at")})
