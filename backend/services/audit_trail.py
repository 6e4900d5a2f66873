"""The audit trail's use cases: record Stripe writes and merchant actions, read, export, verify."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from backend.domain.audit_chain import ChainCheck, verify
from backend.domain.billing import StripeAccount
from backend.services.audit_records import AuditEntry, NewAuditEntry, StripeWrite, current_cause
from backend.services.ports import Clock
from backend.services.unit_of_work import UnitOfWork, UnitOfWorkFactory

STRIPE_WRITE = "stripe_write"
MERCHANT_ACTION = "merchant_action"
DATA_DELETION = "data_deletion"
_VERIFY_BATCH = 1000


async def record(uow: UnitOfWork, now: datetime, entry: NewAuditEntry) -> AuditEntry:
    """Append `entry` in the caller's transaction, so it lands exactly when the change it describes does."""
    return await uow.audit.append(entry, now, entry.actor or current_cause().actor)


async def record_merchant_action(uow: UnitOfWork, now: datetime, account: StripeAccount, operation: str,
                                 *, invoice_id: str | None = None, recovery_id: str | None = None,
                                 details: dict[str, object] | None = None) -> AuditEntry:
    """Record a merchant action that is about to be committed with its effects."""
    return await record(uow, now, NewAuditEntry(
        account=account, kind=MERCHANT_ACTION, operation=operation, outcome="succeeded",
        invoice_id=invoice_id, recovery_id=recovery_id, details=dict(details or {})))


class AuditTrailSink:
    """Receives every Stripe write from the gateway and appends it, in its own transaction."""

    def __init__(self, uow_factory: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow_factory = uow_factory
        self._clock = clock

    async def stripe_write(self, write: StripeWrite) -> None:
        cause = current_cause()
        details: dict[str, object] = {"object_id": write.object_id, "idempotency_key": write.idempotency_key}
        if write.error:
            details["error"] = write.error
        async with self._uow_factory() as uow:
            invoice_id = await _invoice_of(uow, cause.recovery_id, write.object_id)
            await uow.audit.append(NewAuditEntry(
                account=write.account, kind=STRIPE_WRITE, operation=write.operation,
                outcome=_outcome(write.http_status), details=details, invoice_id=invoice_id,
                recovery_id=cause.recovery_id, request_id=write.request_id, http_status=write.http_status,
            ), self._clock.now(), cause.actor)
            await uow.commit()


async def _invoice_of(uow: UnitOfWork, recovery_id: str | None, object_id: str | None) -> str | None:
    if object_id and object_id.startswith("in_"):
        return object_id
    recovery = await uow.recoveries.get(recovery_id) if recovery_id else None
    return recovery.invoice_id if recovery is not None else None


def _outcome(status: int | None) -> str:
    if status is None or status >= 500 or status == 429:
        return "failed"
    return "succeeded" if status < 400 else "refused"


@dataclass(frozen=True)
class AuditPage:
    entries: list[AuditEntry]
    has_more: bool


async def audit_page(uow_factory: UnitOfWorkFactory, account: StripeAccount, *, after_seq: int,
                     limit: int) -> AuditPage:
    """Return up to `limit` rows of the account's chain after `after_seq`, oldest first."""
    async with uow_factory() as uow:
        rows = await uow.audit.page(account, after_seq=after_seq, limit=limit + 1)
    return AuditPage(rows[:limit], len(rows) > limit)


async def invoice_audit(uow_factory: UnitOfWorkFactory, account: StripeAccount, invoice_id: str,
                        limit: int = 200) -> list[AuditEntry]:
    """Return what Recoup and the merchant did about one invoice, oldest first."""
    async with uow_factory() as uow:
        return await uow.audit.for_invoice(account, invoice_id, limit)


async def verify_chain(uow_factory: UnitOfWorkFactory, account: StripeAccount) -> ChainCheck:
    """Check the account's chain from its first row to its recorded head."""
    rows: list[AuditEntry] = []
    async with uow_factory() as uow:
        head = await uow.audit.head(account)
        while True:
            batch = await uow.audit.page(account, after_seq=rows[-1].fields.seq if rows else 0,
                                         limit=_VERIFY_BATCH)
            rows.extend(batch)
            if len(batch) < _VERIFY_BATCH:
                break
    return verify([row.as_chain_row() for row in rows], head_seq=head.seq if head else None,
                  head_hash=head.row_hash if head else None)
