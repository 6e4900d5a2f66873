"""Send one planned customer e-mail or text when its job comes due, unless it is no longer wanted."""

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
from backend.domain.recovery import Recovery
from backend.domain.settings import RecoverySettings, SubscriptionAction
from backend.jobs.kinds import JobKind, message_key
from backend.jobs.loading import Loaded, load_for_job
from backend.jobs.outcomes import Done, Outcome, RetryLater
from backend.jobs.runner import JobDeps, JobRun, backoff
from backend.services.outreach import SMS
from backend.services.outreach_ports import (
    Branding,
    DeliveryRefused,
    DeliveryUnavailable,
    MessageContent,
    OutgoingEmail,
    OutreachDeps,
    SmsCredentialsRejected,
)
from backend.services.outreach_records import MessageRecord, MessageStatus
from backend.services.records import NewJob
from backend.services.sms_credentials import load_credentials
from backend.services.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)
FALLBACK_BRAND = "Billing"


@dataclass(frozen=True)
class _Due:
    message: MessageRecord
    recovery: Recovery
    settings: RecoverySettings


async def send_message(deps: JobDeps, run: JobRun) -> Outcome:
    """The `send_message` job: deliver one planned message, or say on it why it was not sent."""
    message_id = str(run.job.payload.get("message_id", ""))
    loaded = await load_for_job(deps, run)
    if not isinstance(loaded, Loaded):
        if isinstance(loaded, Done):  # the recovery ended or was paused: this message will not go out
            await _skip_unsent(deps, message_id, "the recovery is no longer waiting for the customer")
        return loaded
    outreach = deps.outreach
    if outreach is None:
        await _skip_unsent(deps, message_id, "customer messages are not set up in this process", run=run)
        return Done()
    due = await _still_due(deps, run, loaded, message_id)
    if due is None:
        return Done()
    account = due.recovery.account
    invoice = await deps.gateway.retrieve_invoice(account, due.recovery.invoice_id)
    if invoice.status is not InvoiceStatus.OPEN:
        await _settle(deps, run, due.message, MessageStatus.SKIPPED, f"the invoice is {invoice.status.value}")
        return Done()
    customer = await deps.gateway.retrieve_customer(account, invoice.customer_id)
    if due.message.channel == SMS:
        return await _send_sms(deps, run, outreach, due, invoice, customer)
    if not customer.email:
        await _settle(deps, run, due.message, MessageStatus.SKIPPED, "the customer has no e-mail address")
        return Done()
    email, locale = _compose(outreach, due, invoice, customer, deps.clock.now())
    try:
        provider_id = await outreach.mailer.send(email)
    except DeliveryRefused as refused:
        await _settle(deps, run, due.message, MessageStatus.FAILED, str(refused), to=customer.email)
        return Done()
    except DeliveryUnavailable as unavailable:
        return await _unavailable(deps, run, due, unavailable, customer.email)
    await _settle(deps, run, due.message, MessageStatus.SENT, None, to=customer.email,
                  provider_id=provider_id, locale=locale)
    return Done()


async def _send_sms(deps: JobDeps, run: JobRun, outreach: OutreachDeps, due: _Due, invoice: Invoice,
                    customer: Customer) -> Outcome:
    """A short text through the merchant's own Twilio account, with a short card-update link."""
    if not customer.phone:
        await _settle(deps, run, due.message, MessageStatus.SKIPPED, "the customer has no phone number")
        return Done()
    credentials = await load_credentials(deps.gateway, due.recovery.account)
    if credentials is None:
        await _settle(deps, run, due.message, MessageStatus.FAILED,
                      "SMS is on but no Twilio credentials are saved in Settings", to=customer.phone)
        return Done()
    _email, locale = _compose(outreach, due, invoice, customer, deps.clock.now())
    content = _content(outreach, due, invoice, customer, deps.clock.now(), locale)
    body = outreach.composer.compose_sms(content, outreach.links.signer.url(f"/s/{due.message.id}"))
    try:
        sid = await outreach.sms.send_sms(credentials, customer.phone, body)
    except (SmsCredentialsRejected, DeliveryRefused) as refused:
        await _settle(deps, run, due.message, MessageStatus.FAILED, str(refused), to=customer.phone)
        return Done()
    except DeliveryUnavailable as unavailable:
        return await _unavailable(deps, run, due, unavailable, customer.phone)
    await _settle(deps, run, due.message, MessageStatus.SENT, None, to=customer.phone, provider_id=sid,
                  locale=locale)
    return Done()


async def _unavailable(deps: JobDeps, run: JobRun, due: _Due, error: DeliveryUnavailable, to: str) -> Outcome:
    """The mail server or Twilio could not be reached: try again with back-off, then say it failed."""
    if run.job.tries < run.job.max_tries:
        return RetryLater(deps.clock.now() + backoff(run.job.tries), f"delivery unavailable: {error}")
    await _settle(deps, run, due.message, MessageStatus.FAILED, str(error), to=to)
    return Done()


async def _skip_unsent(deps: JobDeps, message_id: str, why: str, *, run: JobRun | None = None) -> None:
    async with deps.uow_factory() as uow:
        message = await uow.messages.get(message_id)
        if message is not None and message.status == MessageStatus.PLANNED:
            await _mark(uow, message, MessageStatus.SKIPPED, why, deps.clock.now())
        if run is not None:
            await run.finish(uow)
        await uow.commit()


async def _still_due(deps: JobDeps, run: JobRun, loaded: Loaded, message_id: str) -> _Due | None:
    """Load the message; settle it (and return None) when it must not go out now."""
    now = deps.clock.now()
    recovery, settings = loaded.recovery, loaded.settings
    async with deps.uow_factory() as uow:
        message = await uow.messages.get(message_id)
        if message is None or message.recovery_id != recovery.id or message.status != MessageStatus.PLANNED:
            await run.finish(uow)
            await uow.commit()
            return None
        why_not = _why_not(recovery, settings, await uow.messages.is_unsubscribed(recovery.account,
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


def _why_not(recovery: Recovery, settings: RecoverySettings, unsubscribed: bool) -> str | None:
    if not settings.emails_enabled or settings.observe_only or recovery.observing:
        return "customer e-mails are switched off"
    if unsubscribed:
        return "the customer unsubscribed"
    return None


async def _quiet_until(uow: UnitOfWork, recovery: Recovery, now: datetime) -> datetime | None:
    """When a retry is due within the quiet hours, the moment after it; else None."""
    retries = [job.run_at for job in await uow.jobs.pending_for_recovery(recovery.id)
               if job.kind == JobKind.PAY_INVOICE]
    if quiet_reason(now, retries) is None:
        return None
    return delivery_time(now, timezone_for_country(recovery.customer_country), retries)


async def _postpone(uow: UnitOfWork, run: JobRun, message: MessageRecord, recovery: Recovery,
                    later: datetime, now: datetime) -> None:
    message.send_at = later
    await uow.messages.save(message)
    await uow.jobs.enqueue(NewJob(kind=JobKind.SEND_MESSAGE, account=recovery.account, run_at=later,
                                  recovery_id=recovery.id, payload={"message_id": message.id},
                                  dedupe_key=message_key(recovery.id, message.channel, message.step,
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

