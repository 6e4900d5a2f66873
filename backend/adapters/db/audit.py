"""The audit trail in SQL: appends serialised on the chain's head row, reads in sequence order."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from backend.adapters.db.tables import AuditEntryRow, AuditHeadRow
from backend.domain.audit_chain import GENESIS, REDACTED, ChainFields, details_digest, row_hash
from backend.domain.billing import StripeAccount
from backend.services.audit_records import AuditEntry, ChainHead, NewAuditEntry


class SqlAuditTrail:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def append(self, entry: NewAuditEntry, now: datetime, actor: str) -> AuditEntry:
        account = entry.account
        seq, prev_hash = await self._lock_head(account)
        fields = ChainFields(
            seq=seq + 1, account_id=account.id, livemode=account.livemode, occurred_at=now, kind=entry.kind,
            operation=entry.operation, actor=actor, invoice_id=entry.invoice_id, recovery_id=entry.recovery_id,
            request_id=entry.request_id, http_status=entry.http_status, outcome=entry.outcome,
            details_digest=details_digest(entry.details))
        stored = AuditEntry(fields, prev_hash, row_hash(prev_hash, fields), dict(entry.details))
        self._session.add(_to_row(stored))
        await self._session.execute(update(AuditHeadRow).where(
            AuditHeadRow.account_id == account.id,  # type: ignore[arg-type]
            AuditHeadRow.livemode == account.livemode,  # type: ignore[arg-type]
        ).values(seq=fields.seq, row_hash=stored.row_hash))
        await self._session.flush()
        return stored

    async def _lock_head(self, account: StripeAccount) -> tuple[int, str]:
        # The head row is created once, then every appender locks it (FOR UPDATE on PostgreSQL;
        # SQLite has one writer at a time): a second process waits for the first to commit and
        # then reads the seq the first one wrote, so no two rows ever share a number.
        dialect = self._session.get_bind().dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        await self._session.execute(insert(AuditHeadRow).values(
            account_id=account.id, livemode=account.livemode, seq=0, row_hash=GENESIS,
        ).on_conflict_do_nothing(index_elements=["account_id", "livemode"]))
        head = (await self._session.execute(select(AuditHeadRow).where(
            AuditHeadRow.account_id == account.id,  # type: ignore[arg-type]
            AuditHeadRow.livemode == account.livemode,  # type: ignore[arg-type]
        ).with_for_update().execution_options(populate_existing=True))).scalar_one()
        return head.seq, head.row_hash

    async def page(self, account: StripeAccount, *, after_seq: int, limit: int) -> list[AuditEntry]:
        rows = (await self._session.execute(
            _of(account).where(col(AuditEntryRow.seq) > after_seq)
            .order_by(col(AuditEntryRow.seq)).limit(limit))).scalars().all()
        return [_to_entry(row) for row in rows]

    async def for_invoice(self, account: StripeAccount, invoice_id: str, limit: int) -> list[AuditEntry]:
        rows = (await self._session.execute(
            _of(account).where(col(AuditEntryRow.invoice_id) == invoice_id)
            .order_by(col(AuditEntryRow.seq)).limit(limit))).scalars().all()
        return [_to_entry(row) for row in rows]

    async def head(self, account: StripeAccount) -> ChainHead | None:
        row = await self._session.get(AuditHeadRow, (account.id, account.livemode))
        return ChainHead(row.seq, row.row_hash) if row else None

    async def redact_details(self, account: StripeAccount, before_seq: int) -> int:
        result = await self._session.execute(update(AuditEntryRow).where(
            AuditEntryRow.account_id == account.id,  # type: ignore[arg-type]
            AuditEntryRow.livemode == account.livemode,  # type: ignore[arg-type]
            col(AuditEntryRow.seq) < before_seq,
        ).values(details=dict(REDACTED)))
        return int(result.rowcount)  # type: ignore[attr-defined]


def _of(account: StripeAccount) -> Any:
    return select(AuditEntryRow).where(
        AuditEntryRow.account_id == account.id,  # type: ignore[arg-type]
        AuditEntryRow.livemode == account.livemode)  # type: ignore[arg-type]


def _to_row(entry: AuditEntry) -> AuditEntryRow:
    f = entry.fields
    return AuditEntryRow(
        account_id=f.account_id, livemode=f.livemode, seq=f.seq, occurred_at=f.occurred_at, kind=f.kind,
        operation=f.operation, actor=f.actor, invoice_id=f.invoice_id, recovery_id=f.recovery_id,
        request_id=f.request_id, http_status=f.http_status, outcome=f.outcome, details=entry.details,
        details_digest=f.details_digest, prev_hash=entry.prev_hash, row_hash=entry.row_hash)


def _to_entry(row: AuditEntryRow) -> AuditEntry:
    fields = ChainFields(
        seq=row.seq, account_id=row.account_id, livemode=row.livemode, occurred_at=row.occurred_at,
        kind=row.kind, operation=row.operation, actor=row.actor, invoice_id=row.invoice_id,
        recovery_id=row.recovery_id, request_id=row.request_id, http_status=row.http_status,
        outcome=row.outcome, details_digest=row.details_digest)
    return AuditEntry(fields, row.prev_hash, row.row_hash, dict(row.details))
