"""Turn read models into the JSON shapes of docs/api.md."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from backend.domain.billing import CardDecline
from backend.domain.declines import merchant_explanation
from backend.domain.recovery_state import RecoveryStatus, allowed_actions
from backend.services.records import AttemptRecord, RecoveryRecord
from backend.services.reporting import Overview, RecoveryStory, Warning


def iso(moment: datetime | None) -> str | None:
    return moment.isoformat().replace("+00:00", "Z") if moment else None


def warning_json(warning: Warning) -> dict[str, Any]:
    body: dict[str, Any] = {"code": warning.code, "message": warning.message}
    if warning.invoice_id:
        body["invoice_id"] = warning.invoice_id
    return body


def _attempt_json(attempt: AttemptRecord) -> dict[str, Any]:
    card = ({"brand": attempt.card_brand, "last4": attempt.card_last4}
            if attempt.card_brand or attempt.card_last4 else None)
    return {"number": attempt.number, "at": iso(attempt.attempted_at), "card": card,
            "outcome": attempt.outcome, "decline_code": attempt.decline_code,
            "advice_code": attempt.advice_code, "trigger": attempt.trigger}


def recovery_json(recovery: RecoveryRecord, attempts: list[AttemptRecord] | None = None) -> dict[str, Any]:
    decline = None
    if recovery.latest_decline_category:
        explained = CardDecline(decline_code=recovery.latest_decline_code, advice_code=recovery.latest_advice_code)
        decline = {"category": recovery.latest_decline_category, "code": recovery.latest_decline_code,
                   "advice_code": recovery.latest_advice_code, "explanation": merchant_explanation(explained)}
    status = RecoveryStatus(recovery.status)
    return {
        "id": recovery.id, "invoice_id": recovery.invoice_id, "customer_id": recovery.customer_id,
        "subscription_id": recovery.subscription_id, "status": recovery.status, "amount": recovery.amount,
        "currency": recovery.currency, "decline": decline, "strategy": recovery.strategy,
        "next_attempt_at": iso(recovery.next_attempt_at), "next_attempt_reason": recovery.next_attempt_reason,
        "deadline": iso(recovery.deadline), "attempts": [_attempt_json(a) for a in attempts or []],
        "outcome": recovery.outcome, "outcome_detail": recovery.outcome_detail,
        "recovered_by": recovery.recovered_by, "difficulty": recovery.difficulty,
        "observe_only": status is RecoveryStatus.OBSERVING, "stripe_retrying": recovery.stripe_retrying,
        "actions": list(allowed_actions(status)),
    }


def story_json(story: RecoveryStory | None) -> dict[str, Any]:
    return {"recovery": recovery_json(story.recovery, story.attempts) if story else None}


def _money(totals: dict[str, int]) -> list[dict[str, Any]]:
    return [{"currency": currency, "amount": amount} for currency, amount in sorted(totals.items())]


def overview_json(view: Overview) -> dict[str, Any]:
    return {
        "recovered": _money(view.recovered), "in_flight": _money(view.in_flight),
        "recovery_rate": view.recovery_rate, "active_count": view.active_count,
        "next_due": [{"invoice_id": r.invoice_id, "at": iso(r.next_attempt_at), "reason": r.next_attempt_reason,
                      "amount": r.amount, "currency": r.currency} for r in view.next_due],
        "recent_outcomes": [{"invoice_id": r.invoice_id, "outcome": r.status, "at": iso(r.closed_at),
                             "amount": r.amount, "currency": r.currency} for r in view.recent_outcomes],
        "weekly": [{"week": week, "recovered": recovered, "failed": failed}
                   for week, recovered, failed in view.weekly],
        "warnings": [warning_json(w) for w in view.warnings],
    }
