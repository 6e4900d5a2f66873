"""SQLModel implementations of the account, settings, event, recovery and attempt repositories."""

from __future__ import annotations

import functools
from dataclasses import fields
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Table, bindparam, delete, literal, or_, update
from sqlalchemy import select as core_select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from backend.adapters.db.prebuilt import account_params, columns_of, of_account
from backend.adapters.db.tables import (
    AccountRow,
    AccountSettingsRow,
    AttemptRow,
    RecoveryRow,
    WebhookEventRow,
)
from backend.domain.billing import StripeAccount
from backend.domain.recovery_state import RecoveryStatus, is_terminal
from backend.services.records import (
    AccountRecord,
    AccountStatus,
    AttemptRecord,
    DueRecovery,
    EndedRecovery,
    RecoveryRecord,
)
from backend.services.unit_of_work import StaleRecord

Record = TypeVar("Record")
_TERMINAL = [str(status) for status in RecoveryStatus if is_terminal(status)]


def to_record(record_type: type[Record], row: Any) -> Record:
    """Copy a row into a record with the same field names."""
    return record_type(**{f.name: getattr(row, f.name) for f in fields(record_type)})  # type: ignore[arg-type]


def insert_ignoring_duplicates(session: AsyncSession, table: Any) -> Any:
    """An INSERT that does nothing when a unique key already exists, in this session's dialect."""
    dialect = session.bind.dialect.name if session.bind else "sqlite"
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return insert(table)


# The Dashboard's reads (the home, the invoice panel) run on every page view, so their statements
# are built once (see `prebuilt`), and the home's lists select only the columns they show.

def _recoveries() -> Table:
    return RecoveryRow.__table__  # type: ignore[attr-defined,no-any-return]


def _still_open(table: Table) -> ColumnElement[bool]:
    # Literal values, not an expanding IN: the statement is then compiled once and never re-rendered.
    return table.c.status.not_in([literal(status) for status in _TERMINAL])


@functools.cache
def _next_due_statement() -> Any:
    table = _recoveries()
    return core_select(*columns_of(table, DueRecovery)).where(
        *of_account(table), _still_open(table), table.c.next_attempt_at.is_not(None),
    ).order_by(table.c.next_attempt_at).limit(bindparam("limit"))


@functools.cache
def _recently_ended_statement() -> Any:
    table = _recoveries()
    return core_select(*columns_of(table, EndedRecovery)).where(
        *of_account(table), table.c.closed_at.is_not(None),
    ).order_by(table.c.closed_at.desc()).limit(bindparam("limit"))


@functools.cache
def _stripe_retrying_statement() -> Any:
    table = _recoveries()
    return core_select(table.c.invoice_id).where(
        *of_account(table), _still_open(table), table.c.stripe_retrying.is_(True),
    ).order_by(table.c.started_at)


@functools.cache
def _recovery_statement() -> Any:
    # A read of the row as stored, never the session's cached copy: saves are UPDATEs the
    # session's identity map does not see.
    table = _recoveries()
    return core_select(table).where(table.c.id == bindparam("recovery_id"))


@functools.cache
def _settings_statement() -> Any:
    # Every job step reads its account's settings: one prebuilt SELECT of the one column it needs.
    table: Table = AccountSettingsRow.__table__  # type: ignore[attr-defined]
    return core_select(table.c["values"]).where(*of_account(table))


@functools.cache
def _for_invoice_statement() -> Any:
    table = _recoveries()
    return core_select(table).where(*of_account(table), table.c.invoice_id == bindparam("invoice_id"))


@functools.cache
def _add_attempt_statement() -> Any:
    # A Core INSERT, its VALUES taken from the parameters: every attempt made writes one, and the
    # ORM's unit of work (an object, a flush) costs several times the statement for nothing here.
    table: Table = AttemptRow.__table__  # type: ignore[attr-defined]
    return table.insert()


@functools.cache
def _attempts_statement() -> Any:
    table: Table = AttemptRow.__table__  # type: ignore[attr-defined]
    return core_select(table).where(table.c.recovery_id == bindparam("recovery_id")).order_by(
        table.c.attempted_at, table.c.id)


@functools.cache
def _save_recovery_statement() -> Any:
    """Write a recovery back if nobody else did since it was read, built once with bound parameters.

    Every job step saves its recovery; built per call, the UPDATE of some forty columns had every
    value coerced and the whole statement hashed again on each save.
    """
    table = _recoveries()
    changed = [column.name for column in table.c if column.name != "id"]
    return update(table).where(
        table.c.id == bindparam("record_id"), table.c.version == bindparam("read_version"),
    ).values({name: bindparam(f"new_{name}", type_=table.c[name].type) for name in changed})


@functools.cache
def _record_event_statement(dialect: str) -> Any:
    """The webhook-event INSERT, built once per dialect with bound parameters (it runs on every delivery)."""
    table: Table = WebhookEventRow.__table__  # type: ignore[attr-defined]
    columns = ("event_id", "type", "account_id", "livemode", "outcome", "received_at")
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table).values(
        {name: bindparam(name, type_=table.c[name].type) for name in columns}
    ).on_conflict_do_nothing(index_elements=["event_id"])


class SqlAccounts:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, account: StripeAccount) -> AccountRecord | None:
        row = await self._session.get(AccountRow, (account.id, account.livemode))
        if row is None:
            return None
        record = to_record(AccountRecord, row)
        record.status = AccountStatus(record.status)
        return record

    async def save(self, record: AccountRecord) -> None:
        row = await self._session.get(AccountRow, (record.account_id, record.livemode))
        if row is None:
            row = AccountRow(account_id=record.account_id, livemode=record.livemode,
                             status=record.status, installed_at=record.installed_at)
        row.status = str(record.status)
        row.installed_at = record.installed_at
        row.uninstalled_at = record.uninstalled_at
        self._session.add(row)


    async def list_installed(self) -> list[AccountRecord]:
        rows = (await self._session.execute(select(AccountRow).where(
            AccountRow.status == str(AccountStatus.INSTALLED)))).scalars().all()
        records = [to_record(AccountRecord, row) for row in rows]
        for record in records:
            record.status = AccountStatus(record.status)
        return records


class SqlSettings:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, account: StripeAccount) -> dict[str, Any] | None:
        if self._session.new or self._session.dirty:
            await self._session.flush()  # settings saved earlier in this unit of work are read back
        values = (await self._session.execute(_settings_statement(), account_params(account))).scalar()
        return dict(values) if values is not None else None

    async def save(self, account: StripeAccount, values: dict[str, Any], now: datetime) -> None:
        row = await self._session.get(AccountSettingsRow, (account.id, account.livemode))
        if row is None:
            row = AccountSettingsRow(account_id=account.id, livemode=account.livemode,
                                     values=values, updated_at=now)
        row.values = dict(values)
        row.updated_at = now
        self._session.add(row)


class SqlWebhookEvents:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def record(self, *, event_id: str, type: str, account_id: str | None, livemode: bool,
                     outcome: str, now: datetime) -> bool:
        # ON CONFLICT DO NOTHING rather than read-then-insert: two deliveries of one event racing
        # on two processes must not both be processed.
        dialect = self._session.bind.dialect.name if self._session.bind else "sqlite"
        result = await self._session.execute(_record_event_statement(dialect), {
            "event_id": event_id, "type": type, "account_id": account_id, "livemode": livemode,
            "outcome": outcome, "received_at": now})
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def prune(self, received_before: datetime) -> int:
        result = await self._session.execute(
            delete(WebhookEventRow).where(col(WebhookEventRow.received_at) < received_before))
        return int(result.rowcount)  # type: ignore[attr-defined]


class SqlRecoveries:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, recovery_id: str) -> RecoveryRecord | None:
        row = (await self._session.execute(_recovery_statement(), {"recovery_id": recovery_id})).first()
        return to_record(RecoveryRecord, row) if row else None

    async def for_invoice(self, account: StripeAccount, invoice_id: str) -> RecoveryRecord | None:
        row = (await self._session.execute(_for_invoice_statement(),
                                           {**account_params(account), "invoice_id": invoice_id})).first()
        return to_record(RecoveryRecord, row) if row else None

    async def add(self, record: RecoveryRecord) -> None:
        self._session.add(RecoveryRow(**{f.name: getattr(record, f.name) for f in fields(record)}))
        await self._session.flush()

    async def save(self, record: RecoveryRecord) -> None:
        await self._session.flush()  # what the session holds goes first, as an ORM UPDATE's autoflush did
        values = {f"new_{f.name}": getattr(record, f.name) for f in fields(record) if f.name not in ("id", "version")}
        result = await self._session.execute(_save_recovery_statement(), {
            **values, "new_version": record.version + 1, "record_id": record.id, "read_version": record.version})
        if result.rowcount != 1:  # type: ignore[attr-defined]
            raise StaleRecord(f"recovery {record.id} changed since it was read")
        record.version += 1

    async def _open_where(self, account: StripeAccount, *conditions: Any) -> list[RecoveryRecord]:
        rows = (await self._session.execute(select(RecoveryRow).where(
            RecoveryRow.account_id == account.id, RecoveryRow.livemode == account.livemode,
            col(RecoveryRow.status).not_in(_TERMINAL), *conditions,
        ).order_by(col(RecoveryRow.started_at)))).scalars().all()
        return [to_record(RecoveryRecord, row) for row in rows]

    async def open_for_account(self, account: StripeAccount) -> list[RecoveryRecord]:
        return await self._open_where(account)

    async def open_for_subscription(self, account: StripeAccount,
                                    subscription_id: str) -> list[RecoveryRecord]:
        return await self._open_where(account, RecoveryRow.subscription_id == subscription_id)

    async def open_for_customer(self, account: StripeAccount, customer_id: str) -> list[RecoveryRecord]:
        return await self._open_where(account, RecoveryRow.customer_id == customer_id)

    async def next_due(self, account: StripeAccount, limit: int) -> list[DueRecovery]:
        result = await self._session.execute(_next_due_statement(), {**account_params(account), "limit": limit})
        return [DueRecovery(*row) for row in result]

    async def recently_ended(self, account: StripeAccount, limit: int) -> list[EndedRecovery]:
        result = await self._session.execute(_recently_ended_statement(),
                                             {**account_params(account), "limit": limit})
        return [EndedRecovery(*row) for row in result]

    async def flagged_stripe_retrying(self, account: StripeAccount) -> list[str]:
        return list((await self._session.execute(_stripe_retrying_statement(), account_params(account))).scalars())

    async def for_payment(self, account: StripeAccount, payment_intent_id: str | None,
                          charge_id: str | None) -> RecoveryRecord | None:
        # An invoice keeps one PaymentIntent for every attempt, so any attempt of the story names it.
        matches = []
        if payment_intent_id:
            matches.append(col(AttemptRow.payment_intent_id) == payment_intent_id)
        if charge_id:
            matches.append(col(AttemptRow.charge_id) == charge_id)
        if not matches:
            return None
        row = (await self._session.execute(select(RecoveryRow).join(
            AttemptRow, col(AttemptRow.recovery_id) == col(RecoveryRow.id)).where(
            RecoveryRow.account_id == account.id, RecoveryRow.livemode == account.livemode,
            or_(*matches)).limit(1))).scalars().first()
        return to_record(RecoveryRecord, row) if row else None

    async def search(self, account: StripeAccount, *, status: str | None, customer_id: str | None,
                     subscription_id: str | None, limit: int, offset: int) -> list[RecoveryRecord]:
        conditions = [RecoveryRow.account_id == account.id, RecoveryRow.livemode == account.livemode]
        if status is not None:
            conditions.append(RecoveryRow.status == status)
        if customer_id is not None:
            conditions.append(RecoveryRow.customer_id == customer_id)
        if subscription_id is not None:
            conditions.append(RecoveryRow.subscription_id == subscription_id)
        rows = (await self._session.execute(select(RecoveryRow).where(*conditions).order_by(
            col(RecoveryRow.started_at).desc(), col(RecoveryRow.id)).limit(limit).offset(offset))).scalars().all()
        return [to_record(RecoveryRecord, row) for row in rows]

    async def list_for_account(self, account: StripeAccount) -> list[RecoveryRecord]:
        rows = (await self._session.execute(select(RecoveryRow).where(
            RecoveryRow.account_id == account.id, RecoveryRow.livemode == account.livemode,
        ).order_by(col(RecoveryRow.started_at)))).scalars().all()
        return [to_record(RecoveryRecord, row) for row in rows]


class SqlAttempts:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, record: AttemptRecord) -> None:
        await self._session.execute(_add_attempt_statement(), {f.name: getattr(record, f.name) for f in fields(record)})

    async def for_recovery(self, recovery_id: str) -> list[AttemptRecord]:
        result = await self._session.execute(_attempts_statement(), {"recovery_id": recovery_id})
        return [to_record(AttemptRecord, row) for row in result]
