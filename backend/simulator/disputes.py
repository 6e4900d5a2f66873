"""Money coming back after a payment: refunds and disputes, with Stripe's objects and events."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from backend.simulator import shapes
from backend.simulator.events import EventLog
from backend.simulator.ids import IdFactory
from backend.simulator.json_copy import json_copy
from backend.simulator.state import AccountState

# A card network gives the merchant about three weeks to answer a chargeback.
EVIDENCE_WINDOW = timedelta(days=21)
_EVIDENCE_FIELDS = (
    "access_activity_log", "billing_address", "cancellation_policy", "cancellation_policy_disclosure",
    "cancellation_rebuttal", "customer_communication", "customer_email_address", "customer_name",
    "customer_purchase_ip", "customer_signature", "duplicate_charge_documentation",
    "duplicate_charge_explanation", "duplicate_charge_id", "product_description", "receipt", "refund_policy",
    "refund_policy_disclosure", "refund_refusal_explanation", "service_date", "service_documentation",
    "shipping_address", "shipping_carrier", "shipping_date", "shipping_documentation",
    "shipping_tracking_number", "uncategorized_file", "uncategorized_text",
)


def refund(state: AccountState, events: EventLog, ids: IdFactory, charge: dict[str, Any], amount: int,
           reason: str | None, now: datetime) -> dict[str, Any]:
    """Refund part or all of a succeeded charge; emits refund.created and charge.refunded."""
    created = state.put({
        "id": ids.new("re"), "object": "refund", "amount": amount,
        "balance_transaction": None, "charge": charge["id"], "created": shapes.ts(now),
        "currency": charge["currency"], "description": None, "metadata": {},
        "payment_intent": charge["payment_intent"], "reason": reason,
        "receipt_number": None, "source_transfer_reversal": None, "status": "succeeded",
        "transfer_reversal": None,
    })
    before = json_copy(charge)
    charge["amount_refunded"] = int(charge["amount_refunded"]) + amount
    charge["refunded"] = charge["amount_refunded"] == charge["amount_captured"]
    events.emit(state, "refund.created", created, now)
    events.emit(state, "charge.refunded", charge, now,
                previous={k: before[k] for k in ("amount_refunded", "refunded")})
    return created


def open_dispute(state: AccountState, events: EventLog, ids: IdFactory, charge: dict[str, Any], *,
                 reason: str, amount: int | None, now: datetime) -> dict[str, Any]:
    """The cardholder disputes a charge: a chargeback awaiting the merchant's evidence."""
    card = charge["payment_method_details"]["card"]
    dispute = state.put({
        "id": ids.new("du"), "object": "dispute", "amount": amount if amount is not None else charge["amount"],
        "balance_transactions": [], "charge": charge["id"], "created": shapes.ts(now),
        "currency": charge["currency"], "enhanced_eligibility_types": [],
        "evidence": {**{name: None for name in _EVIDENCE_FIELDS}, "enhanced_evidence": {}},
        "evidence_details": {"due_by": shapes.ts(now + EVIDENCE_WINDOW), "enhanced_eligibility": {},
                             "has_evidence": False, "past_due": False, "submission_count": 0,
                             "submission_method": "not_submitted"},
        "is_charge_refundable": False, "livemode": state.livemode, "metadata": {},
        "network_reason_code": "10.4", "payment_intent": charge["payment_intent"],
        "payment_method_details": {"type": "card", "card": {
            "brand": card["brand"], "case_type": "chargeback", "network": card["network"],
            "network_reason_code": "10.4"}},
        "reason": reason, "status": "needs_response",
    })
    charge["disputed"] = True
    events.emit(state, "charge.dispute.created", dispute, now)
    events.emit(state, "charge.dispute.funds_withdrawn", dispute, now)
    return dispute


def close_dispute(state: AccountState, events: EventLog, dispute: dict[str, Any], *, won: bool,
                  now: datetime) -> dict[str, Any]:
    """The network decides: won gives the money back, lost keeps it with the cardholder."""
    if dispute["status"] in ("won", "lost"):
        raise ValueError(f"{dispute['id']} is already {dispute['status']}")
    dispute["status"] = "won" if won else "lost"
    events.emit(state, "charge.dispute.closed", dispute, now)
    if won:
        events.emit(state, "charge.dispute.funds_reinstated", dispute, now)
    return dispute
