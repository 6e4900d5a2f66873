"""Send one planned customer e-mail when its job comes due, unless it is no longer wanted."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from backend.domain.billing import Customer, Invoice, InvoiceStatus
from backend.domain.customer_time import timezone_for_country
from backend.domain.declines import DeclineCategory
from backend.domain.outreach_timetable import (
    MessagePath,
    MessageStep,
    delivery_time,
    path_for,
    quiet_reason,
)
from backend.domain.recovery_state import RecoveryStatus, is_terminal
from backend.domain.settings import RecoverySettings, SubscriptionAction
from backend.services.account_settings import load_settings
from backend.services.job_kinds import JobKind
from backend.services.job_runner import JobDeps, JobHandler, JobRun
from backend.services.outreach import SMS, message_job_key
from backend.services.outreach_links import OutreachLinks
from backend.services.outreach_ports import (
    Branding,
    DeliveryRefused,
    DeliveryUnavailable,
    Mailer,
    MessageComposer,
    MessageContent,
    OutgoingEmail,
    SmsCredentialsRejected,
    SmsSender,
)
from backend.services.outreach_records import MessageRecord, MessageStatus
from backend.services.records import NewJob, RecoveryRecord
from backend.services.sms_credentials import load_credentials
from backend.services.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)
FALLBACK_BRAND = "Billing"


@dataclass(frozen=True)
class OutreachDeps:
    composer: MessageComposer
    mailer: Mailer
    links: OutreachLinks
    sms: SmsSender


@dataclass(frozen=True)
class _Due:
    message: MessageRecord
    recovery: RecoveryRecord
    settings: RecoverySettings


def send_message_handler(outreach: OutreachDeps) -> JobHandler:
    """Return the `send_message` job handler bound to a composer, a mailer and the link signer."""

    async def send_message(deps: JobDeps, run: JobRun) -> None:
        due = await _still_due(deps, run)
        if due is None:
            return
        account = due.recovery.account
        invoice = await deps.gateway.retrieve_invoice(account, due.recovery.invoice_id)
        if invoice.status is not InvoiceStatus.OPEN:
            await _settle(deps, run, due.message, MessageStatus.SKIPPED, f"the invoice is {invoice.status.value}")
            return
        customer = await deps.gateway.retrieve_customer(account, invoice.customer_id)
        if due.message.channel == SMS:
            await _send_sms(deps, run, outreach, due, invoice, customer)
            return
        if not customer.email:
            await _settle(deps, run, due.message, MessageStatus.SKIPPED, "the customer has no e-mail address")
            return
        email, locale = _compose(outreach, due, invoice, customer, deps.clock.now())
        try:
            provider_id = await outreach.mailer.send(email)
        except DeliveryRefused as refused:
            await _settle(deps, run, due.message, MessageStatus.FAILED, str(refused), to=customer.email)
            return
        except DeliveryUnavailable as unavailable:
            if run.job.tries < run.job.max_tries:
                raise  # the runner tries again later with back-off
            await _settle(deps, run, due.message, MessageStatus.FAILED, str(unavailable), to=customer.email)
            return
        await _settle(deps, run, due.message, MessageStatus.SENT, None, to=customer.email,
                      provider_id=provider_id, locale=locale)

    return send_message


async def _send_sms(deps: JobDeps, run: JobRun, outreach: OutreachDeps, due: _Due, invoice: Invoice,
                    customer: Customer) -> None:
    """A short text through the merchant's own Twilio account, with a short card-update link."""
    if not customer.phone:
        await _settle(deps, run, due.message, MessageStatus.SKIPPED, "the customer has no phone number")
        return
    credentials = await load_credentials(deps.gateway, due.recovery.account)
    if credentials is None:
        await _settle(deps, run, due.message, MessageStatus.FAILED,
                      "SMS is on but no Twilio credentials are saved in Settings", to=customer.phone)
        return
    _email, locale = _compose(outreach, due, invoice, customer, deps.clock.now())
    content = _content(outreach, due, invoice, customer, deps.clock.now(), locale)
    body = outreach.composer.compose_sms(content, outreach.links.signer.url(f"/s/{due.message.id}"))
    try:
        sid = await outreach.sms.send_sms(credentials, customer.phone, body)
    except SmsCredentialsRejected as rejected:
        await _settle(deps, run, due.message, MessageStatus.FAILED, str(rejected), to=customer.phone)
        return
    except DeliveryRefused as refused:
        await _settle(deps, run, due.message, MessageStatus.FAILED, str(refused), to=customer.phone)
        return
    except DeliveryUnavailable as unavailable:
        if run.job.tries < run.job.max_tries:
            raise
        await _settle(deps, run, due.message, MessageStatus.FAILED, str(unavailable), to=customer.phone)
        return
    await _settle(deps, run, due.message, MessageStatus.SENT, None, to=customer.phone, provider_id=sid,
                  locale=locale)


async def _still_due(deps: JobDeps, run: JobRun) -> _Due | None:
    """Load the message; settle it (and return None) when it must not go out now."""
    now = deps.clock.now()
    async with deps.uow_factory() as uow:
        message = await uow.messages.get(str(run.job.payload.get("message_id", "")))
        recovery = await uow.recoveries.get(message.recovery_id) if message else None
        if message is None or recovery is None or message.status != MessageStatus.PLANNED:
            await run.finish(uow)
            await uow.commit()
            return None
        settings = await load_settings(uow, recovery.account)
        status = RecoveryStatus(recovery.status)
        why_not = _why_not(status, settings, await uow.messages.is_unsubscribed(recovery.account,
                                                                               recovery.customer_id))
        if why_not is None:
            later = await _quiet_until(uow, recovery, now)
            if later is not None:
                await _postpone(uow, run, message, recovery, later, now)
                await uow.commit()
                return None
            return _Due(message, recovery, settings)
        await _mark(uow, message, MessageStatus.SKIPPED, why_not, now)
        await run.finish(uow)
        await uow.commit()
        return None


def _why_not(status: RecoveryStatus, settings: RecoverySettings, unsubscribed: bool) -> str | None:
    if is_terminal(status):
        return f"the recovery ended ({status.value})"
    if status is RecoveryStatus.PAUSED:
        return "the recovery is paused"
    if not settings.enabled or not settings.emails_enabled or settings.observe_only:
        return "customer e-mails are switched off"
    if unsubscribed:
        return "the customer unsubscribed"
    return None


async def _quiet_until(uow: UnitOfWork, recovery: RecoveryRecord, now: datetime) -> datetime | None:
    """When a retry is due within the quiet hours, the moment after it; else None."""
    retries = [job.run_at for job in await uow.jobs.pending_for_recovery(recovery.id)
               if job.kind == JobKind.PAY_INVOICE]
    if quiet_reason(now, retries) is None:
        return None
    return delivery_time(now, timezone_for_country(recovery.customer_country), retries)


async def _postpone(uow: UnitOfWork, run: JobRun, message: MessageRecord, recovery: RecoveryRecord,
                    later: datetime, now: datetime) -> None:
    message.send_at = later
    await uow.messages.save(message)
    await uow.jobs.enqueue(NewJob(kind=JobKind.SEND_MESSAGE, account=recovery.account, run_at=later,
                                  recovery_id=recovery.id, payload={"message_id": message.id},
                                  dedupe_key=message_job_key(recovery.id, message.channel, message.step,
                                                             f":after-{int(later.timestamp())}")), now)
    await run.finish(uow)


def _compose(outreach: OutreachDeps, due: _Due, invoice: Invoice, customer: Customer,
             now: datetime) -> tuple[OutgoingEmail, str]:
    locale = outreach.composer.choose_locale(customer.preferred_locales)
    content = _content(outreach, due, invoice, customer, now, locale)
    composed = outreach.composer.compose_email(content)
    return OutgoingEmail(message_id=due.message.id, to=customer.email or "", from_name=content.brand.name,
                         reply_to=content.brand.reply_to, subject=composed.subject, html=composed.html,
                         text=composed.text, unsubscribe_url=content.unsubscribe_url), locale


def _content(outreach: OutreachDeps, due: _Due, invoice: Invoice, customer: Customer, now: datetime,
             locale: str) -> MessageContent:
    recovery, settings, message = due.recovery, due.settings, due.message
    step = MessageStep(message.step)
    path = path_for(DeclineCategory(recovery.latest_decline_category)
                    if recovery.latest_decline_category else None)
    if step is MessageStep.CONFIRM_PAYMENT:
        path = MessagePath.NEEDS_AUTHENTICATION
    links = outreach.links.for_message(message.id, recovery.id, recovery.deadline)
    wants_invoice = path is MessagePath.NEEDS_AUTHENTICATION and invoice.hosted_invoice_url
    brand = Branding(settings.brand_name or FALLBACK_BRAND, settings.brand_color, settings.reply_to or None)
    return MessageContent(
        step=step, path=path, locale=locale, timezone=timezone_for_country(recovery.customer_country).key,
        brand=brand, persuasive=settings.persuasive_copy,
        access_at_risk=settings.subscription_action is not SubscriptionAction.LEAVE,
        customer_name=customer.name, amount=invoice.amount_remaining, currency=invoice.currency,
        invoice_number=invoice.number, deadline=recovery.deadline,
        next_retry=recovery.next_attempt_at if path is MessagePath.RETRYING and recovery.next_attempt_at
        and recovery.next_attempt_at > now else None,
        action_url=links.click_invoice if wants_invoice else links.click_update,
        alternative_url=invoice.hosted_invoice_url, unsubscribe_url=links.unsubscribe, pixel_url=links.pixel)


async def _settle(deps: JobDeps, run: JobRun, message: MessageRecord, status: MessageStatus, error: str | None,
                  *, to: str | None = None, provider_id: str | None = None, locale: str | None = None) -> None:
    now = deps.clock.now()
    async with deps.uow_factory() as uow:
        message.to_address = to or message.to_address
        message.provider_id = provider_id
        message.locale = locale
        await _mark(uow, message, status, error, now)
        await run.finish(uow)
        await uow.commit()
    if status is MessageStatus.FAILED:
        log.warning("message %s to the customer of %s failed: %s", message.id, message.recovery_id, error)


async def _mark(uow: UnitOfWork, message: MessageRecord, status: MessageStatus, error: str | None,
                now: datetime) -> None:
    message.status = status.value
    message.error = error[:1000] if error else None
    if status is MessageStatus.SENT:
        message.sent_at = now
    await uow.messages.save(message)

