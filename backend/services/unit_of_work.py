"""The storage port: repositories grouped in one transaction."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from types import TracebackType
from typing import Any, Protocol, Self

from backend.domain.billing import StripeAccount
from backend.services.analytics_ports import AnalyticsRepository
from backend.services.audit_records import AuditRepository, ErasureRepository
from backend.services.outreach_records import MessageRepository
from backend.services.records import (
    AccountRecord,
    AttemptRecord,
    ClaimedJob,
    DueRecovery,
    EndedRecovery,
    NewJob,
    RecoveryRecord,
)
from backend.services.takeover_records import TakeoverRepository


class StaleRecord(Exception):
    """Someone else changed the record since it was read (optimistic concurrency)."""


class AccountRepository(Protocol):
    async def get(self, account: StripeAccount) -> AccountRecord | None: ...
    async def save(self, record: AccountRecord) -> None: ...
    async def list_installed(self) -> list[AccountRecord]: ...


class SettingsRepository(Protocol):
    async def get(self, account: StripeAccount) -> dict[str, Any] | None: ...
    async def save(self, account: StripeAccount, values: dict[str, Any], now: datetime) -> None: ...


class WebhookEventRepository(Protocol):
    async def record(self, *, event_id: str, type: str, account_id: str | None, livemode: bool,
                     outcome: str, now: datetime) -> bool:
        """Store the event id; False when it was already stored (a duplicate delivery)."""
        ...

    async def prune(self, received_before: datetime) -> int: ...


class JobRepository(Protocol):
    async def enqueue(self, job: NewJob, now: datetime) -> bool:
        """Add the job; False when a job with its dedupe key already exists."""
        ...

    async def claim_due(self, now: datetime, *, owner: str, lease: timedelta,
                        limit: int) -> list[ClaimedJob]: ...
    async def finish(self, job_id: int, *, owner: str, now: datetime) -> bool: ...
    async def retry_later(self, job_id: int, *, owner: str, run_at: datetime, error: str) -> bool: ...
    async def fail(self, job_id: int, *, owner: str, now: datetime, error: str) -> bool: ...
    async def park(self, job_id: int, *, owner: str) -> bool:
        """Put a claimed job back as paused (its account switched recovery off meanwhile)."""
        ...
    async def cancel_for_recovery(self, recovery_id: str, now: datetime,
                                  kinds: Sequence[str] | None = None,
                                  except_dedupe_key: str | None = None,
                                  keep_interrupted: bool = False) -> int:
        """Cancel queued work; `keep_interrupted` spares jobs whose earlier run ended in an error."""
        ...
    async def pause_for_recovery(self, recovery_id: str) -> int: ...
    async def resume_for_recovery(self, recovery_id: str, now: datetime) -> int: ...
    async def cancel_for_account(self, account: StripeAccount, now: datetime) -> int: ...
    async def pause_for_account(self, account: StripeAccount) -> int: ...
    async def resume_for_account(self, account: StripeAccount, now: datetime) -> int: ...
    async def pending_for_recovery(self, recovery_id: str) -> list[ClaimedJob]: ...
    async def count_by_status(self) -> dict[str, int]: ...
    async def prune(self, finished_before: datetime) -> int: ...


class RecoveryRepository(Protocol):
    async def get(self, recovery_id: str) -> RecoveryRecord | None: ...
    async def for_invoice(self, account: StripeAccount, invoice_id: str) -> RecoveryRecord | None: ...
    async def add(self, record: RecoveryRecord) -> None: ...
    async def save(self, record: RecoveryRecord) -> None:
        """Write changes if nobody else did since it was read, else raise StaleRecord."""
        ...

    async def open_for_account(self, account: StripeAccount) -> list[RecoveryRecord]: ...
    async def open_for_subscription(self, account: StripeAccount,
                                    subscription_id: str) -> list[RecoveryRecord]: ...
    async def open_for_customer(self, account: StripeAccount,
                                customer_id: str) -> list[RecoveryRecord]: ...
    async def list_for_account(self, account: StripeAccount) -> list[RecoveryRecord]: ...
    async def search(self, account: StripeAccount, *, status: str | None, customer_id: str | None,
                     subscription_id: str | None, limit: int, offset: int) -> list[RecoveryRecord]:
        """The account's recoveries matching every given filter, newest first."""
        ...
    async def next_due(self, account: StripeAccount, limit: int) -> list[DueRecovery]:
        """The account's open recoveries with a next attempt, soonest first."""
        ...
    async def recently_ended(self, account: StripeAccount, limit: int) -> list[EndedRecovery]:
        """The account's ended recoveries, latest first."""
        ...
    async def flagged_stripe_retrying(self, account: StripeAccount) -> list[str]:
        """Invoice ids of the account's open recoveries that Stripe's own retries also run on."""
        ...
    async def for_payment(self, account: StripeAccount, payment_intent_id: str | None,
                          charge_id: str | None) -> RecoveryRecord | None:
        """The account's recovery whose attempts used this PaymentIntent or charge."""
        ...


@dataclass(frozen=True)
class CurrencyTotals:
    currency: str
    open_count: int
    open_amount: int
    recovered_count: int
    recovered_amount: int
    exhausted_count: int
    exhausted_amount: int
    closed_count: int
    paid_elsewhere_count: int = 0
    paid_elsewhere_amount: int = 0


class RecoveryStatsRepository(Protocol):
    """Running totals for the Dashboard home, moved as recoveries open and end."""

    async def opened(self, account: StripeAccount, currency: str, amount: int, at: datetime) -> None: ...
    async def ended(self, account: StripeAccount, currency: str, amount: int, status: str,
                    at: datetime, *, caused_by_recoup: bool = False) -> None: ...
    async def reattributed(self, account: StripeAccount, currency: str, amount: int, *, caused_by_recoup: bool,
                           at: datetime) -> None:
        """Move a paid recovery between recovered revenue and paid-elsewhere after a late correction."""
        ...
    async def totals(self, account: StripeAccount) -> list[CurrencyTotals]: ...
    async def weekly(self, account: StripeAccount, weeks: Sequence[str]) -> dict[str, tuple[int, int]]:
        """Failures and recoveries per ISO week start, for the weeks asked (missing weeks: none)."""
        ...

    async def weekly_money(self, account: StripeAccount,
                           weeks: Sequence[str]) -> dict[tuple[str, str], tuple[int, int]]:
        """Money (failed, recovered) per (ISO week start, currency), for the weeks asked."""
        ...


class AttemptRepository(Protocol):
    async def add(self, record: AttemptRecord) -> None: ...
    async def for_recovery(self, recovery_id: str) -> list[AttemptRecord]: ...


class UnitOfWork(Protocol):
    # Read-only members, so an adapter may offer its own concrete repository types.
    @property
    def accounts(self) -> AccountRepository: ...
    @property
    def settings(self) -> SettingsRepository: ...
    @property
    def events(self) -> WebhookEventRepository: ...
    @property
    def jobs(self) -> JobRepository: ...
    @property
    def recoveries(self) -> RecoveryRepository: ...
    @property
    def attempts(self) -> AttemptRepository: ...
    @property
    def stats(self) -> RecoveryStatsRepository: ...
    @property
    def messages(self) -> MessageRepository: ...  # customer outreach (e-mails, SMS, opt-outs)
    @property
    def analytics(self) -> AnalyticsRepository: ...  # daily buckets for any period
    @property
    def takeovers(self) -> TakeoverRepository: ...  # progress of takeovers of earlier failures
    @property
    def audit(self) -> AuditRepository: ...  # the hash-chained audit trail
    @property
    def erasure(self) -> ErasureRepository: ...  # deleting an account's personal data

    async def __aenter__(self) -> Self: ...
    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None: ...
    async def commit(self) -> None: ...


UnitOfWorkFactory = Callable[[], UnitOfWork]
