"""Deleting an account's personal data from every table that holds some (docs/data-retention.md)."""

from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy import ColumnElement, delete, exists, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from backend.adapters.db.tables import (
    AccountRow,
    AccountSettingsRow,
    AttemptRow,
    DataDeletionRow,
    JobRow,
    NotificationRow,
    OutreachOptOutRow,
    RecoveryRow,
)
from backend.domain.billing import StripeAccount
from backend.services.audit_records import ErasureCounts

ERASED = ""  # what a required column that named a customer holds afterwards
_UNFINISHED = ("pending", "running", "paused")


def erased_key(key: str) -> str:
    """A stand-in for a dedupe key that may name a card: still unique, names nothing."""
    return f"erased:{hashlib.sha256(key.encode()).hexdigest()}"


class SqlErasure:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def erase_account(self, account: StripeAccount, now: datetime) -> ErasureCounts:
        jobs = await self._erase_jobs(account, now)
        recovery_ids = select(col(RecoveryRow.id)).where(*_owned(RecoveryRow, account))
        attempts = await self._session.execute(update(AttemptRow).where(
            col(AttemptRow.recovery_id).in_(recovery_ids)).values(
            payment_method_id=None, card_brand=None, card_last4=None))
        recoveries = await self._session.execute(update(RecoveryRow).where(*_owned(RecoveryRow, account)).values(
            customer_id=ERASED, customer_country=None, next_attempt_reason=None, outcome_detail=None,
            version=RecoveryRow.version + 1))
        notifications = await self._session.execute(update(NotificationRow).where(
            *_owned(NotificationRow, account)).values(
            customer_id=ERASED, to_address=None, provider_id=None, error=None))
        opt_outs = await self._session.execute(delete(OutreachOptOutRow).where(*_owned(OutreachOptOutRow, account)))
        settings = await self._session.execute(delete(AccountSettingsRow).where(
            *_owned(AccountSettingsRow, account)))
        return ErasureCounts(recoveries=_count(recoveries), attempts=_count(attempts),
                             notifications=_count(notifications), opt_outs=_count(opt_outs), jobs=jobs,
                             settings=_count(settings))

    async def _erase_jobs(self, account: StripeAccount, now: datetime) -> int:
        # Unfinished jobs are cancelled first: a worker that holds one loses its lease check
        # (`finish` needs a running job), so its writes roll back instead of landing afterwards.
        rows = (await self._session.execute(select(JobRow).where(*_owned(JobRow, account)))).scalars().all()
        for row in rows:
            if row.status in _UNFINISHED:
                row.status = "cancelled"
                row.finished_at = now
                row.lease_owner = None
                row.lease_expires_at = None
            row.payload = {}
            row.last_error = None
            if not row.dedupe_key.startswith("erased:"):
                row.dedupe_key = erased_key(row.dedupe_key)
            self._session.add(row)
        await self._session.flush()
        return len(rows)

    async def record_deletion(self, account: StripeAccount, now: datetime, reason: str) -> None:
        self._session.add(DataDeletionRow(account_id=account.id, livemode=account.livemode, deleted_at=now,
                                          reason=reason))
        await self._session.flush()

    async def due_after_uninstall(self, uninstalled_before: datetime) -> list[StripeAccount]:
        deleted_since = exists().where(
            col(DataDeletionRow.account_id) == AccountRow.account_id,
            col(DataDeletionRow.livemode) == AccountRow.livemode,
            col(DataDeletionRow.deleted_at) >= AccountRow.uninstalled_at)
        rows = (await self._session.execute(select(AccountRow).where(
            col(AccountRow.status) == "uninstalled",
            col(AccountRow.uninstalled_at) <= uninstalled_before,
            ~deleted_since))).scalars().all()
        return [StripeAccount(row.account_id, row.livemode) for row in rows]


def _owned(table: type[RecoveryRow] | type[NotificationRow] | type[OutreachOptOutRow] | type[JobRow]
           | type[AccountSettingsRow], account: StripeAccount) -> tuple[ColumnElement[bool], ColumnElement[bool]]:
    return (col(table.account_id) == account.id, col(table.livemode) == account.livemode)


def _count(result: object) -> int:
    return int(getattr(result, "rowcount", 0) or 0)
