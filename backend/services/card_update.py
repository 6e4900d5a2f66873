"""What the customer's pages do: show what is owed, start Checkout, take the new card, count engagement."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from backend.domain.billing import CheckoutSession, Invoice, InvoiceStatus
from backend.domain.declines import DeclineCategory
from backend.domain.outreach_timetable import MessagePath, path_for
from backend.domain.recovery import Recovery
from backend.domain.recovery_state import RecoveryStatus
from backend.domain.settings import RecoverySettings
from backend.services import stripe_changes
from backend.services.account_settings import load_settings
from backend.services.ports import Clock, StripeGateway
from backend.services.unit_of_work import UnitOfWorkFactory
from backend.services.webhook_events import CardUpdateCompleted


class PageProblem(Exception):
    """The page cannot offer a payment: `kind` is paid | closed | not_completed | invalid."""

    def __init__(self, kind: str, settings: RecoverySettings | None = None) -> None:
        super().__init__(kind)
        self.kind = kind
        self.settings = settings


@dataclass(frozen=True)
class Payable:
    recovery: Recovery
    invoice: Invoice
    settings: RecoverySettings

    @property
    def path(self) -> MessagePath:
        category = self.recovery.latest_decline_category
        return path_for(DeclineCategory(category) if category else None)


async def recovery_settings(uow_factory: UnitOfWorkFactory, recovery_id: str) -> RecoverySettings | None:
    """The brand of the merchant behind a recovery, for pages that show no invoice (errors)."""
    async with uow_factory() as uow:
        recovery = await uow.recoveries.get(recovery_id)
        return await load_settings(uow, recovery.account) if recovery else None


async def payable(uow_factory: UnitOfWorkFactory, gateway: StripeGateway, recovery_id: str) -> Payable:
    """Return the recovery and its invoice as Stripe has it now; raise PageProblem when nothing is owed."""
    async with uow_factory() as uow:
        recovery = await uow.recoveries.get(recovery_id)
        if recovery is None:
            raise PageProblem("invalid")
        settings = await load_settings(uow, recovery.account)
    if recovery.state is RecoveryStatus.RECOVERED:
        raise PageProblem("paid", settings)
    if not recovery.is_open:
        raise PageProblem("closed", settings)
    invoice = await gateway.retrieve_invoice(recovery.account, recovery.invoice_id)  # the truth is Stripe's
    if invoice.status is InvoiceStatus.PAID:
        raise PageProblem("paid", settings)
    if invoice.status is not InvoiceStatus.OPEN:
        raise PageProblem("closed", settings)
    return Payable(recovery, invoice, settings)


async def start_checkout(gateway: StripeGateway, page: Payable, *, success_url: str, cancel_url: str,
                         attempt: str) -> CheckoutSession:
    """Create a setup-mode Checkout Session for the invoice's customer; card data stays at Stripe."""
    recovery = page.recovery
    return await gateway.create_setup_checkout_session(
        recovery.account, recovery.customer_id, success_url=success_url, cancel_url=cancel_url,
        idempotency_key=f"recoup:{recovery.id}:checkout:{attempt}", currency=page.invoice.currency,
        metadata={"recoup_recovery_id": recovery.id})


async def finish_checkout(uow_factory: UnitOfWorkFactory, gateway: StripeGateway, clock: Clock,
                          recovery_id: str, session_id: str) -> Recovery:
    """The customer came back from Checkout: if the card was saved, retry at once (same path as the webhook).

    `checkout.session.completed` may arrive first or later; both queue the retry under one dedupe
    key derived from the session, so the card is charged once.
    """
    async with uow_factory() as uow:
        recovery = await uow.recoveries.get(recovery_id)
    if recovery is None:
        raise PageProblem("invalid")
    session = await gateway.retrieve_checkout_session(recovery.account, session_id)
    if session.metadata.get("recoup_recovery_id") != recovery.id or session.customer_id != recovery.customer_id:
        raise PageProblem("invalid")
    if session.status != "complete":
        raise PageProblem("not_completed")
    now = clock.now()
    fact = CardUpdateCompleted(account=recovery.account, checkout_session_id=session.id,
                               customer_id=recovery.customer_id, setup_intent_id=None,
                               recovery_id=recovery.id, at=now)
    async with uow_factory() as uow:
        await stripe_changes.card_updated(uow, fact, now)
        await uow.commit()
    return recovery


async def count_open(uow_factory: UnitOfWorkFactory, message_id: str, now: datetime) -> bool:
    async with uow_factory() as uow:
        counted = await uow.messages.mark_opened(message_id, now)
        await uow.commit()
    return counted


async def count_click(uow_factory: UnitOfWorkFactory, message_id: str, now: datetime) -> Recovery | None:
    """Count the first click of a message; return its recovery (None for an unknown message)."""
    async with uow_factory() as uow:
        message = await uow.messages.get(message_id)
        if message is None:
            return None
        await uow.messages.mark_clicked(message_id, now)
        recovery = await uow.recoveries.get(message.recovery_id)
        await uow.commit()
    return recovery


async def unsubscribe(uow_factory: UnitOfWorkFactory, recovery_id: str, now: datetime) -> RecoverySettings:
    """Stop payment reminders to the recovery's customer, for every invoice of that merchant."""
    async with uow_factory() as uow:
        recovery = await uow.recoveries.get(recovery_id)
        if recovery is None:
            raise PageProblem("invalid")
        await uow.messages.unsubscribe(recovery.account, recovery.customer_id, now)
        settings = await load_settings(uow, recovery.account)
        await uow.commit()
    return settings
