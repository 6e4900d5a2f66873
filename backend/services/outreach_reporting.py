"""What the merchant sees of customer outreach: an invoice's messages and the account's engagement."""

from __future__ import annotations

from dataclasses import dataclass

from backend.domain.billing import StripeAccount
from backend.services.outreach_records import Engagement, MessageRecord
from backend.services.unit_of_work import UnitOfWorkFactory


@dataclass(frozen=True)
class Outreach:
    messages: list[MessageRecord]
    unsubscribed: bool


async def recovery_outreach(uow_factory: UnitOfWorkFactory, account: StripeAccount,
                            invoice_id: str) -> Outreach | None:
    async with uow_factory() as uow:
        recovery = await uow.recoveries.for_invoice(account, invoice_id)
        if recovery is None:
            return None
        messages = await uow.messages.for_recovery(recovery.id)
        unsubscribed = await uow.messages.is_unsubscribed(account, recovery.customer_id)
    return Outreach(messages, unsubscribed)


async def engagement(uow_factory: UnitOfWorkFactory, account: StripeAccount) -> Engagement:
    async with uow_factory() as uow:
        return await uow.messages.engagement(account)
