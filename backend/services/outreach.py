"""Plan a recovery's customer messages as durable jobs beside its retries."""

from __future__ import annotations

from datetime import datetime, timedelta

from backend.domain.customer_time import timezone_for_country
from backend.domain.declines import DeclineCategory
from backend.domain.outreach_timetable import (
    MessageStep,
    delivery_time,
    immediate_step,
    path_for,
    sequence_for,
)
from backend.domain.recovery import Recovery
from backend.domain.settings import RecoverySettings, from_json
from backend.jobs.kinds import JobKind, message_key
from backend.services.outreach_records import MessageRecord, MessageStatus, message_id
from backend.services.records import NewJob
from backend.services.unit_of_work import UnitOfWork
from backend.services.webhook_events import PaymentActionRequired

EMAIL = "email"
SMS = "sms"
# SMS (off by default) start with the service-access warning: at most three texts per recovery.
SMS_STEPS = (MessageStep.ACCESS_WARNING, MessageStep.SUSPENSION_WARNING, MessageStep.LAST_CHANCE)
# A step whose moment passed long ago (the recovery was re-planned late) is not sent any more:
# a stale "friendly notice" on day 10 would contradict the warnings around it.
STALE_AFTER = timedelta(hours=12)


async def plan_messages(uow: UnitOfWork, recovery: Recovery, settings: RecoverySettings,
                        now: datetime) -> int:
    """Queue the e-mails the recovery calls for now; planning again queues nothing twice."""
    if not settings.emails_enabled or settings.observe_only or recovery.observing or not recovery.is_open:
        return 0  # observe mode records retries on paper only and sends nothing
    path = path_for(DeclineCategory(recovery.latest_decline_category) if recovery.latest_decline_category
                    else None)
    tz = timezone_for_country(recovery.customer_country)
    retries = [job.run_at for job in await uow.jobs.pending_for_recovery(recovery.id)
               if job.kind == JobKind.PAY_INVOICE]
    wanted: list[tuple[MessageStep, datetime]] = []
    first = immediate_step(path)
    if first is not None:
        wanted.append((first, now))  # only the customer can fix it: ask at once
    for planned in sequence_for(settings.dunning_days):
        if first is not None and planned.step is MessageStep.NOTICE:
            continue  # the card-update or confirmation e-mail is the notice
        at = recovery.window_start + timedelta(days=planned.day)  # the live dunning window
        if at >= now - STALE_AFTER:
            wanted.append((planned.step, max(at, now)))
    queued = 0
    for step, at in wanted:
        send_at = delivery_time(at, tz, retries) if step not in (MessageStep.CARD_UPDATE,
                                                                  MessageStep.CONFIRM_PAYMENT) else at
        queued += await queue_message(uow, recovery, step, send_at, now)
        if settings.sms_enabled and step in SMS_STEPS:
            queued += await queue_message(uow, recovery, step, send_at, now, channel=SMS)
    return queued


async def queue_message(uow: UnitOfWork, recovery: Recovery, step: MessageStep, send_at: datetime,
                        now: datetime, channel: str = EMAIL) -> int:
    record = MessageRecord(id=message_id(recovery.id, channel, step.value), recovery_id=recovery.id,
                           account_id=recovery.account_id, livemode=recovery.livemode,
                           customer_id=recovery.customer_id, channel=channel, step=step.value,
                           status=MessageStatus.PLANNED.value, send_at=send_at, created_at=now)
    if not await uow.messages.add(record):
        return 0  # planned before: each step is sent at most once per recovery
    await uow.jobs.enqueue(NewJob(kind=JobKind.SEND_MESSAGE, account=recovery.account, run_at=send_at,
                                  recovery_id=recovery.id, payload={"message_id": record.id},
                                  dedupe_key=message_key(recovery.id, channel, step.value)), now)
    return 1


async def payment_action_required(uow: UnitOfWork, fact: PaymentActionRequired, now: datetime) -> str:
    """The bank asks the customer to confirm: send the confirm-payment e-mail with the invoice's page."""
    recovery = await uow.recoveries.for_invoice(fact.account, fact.invoice_id)
    if recovery is None or not recovery.is_open:
        return "ignored: not in recovery"
    stored = await uow.settings.get(recovery.account)  # (account_settings imports planning, which imports us)
    settings = from_json(stored) if stored is not None else RecoverySettings()
    if not settings.emails_enabled or settings.observe_only or recovery.observing:
        return "ignored: customer e-mails are off"
    queued = await queue_message(uow, recovery, MessageStep.CONFIRM_PAYMENT, now, now)
    return "confirm-payment e-mail queued" if queued else "confirm-payment e-mail already queued"

