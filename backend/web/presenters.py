"""Turn read models into the typed shapes of `web/schemas.py` (docs/api.md)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from backend.domain.analytics import reversed_amount
from backend.domain.billing import CardDecline
from backend.domain.declines import merchant_explanation
from backend.domain.recovery_state import RecoveryStatus, allowed_actions
from backend.services.outreach_records import Engagement, MessageRecord
from backend.services.outreach_reporting import Outreach
from backend.services.records import AttemptRecord, EndedRecovery, RecoveryRecord
from backend.services.reporting import Overview, RecoveryStory, Warning
from backend.web import schemas


def iso(moment: datetime | None) -> str | None:
    return moment.isoformat().replace("+00:00", "Z") if moment else None


def _iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def recovered_by(recovery: RecoveryRecord | EndedRecovery) -> schemas.RecoveredBy | None:
    if recovery.recovered_by is None:
        return None
    return cast(schemas.RecoveredBy, recovery.recovered_by)


def warning_model(warning: Warning) -> schemas.Warning:
    return schemas.Warning(code=warning.code, message=warning.message, invoice_id=warning.invoice_id)


def _attempt(attempt: AttemptRecord) -> schemas.Attempt:
    card = (schemas.Card(brand=attempt.card_brand, last4=attempt.card_last4)
            if attempt.card_brand or attempt.card_last4 else None)
    return schemas.Attempt(number=attempt.number, at=_iso(attempt.attempted_at), card=card,
                           outcome=attempt.outcome, decline_code=attempt.decline_code,
                           advice_code=attempt.advice_code, trigger=attempt.trigger)


def _decline(recovery: RecoveryRecord) -> schemas.Decline | None:
    if not recovery.latest_decline_category:
        return None
    explained = CardDecline(decline_code=recovery.latest_decline_code, advice_code=recovery.latest_advice_code)
    return schemas.Decline(category=recovery.latest_decline_category, code=recovery.latest_decline_code,
                           advice_code=recovery.latest_advice_code, explanation=merchant_explanation(explained))


def recovery_model(recovery: RecoveryRecord, attempts: list[AttemptRecord],
                   max_retries: int | None, outreach: Outreach | None = None) -> schemas.Recovery:
    status = RecoveryStatus(recovery.status)
    return schemas.Recovery(
        id=recovery.id, invoice_id=recovery.invoice_id, customer_id=recovery.customer_id,
        subscription_id=recovery.subscription_id, status=cast(schemas.RecoveryStatusName, recovery.status),
        amount=recovery.amount, currency=recovery.currency, decline=_decline(recovery),
        strategy=recovery.strategy, started_at=_iso(recovery.started_at),
        next_attempt_at=iso(recovery.next_attempt_at), next_attempt_reason=recovery.next_attempt_reason,
        deadline=_iso(recovery.deadline), retries_made=recovery.attempts_made, max_retries=max_retries,
        attempts=[_attempt(a) for a in attempts],
        messages=[message_model(m) for m in outreach.messages] if outreach else [],
        customer_unsubscribed=outreach.unsubscribed if outreach else False, outcome=recovery.outcome,
        outcome_detail=recovery.outcome_detail, recovered_by=recovered_by(recovery),
        difficulty=recovery.difficulty, observe_only=status is RecoveryStatus.OBSERVING,
        stripe_retrying=recovery.stripe_retrying,
        actions=[cast(schemas.ActionName, a) for a in allowed_actions(status)],
        money_back=money_back_model(recovery))


def money_back_model(recovery: RecoveryRecord) -> schemas.MoneyBack:
    reversed_money = reversed_amount(recovery.facts())
    return schemas.MoneyBack(
        refunded_amount=recovery.refunded_amount,
        dispute_status=cast(schemas.DisputeStatusName | None, recovery.dispute_status),
        disputed_amount=recovery.disputed_amount, net_amount=recovery.amount - reversed_money
        if recovery.status == "recovered" else 0)


def story_model(story: RecoveryStory | None, max_retries: int | None,
                outreach: Outreach | None = None) -> schemas.RecoveryResponse:
    if story is None:
        return schemas.RecoveryResponse(recovery=None)
    return schemas.RecoveryResponse(recovery=recovery_model(story.recovery, story.attempts, max_retries, outreach))


def message_model(message: MessageRecord) -> schemas.Message:
    return schemas.Message(
        id=message.id, channel=cast(schemas.MessageChannel, message.channel),
        step=cast(schemas.MessageStep, message.step), status=cast(schemas.MessageStatusName, message.status),
        send_at=_iso(message.send_at), sent_at=iso(message.sent_at), opened_at=iso(message.opened_at),
        clicked_at=iso(message.clicked_at), to=message.to_address, error=message.error)


def engagement_model(engagement: Engagement) -> schemas.EmailEngagement:
    return schemas.EmailEngagement(sent=engagement.sent, opened=engagement.opened, clicked=engagement.clicked,
                                   failed=engagement.failed)


def summary_model(recovery: RecoveryRecord) -> schemas.RecoverySummary:
    return schemas.RecoverySummary(
        id=recovery.id, invoice_id=recovery.invoice_id, customer_id=recovery.customer_id,
        subscription_id=recovery.subscription_id, status=cast(schemas.RecoveryStatusName, recovery.status),
        amount=recovery.amount, currency=recovery.currency, started_at=_iso(recovery.started_at),
        next_attempt_at=iso(recovery.next_attempt_at), closed_at=iso(recovery.closed_at),
        outcome=recovery.outcome, recovered_by=recovered_by(recovery))


def _money(totals: dict[str, int]) -> list[schemas.Money]:
    return [schemas.Money(currency=currency, amount=amount) for currency, amount in sorted(totals.items())]


def overview_model(view: Overview, engagement: Engagement) -> schemas.Overview:
    return schemas.Overview(
        recovered=_money(view.recovered), paid_without_recoup=_money(view.paid_without_recoup),
        in_flight=_money(view.in_flight),
        recovery_rate=view.recovery_rate, active_count=view.active_count,
        next_due=[schemas.DueItem(invoice_id=r.invoice_id, at=iso(r.next_attempt_at), reason=r.next_attempt_reason,
                                  amount=r.amount, currency=r.currency) for r in view.next_due],
        recent_outcomes=[schemas.OutcomeItem(
            invoice_id=r.invoice_id, customer_id=r.customer_id, outcome=cast(schemas.RecoveryStatusName, r.status),
            recovered_by=recovered_by(r), at=iso(r.closed_at), amount=r.amount, currency=r.currency)
            for r in view.recent_outcomes],
        weekly=[schemas.WeeklyCount(week=week, recovered=recovered, failed=failed)
                for week, recovered, failed in view.weekly],
        weekly_money=[schemas.WeeklyMoney(week=week, currency=currency, recovered=recovered, failed=failed)
                      for week, currency, recovered, failed in view.weekly_money],
        warnings=[warning_model(w) for w in view.warnings], emails=engagement_model(engagement))


def to_json(model: schemas.ApiModel) -> dict[str, Any]:
    return model.model_dump(mode="json")
