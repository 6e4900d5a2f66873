"""SQL storage of customer messages and opt-outs."""

from __future__ import annotations

import functools
from dataclasses import fields
from datetime import datetime
from typing import Any

from sqlalchemy import Table, bindparam, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from backend.adapters.db.analytics import count_message
from backend.adapters.db.prebuilt import account_params, of_account
from backend.adapters.db.repositories import insert_ignoring_duplicates, to_record
from backend.adapters.db.tables import NotificationRow, OutreachOptOutRow
from backend.domain.billing import StripeAccount
from backend.services.outreach_records import Engagement, MessageRecord, MessageStatus


def _messages() -> Table:
    return NotificationRow.__table__  # type: ignore[attr-defined,no-any-return]


@functools.cache
def _for_recovery_statement() -> Any:
    """A recovery's messages for the invoice panel, built once with bound parameters."""
    table = _messages()
    return select(table).where(table.c.recovery_id == bindparam("recovery_id")).order_by(
        table.c.send_at, table.c.id)


@functools.cache
def _cancel_planned_statement() -> Any:
    """Cancel a recovery's messages not sent yet, built once (every attempt and every ending runs it)."""
    table = _messages()
    return update(table).where(
        table.c.recovery_id == bindparam("of_recovery"), table.c.status == MessageStatus.PLANNED.value,
    ).values(status=MessageStatus.CANCELLED.value)


@functools.cache
def _engagement_statement() -> Any:
    """The home's e-mail engagement counts, built once with bound parameters."""
    table = _messages()
    return select(
        func.count().filter(table.c.status == MessageStatus.SENT.value),
        func.count(table.c.opened_at),
        func.count(table.c.clicked_at),
        func.count().filter(table.c.status == MessageStatus.FAILED.value),
    ).where(*of_account(table))


class SqlMessages:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, record: MessageRecord) -> bool:
        values = {f.name: getattr(record, f.name) for f in fields(record)}
        insert = insert_ignoring_duplicates(self._session, NotificationRow)
        result = await self._session.execute(insert.values(**values).on_conflict_do_nothing())
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def get(self, message_id: str) -> MessageRecord | None:
        row = await self._session.get(NotificationRow, message_id)
        return to_record(MessageRecord, row) if row else None

    async def save(self, record: MessageRecord) -> None:
        values = {f.name: getattr(record, f.name) for f in fields(record) if f.name != "id"}
        if record.status == MessageStatus.SENT.value and record.sent_at is not None:
            # Count the send once, in the statement that records it: saving a sent message again adds nothing.
            first = await self._session.execute(
                update(NotificationRow).where(col(NotificationRow.id) == record.id,
                                              col(NotificationRow.status) != MessageStatus.SENT.value)
                .values(**values).execution_options(synchronize_session=False))
            if first.rowcount:  # type: ignore[attr-defined]
                await count_message(self._session, record.account, record.sent_at, "sent_count")
                return
        await self._session.execute(update(NotificationRow).where(col(NotificationRow.id) == record.id)
                                    .values(**values).execution_options(synchronize_session=False))

    async def for_recovery(self, recovery_id: str) -> list[MessageRecord]:
        result = await self._session.execute(_for_recovery_statement(), {"recovery_id": recovery_id})
        return [to_record(MessageRecord, row) for row in result]

    async def cancel_planned(self, recovery_id: str) -> int:
        result = await self._session.execute(_cancel_planned_statement(), {"of_recovery": recovery_id})
        return int(result.rowcount)  # type: ignore[attr-defined]

    async def mark_opened(self, message_id: str, now: datetime) -> bool:
        # One conditional UPDATE: two pixel loads racing on two processes count once.
        result = await self._session.execute(
            update(NotificationRow)
            .where(col(NotificationRow.id) == message_id, col(NotificationRow.opened_at).is_(None),
                   col(NotificationRow.status) == MessageStatus.SENT.value)
            .values(opened_at=now).execution_options(synchronize_session=False))
        return await self._counted(message_id, bool(result.rowcount), "opened_count")  # type: ignore[attr-defined]

    async def mark_clicked(self, message_id: str, now: datetime) -> bool:
        await self.mark_opened(message_id, now)  # images may be blocked; a click proves the open
        result = await self._session.execute(
            update(NotificationRow)
            .where(col(NotificationRow.id) == message_id, col(NotificationRow.clicked_at).is_(None),
                   col(NotificationRow.status) == MessageStatus.SENT.value)
            .values(clicked_at=now).execution_options(synchronize_session=False))
        return await self._counted(message_id, bool(result.rowcount), "clicked_count")  # type: ignore[attr-defined]

    async def _counted(self, message_id: str, first_time: bool, counter: str) -> bool:
        """Count a first open or click on the day the message was sent."""
        if first_time:
            row = await self._session.get(NotificationRow, message_id)
            if row is not None and row.sent_at is not None:
                await count_message(self._session, StripeAccount(row.account_id, row.livemode), row.sent_at,
                                    counter)
        return first_time

    async def engagement(self, account: StripeAccount) -> Engagement:
        row = (await self._session.execute(_engagement_statement(), account_params(account))).one()
        return Engagement(sent=int(row[0]), opened=int(row[1]), clicked=int(row[2]), failed=int(row[3]))

    async def unsubscribe(self, account: StripeAccount, customer_id: str, now: datetime) -> None:
        insert = insert_ignoring_duplicates(self._session, OutreachOptOutRow)
        await self._session.execute(insert.values(account_id=account.id, livemode=account.livemode,
                                                  customer_id=customer_id, created_at=now)
                                    .on_conflict_do_nothing())

    async def is_unsubscribed(self, account: StripeAccount, customer_id: str) -> bool:
        row = await self._session.get(OutreachOptOutRow, (account.id, account.livemode, customer_id))
        return row is not None
