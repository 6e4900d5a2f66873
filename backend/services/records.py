"""What the use cases read and write through the unit of work (storage-neutral records)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from backend.domain.billing import StripeAccount


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


@dataclass
class RecoveryRecord:
    id: str
    account_id: str
    livemode: bool
    invoice_id: str
    customer_id: str
    subscription_id: str | None
    amount: int
    currency: str
    status: str
    started_at: datetime
    deadline: datetime
    customer_country: str | None = None
    first_decline_category: str | None = None
    first_decline_code: str | None = None
    latest_decline_category: str | None = None
    latest_decline_code: str | None = None
    latest_advice_code: str | None = None
    latest_network_advice_code: str | None = None
    strategy: str | None = None
    attempts_made: int = 0
    next_attempt_at: datetime | None = None
    next_attempt_reason: str | None = None
    outcome: str | None = None
    outcome_detail: str | None = None
    recovered_by: str | None = None
    difficulty: int | None = None
    closed_at: datetime | None = None
    stripe_retrying: bool = False
    version: int = 1

    @property
    def account(self) -> StripeAccount:
        return StripeAccount(self.account_id, self.livemode)


@dataclass
class AttemptRecord:
    recovery_id: str
    number: int
    attempted_at: datetime
    outcome: str  # succeeded | declined
    idempotency_key: str
    trigger: str  # schedule | card_update | merchant
    payment_method_id: str | None = None
    card_brand: str | None = None
    card_last4: str | None = None
    decline_code: str | None = None
    advice_code: str | None = None
    network_advice_code: str | None = None
    request_id: str | None = None
