"""The audit trail's records and storage ports, and why the current work is being done."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol, runtime_checkable

from backend.domain.audit_chain import ChainFields, ChainRow
from backend.domain.billing import StripeAccount


@dataclass(frozen=True)
class Cause:
    """Why Recoup is doing what it is doing: a job, or a Dashboard user."""

    actor: str  # "job:<kind>:<id>", "dashboard:<user id>", "customer_page", "cli", "system"
    recovery_id: str | None = None


_SYSTEM = Cause("system")
_current_cause: ContextVar[Cause] = ContextVar("recoup_audit_cause", default=_SYSTEM)


def current_cause() -> Cause:
    """Return the cause of the work running in this task (`system` when nothing set one)."""
    return _current_cause.get()


@contextmanager
def acting_for(cause: Cause) -> Iterator[None]:
    """Attribute everything recorded inside the block to `cause`."""
    token = _current_cause.set(cause)
    try:
        yield
    finally:
        _current_cause.reset(token)


def job_cause(kind: str, job_id: int, recovery_id: str | None) -> Cause:
    return Cause(f"job:{kind}:{job_id}", recovery_id)


def dashboard_cause(user_id: str) -> Cause:
    return Cause(f"dashboard:{user_id}")


@dataclass(frozen=True)
class StripeWrite:
    """One write request Recoup sent to Stripe, and what came back (status None: no answer)."""

    account: StripeAccount
    operation: str  # e.g. invoices.pay, subscriptions.cancel
    object_id: str | None
    idempotency_key: str | None
    request_id: str | None
    http_status: int | None
    error: str | None = None


class StripeWriteSink(Protocol):
    async def stripe_write(self, write: StripeWrite) -> None:
        """Record one Stripe write (succeeded, refused or unanswered)."""
        ...


@runtime_checkable
class ReportsWrites(Protocol):
    """A gateway that can report each write it sends (the SDK gateway; test doubles need not)."""

    def report_writes_to(self, sink: StripeWriteSink) -> None: ...


@dataclass(frozen=True)
class NewAuditEntry:
    """What a caller knows about an entry; the chain adds seq, time and hashes."""

    account: StripeAccount
    kind: str
    operation: str
    outcome: str
    details: dict[str, Any] = field(default_factory=dict)
    invoice_id: str | None = None
    recovery_id: str | None = None
    request_id: str | None = None
    http_status: int | None = None
    actor: str | None = None  # defaults to the current cause


@dataclass(frozen=True)
class AuditEntry:
    """A stored row of the chain."""

    fields: ChainFields
    prev_hash: str
    row_hash: str
    details: dict[str, Any]

    def as_chain_row(self) -> ChainRow:
        return ChainRow(self.fields, self.prev_hash, self.row_hash, self.details)


@dataclass(frozen=True)
class ChainHead:
    seq: int
    row_hash: str


class AuditRepository(Protocol):
    async def append(self, entry: NewAuditEntry, now: datetime, actor: str) -> AuditEntry:
        """Add a row at the end of the account's chain (serialised with other writers of that chain)."""
        ...

    async def page(self, account: StripeAccount, *, after_seq: int, limit: int) -> list[AuditEntry]: ...
    async def for_invoice(self, account: StripeAccount, invoice_id: str, limit: int) -> list[AuditEntry]: ...
    async def head(self, account: StripeAccount) -> ChainHead | None: ...
    async def redact_details(self, account: StripeAccount, before_seq: int) -> int:
        """Replace the details of the rows before `before_seq` by the redaction marker, keeping their digests."""
        ...


@dataclass(frozen=True)
class ErasureCounts:
    """How many records of each kind lost their personal data."""

    recoveries: int = 0
    attempts: int = 0
    notifications: int = 0
    opt_outs: int = 0
    jobs: int = 0
    settings: int = 0

    def as_json(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in self.__dataclass_fields__}


class ErasureRepository(Protocol):
    async def erase_account(self, account: StripeAccount, now: datetime) -> ErasureCounts:
        """Cancel the account's jobs and strip personal data from every stored row of the account."""
        ...

    async def record_deletion(self, account: StripeAccount, now: datetime, reason: str) -> None: ...
    async def due_after_uninstall(self, uninstalled_before: datetime) -> list[StripeAccount]:
        """Accounts uninstalled before the given time whose data has not been deleted since."""
        ...
