"""What the use cases read and write through the unit of work (storage-neutral records)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from backend.domain.billing import StripeAccount
from backend.domain.recovery import Attempt, Recovery


class AccountStatus(StrEnum):
    INSTALLED = "installed"
    UNINSTALLED = "uninstalled"


@dataclass
class AccountRecord:
    account_id: str
    livemode: bool
    status: AccountStatus
    installed_at: datetime
    uninstalled_at: datetime | None = None

    @property
    def ref(self) -> StripeAccount:
        return StripeAccount(self.account_id, self.livemode)


class JobStatus(StrEnum):
    PENDING = "pending"
    RUNNING = "running"
    PAUSED = "paused"
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"


@dataclass
class NewJob:
    """A job to enqueue; `dedupe_key` makes enqueueing the same work twice a no-op."""

    kind: str
    account: StripeAccount
    run_at: datetime
    dedupe_key: str
    payload: dict[str, Any] = field(default_factory=dict)
    recovery_id: str | None = None
    max_tries: int = 8


@dataclass(frozen=True)
class ClaimedJob:
    id: int
    kind: str
    account: StripeAccount
    recovery_id: str | None
    payload: dict[str, Any]
    run_at: datetime
    tries: int  # including this run
    max_tries: int
    dedupe_key: str


# The aggregate is the record: repositories store and load it field by field.
RecoveryRecord = Recovery
AttemptRecord = Attempt


@dataclass(frozen=True)
class DueRecovery:
    """A line of the home's "next due" list: only what it shows, not the whole recovery."""

    invoice_id: str
    amount: int
    currency: str
    next_attempt_at: datetime | None
    next_attempt_reason: str | None


@dataclass(frozen=True)
class EndedRecovery:
    """A line of the home's recent outcomes: only what it shows, not the whole recovery."""

    invoice_id: str
    customer_id: str
    status: str
    recovered_by: str | None
    closed_at: datetime | None
    amount: int
    currency: str
