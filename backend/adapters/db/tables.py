"""The tables (DESIGN §3). Rows stay in this package; use cases see records."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from backend.adapters.db.types import UTCDateTime


def _utc(**kwargs: Any) -> Any:
    return Field(sa_column=Column(UTCDateTime(), **kwargs))


def _utc_optional(**kwargs: Any) -> Any:
    return Field(default=None, sa_column=Column(UTCDateTime(), nullable=True, **kwargs))


def _money(default: int | None = None) -> Any:
    """An amount in the currency's smallest unit: 64-bit, because 1,000,000,000 IDR or a
    year of JPY recoveries does not fit in PostgreSQL's 32-bit integer."""
    if default is None:
        return Field(sa_column=Column(BigInteger(), nullable=False))
    return Field(default=default, sa_column=Column(BigInteger(), nullable=False, default=default))


class AccountRow(SQLModel, table=True):
    __tablename__ = "account"

    account_id: str = Field(primary_key=True, max_length=64)
    livemode: bool = Field(primary_key=True)
    status: str = Field(max_length=16)  # installed | uninstalled
    installed_at: datetime = _utc(nullable=False)
    uninstalled_at: datetime | None = _utc_optional()


class AccountSettingsRow(SQLModel, table=True):
    __tablename__ = "account_settings"

    account_id: str = Field(primary_key=True, max_length=64)
    livemode: bool = Field(primary_key=True)
    # One JSON document validated by the domain: adding a setting needs no migration, and the
    # domain's defaults fill in fields written by an older version.
    values: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    updated_at: datetime = _utc(nullable=False)


class WebhookEventRow(SQLModel, table=True):
    __tablename__ = "webhook_event"

    event_id: str = Field(primary_key=True, max_length=255)
    type: str = Field(max_length=128)
    account_id: str | None = Field(default=None, max_length=64, index=True)
    livemode: bool
    outcome: str = Field(max_length=16)  # processed | ignored
    received_at: datetime = _utc(nullable=False)


class JobRow(SQLModel, table=True):
    __tablename__ = "job"
    __table_args__ = (
        Index("ix_job_due", "status", "run_at"),
        Index("ix_job_account", "account_id", "livemode", "status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=64)
    account_id: str = Field(max_length=64)
    livemode: bool
    recovery_id: str | None = Field(default=None, max_length=64, index=True)
    payload: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    run_at: datetime = _utc(nullable=False)
    status: str = Field(max_length=16)  # pending | running | paused | done | failed | cancelled
    tries: int = 0
    max_tries: int = 8
    lease_owner: str | None = Field(default=None, max_length=128)
    lease_expires_at: datetime | None = _utc_optional()
    last_error: str | None = Field(default=None, max_length=2000)
    # The same job is never enqueued twice: a redelivered webhook or a re-run tick hits this.
    dedupe_key: str = Field(max_length=255, unique=True)
    created_at: datetime = _utc(nullable=False)
    finished_at: datetime | None = _utc_optional()


class RecoveryRow(SQLModel, table=True):
    __tablename__ = "recovery"
    __table_args__ = (
        UniqueConstraint("account_id", "livemode", "invoice_id", name="uq_recovery_invoice"),
        Index("ix_recovery_due", "status", "next_attempt_at"),
        Index("ix_recovery_account_status", "account_id", "livemode", "status"),
        Index("ix_recovery_account_closed", "account_id", "livemode", "closed_at"),
        # The home's "next due" walks an account's next attempts in order (an ended recovery has
        # none), and its warning finds the few recoveries Stripe also retries, without reading
        # every recovery of the account.
        Index("ix_recovery_account_next", "account_id", "livemode", "next_attempt_at"),
        Index("ix_recovery_account_stripe_retrying", "account_id", "livemode", "stripe_retrying"),
    )

    id: str = Field(primary_key=True, max_length=64)
    account_id: str = Field(max_length=64)
    livemode: bool
    invoice_id: str = Field(max_length=255)
    customer_id: str = Field(max_length=255)
    customer_country: str | None = Field(default=None, max_length=2)
    subscription_id: str | None = Field(default=None, max_length=255)
    amount: int = _money()
    currency: str = Field(max_length=8)
    status: str = Field(max_length=32)
    first_decline_category: str | None = Field(default=None, max_length=32)
    first_decline_code: str | None = Field(default=None, max_length=64)
    latest_decline_category: str | None = Field(default=None, max_length=32)
    latest_decline_code: str | None = Field(default=None, max_length=64)
    latest_advice_code: str | None = Field(default=None, max_length=64)
    latest_network_advice_code: str | None = Field(default=None, max_length=8)
    strategy: str | None = Field(default=None, max_length=64)
    attempts_made: int = 0
    next_attempt_at: datetime | None = _utc_optional()
    next_attempt_reason: str | None = Field(default=None, max_length=500)
    started_at: datetime = _utc(nullable=False)
    deadline: datetime = _utc(nullable=False)
    outcome: str | None = Field(default=None, max_length=64)
    outcome_detail: str | None = Field(default=None, max_length=1000)
    recovered_by: str | None = Field(default=None, max_length=32)
    difficulty: int | None = None
    closed_at: datetime | None = _utc_optional()
    stripe_retrying: bool = False
    paper_attempts_made: int = 0
    window_started_at: datetime | None = _utc_optional()
    auto_advance_found: bool | None = None
    refunded_amount: int = _money(0)
    dispute_status: str | None = Field(default=None, max_length=16)
    disputed_amount: int = _money(0)
    version: int = 1


class AttemptRow(SQLModel, table=True):
    __tablename__ = "attempt"

    id: int | None = Field(default=None, primary_key=True)
    recovery_id: str = Field(max_length=64, index=True)
    number: int
    attempted_at: datetime = _utc(nullable=False)
    payment_method_id: str | None = Field(default=None, max_length=255)
    card_brand: str | None = Field(default=None, max_length=32)
    card_last4: str | None = Field(default=None, max_length=4)
    outcome: str = Field(max_length=32)  # succeeded | declined
    decline_code: str | None = Field(default=None, max_length=64)
    advice_code: str | None = Field(default=None, max_length=64)
    network_advice_code: str | None = Field(default=None, max_length=8)
    request_id: str | None = Field(default=None, max_length=255)
    idempotency_key: str = Field(max_length=255, unique=True)
    trigger: str = Field(max_length=32)  # schedule | card_update | merchant
    payment_intent_id: str | None = Field(default=None, max_length=255, index=True)
    charge_id: str | None = Field(default=None, max_length=255, index=True)


class RecoveryTotalsRow(SQLModel, table=True):
    """Running totals per account, mode and currency, kept as recoveries open and end.

    The Dashboard home reads a handful of these rows instead of scanning every recovery.
    """

    __tablename__ = "recovery_totals"

    account_id: str = Field(primary_key=True, max_length=64)
    livemode: bool = Field(primary_key=True)
    currency: str = Field(primary_key=True, max_length=8)
    open_count: int = 0
    open_amount: int = _money(0)
    recovered_count: int = 0
    recovered_amount: int = _money(0)
    exhausted_count: int = 0
    exhausted_amount: int = _money(0)
    closed_count: int = 0
    # Paid invoices Recoup had no part in: shown beside recovered revenue, never inside it.
    paid_elsewhere_count: int = 0
    paid_elsewhere_amount: int = Field(default=0, sa_column=Column(BigInteger, nullable=False, default=0))


class RecoveryWeekRow(SQLModel, table=True):
    """Failures and recoveries per week (weeks start on Monday, UTC), for the home chart."""

    __tablename__ = "recovery_week"

    account_id: str = Field(primary_key=True, max_length=64)
    livemode: bool = Field(primary_key=True)
    week_start: str = Field(primary_key=True, max_length=10)  # ISO date of the Monday
    failed_count: int = 0
    recovered_count: int = 0


class RecoveryWeekMoneyRow(SQLModel, table=True):
    """Money failed and recovered per week and currency, for the home chart of recovered money."""

    __tablename__ = "recovery_week_money"

    account_id: str = Field(primary_key=True, max_length=64)
    livemode: bool = Field(primary_key=True)
    week_start: str = Field(primary_key=True, max_length=10)  # ISO date of the Monday
    currency: str = Field(primary_key=True, max_length=8)
    failed_amount: int = Field(default=0, sa_column=Column(BigInteger(), nullable=False, default=0))
    recovered_amount: int = Field(default=0, sa_column=Column(BigInteger(), nullable=False, default=0))
class NotificationRow(SQLModel, table=True):
    """Each e-mail or SMS to a customer: planned, then sent (or failed), then opened and clicked."""

    __tablename__ = "notification"
    __table_args__ = (Index("ix_notification_account", "account_id", "livemode", "status"),)

    id: str = Field(primary_key=True, max_length=64)
    recovery_id: str = Field(max_length=64, index=True)
    account_id: str = Field(max_length=64)
    livemode: bool
    customer_id: str = Field(max_length=255)
    channel: str = Field(max_length=8)  # email | sms
    step: str = Field(max_length=32)
    status: str = Field(max_length=16)  # planned | sent | failed | skipped | cancelled
    send_at: datetime = _utc(nullable=False)
    created_at: datetime = _utc(nullable=False)
    sent_at: datetime | None = _utc_optional()
    opened_at: datetime | None = _utc_optional()
    clicked_at: datetime | None = _utc_optional()
    provider_id: str | None = Field(default=None, max_length=255)
    to_address: str | None = Field(default=None, max_length=320)
    locale: str | None = Field(default=None, max_length=16)
    error: str | None = Field(default=None, max_length=1000)


class OutreachOptOutRow(SQLModel, table=True):
    """A customer who unsubscribed from an account's payment reminders."""

    __tablename__ = "outreach_opt_out"

    account_id: str = Field(primary_key=True, max_length=64)
    livemode: bool = Field(primary_key=True)
    customer_id: str = Field(primary_key=True, max_length=255)
    created_at: datetime = _utc(nullable=False)


def _counter() -> Any:
    return Field(default=0, sa_column=Column(BigInteger(), nullable=False, default=0))


class RecoveryDayRow(SQLModel, table=True):
    """Counters per account, mode, UTC day and currency: any period's analytics is a sum over days.

    Failed and in-flight money count on the day a recovery opened; everything else on the day it
    ended (`domain/analytics.py` says what each recovery adds).
    """

    __tablename__ = "recovery_day"

    account_id: str = Field(primary_key=True, max_length=64)
    livemode: bool = Field(primary_key=True)
    day: str = Field(primary_key=True, max_length=10)  # ISO date, UTC
    currency: str = Field(primary_key=True, max_length=8)
    failed_count: int = _counter()
    failed_amount: int = _counter()
    in_flight_count: int = _counter()
    in_flight_amount: int = _counter()
    recovered_count: int = _counter()
    recovered_amount: int = _counter()
    retry_count: int = _counter()
    retry_amount: int = _counter()
    card_update_count: int = _counter()
    card_update_amount: int = _counter()
    customer_count: int = _counter()
    customer_amount: int = _counter()
    elsewhere_count: int = _counter()
    elsewhere_amount: int = _counter()
    exhausted_count: int = _counter()
    exhausted_amount: int = _counter()
    closed_count: int = _counter()
    refunded_amount: int = _counter()
    dispute_lost_amount: int = _counter()
    reversed_amount: int = _counter()
    dispute_open_count: int = _counter()
    dispute_won_count: int = _counter()
    dispute_lost_count: int = _counter()


class RecoveryDaysToRecoverRow(SQLModel, table=True):
    """How many recoveries Recoup caused that ended on `day` took `days` whole days (for the median)."""

    __tablename__ = "recovery_days_to_recover"

    account_id: str = Field(primary_key=True, max_length=64)
    livemode: bool = Field(primary_key=True)
    day: str = Field(primary_key=True, max_length=10)
    days: int = Field(primary_key=True)
    count: int = _counter()


class MessageDayRow(SQLModel, table=True):
    """Customer messages sent per day, and how many of those were opened and clicked."""

    __tablename__ = "message_day"

    account_id: str = Field(primary_key=True, max_length=64)
    livemode: bool = Field(primary_key=True)
    day: str = Field(primary_key=True, max_length=10)  # the day the message was sent, UTC
    sent_count: int = _counter()
    opened_count: int = _counter()
    clicked_count: int = _counter()
class TakeoverRow(SQLModel, table=True):
    """One takeover of an account's earlier failed invoices, with its progress after each page."""

    __tablename__ = "takeover"
    __table_args__ = (Index("ix_takeover_account", "account_id", "livemode", "started_at"),)

    id: str = Field(primary_key=True, max_length=64)
    account_id: str = Field(max_length=64)
    livemode: bool
    status: str = Field(max_length=16)  # running | done | failed
    # "<account>:<mode>" while running, NULL after: at most one running takeover per account and mode.
    running_key: str | None = Field(default=None, max_length=80, unique=True)
    look_back_days: int
    since: datetime = _utc(nullable=False)
    until: datetime = _utc(nullable=False)
    cursor_start: int = Field(sa_column=Column(BigInteger(), nullable=False))
    cursor_window: int = Field(sa_column=Column(BigInteger(), nullable=False))
    cursor_after: str | None = Field(default=None, max_length=255)
    scanned: int = 0
    enrolled: int = 0
    skipped: dict[str, int] = Field(sa_column=Column(JSON, nullable=False))
    pages: int = 0
    started_at: datetime = _utc(nullable=False)
    finished_at: datetime | None = _utc_optional()
    error: str | None = Field(default=None, max_length=1000)
    version: int = 1
class AuditEntryRow(SQLModel, table=True):
    """One row of an account's hash-chained audit trail (domain/audit_chain.py).

    `details` may name a customer; the hash covers only its digest, so deleting an account's
    personal data replaces `details` with a marker and the chain still verifies.
    """

    __tablename__ = "audit_entry"
    __table_args__ = (
        UniqueConstraint("account_id", "livemode", "seq", name="uq_audit_entry_seq"),
        Index("ix_audit_entry_invoice", "account_id", "livemode", "invoice_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    account_id: str = Field(max_length=64)
    livemode: bool
    seq: int = Field(sa_column=Column(BigInteger(), nullable=False))  # a chain outlives 2**31 rows
    occurred_at: datetime = _utc(nullable=False)
    kind: str = Field(max_length=32)
    operation: str = Field(max_length=128)
    actor: str = Field(max_length=255)
    invoice_id: str | None = Field(default=None, max_length=255)
    recovery_id: str | None = Field(default=None, max_length=64)
    request_id: str | None = Field(default=None, max_length=255)
    http_status: int | None = None
    outcome: str = Field(max_length=16)
    details: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    details_digest: str = Field(max_length=64)
    prev_hash: str = Field(max_length=64)
    row_hash: str = Field(max_length=64)


class AuditHeadRow(SQLModel, table=True):
    """The end of each chain: appenders lock it, so two processes never take the same seq."""

    __tablename__ = "audit_head"

    account_id: str = Field(primary_key=True, max_length=64)
    livemode: bool = Field(primary_key=True)
    seq: int = Field(default=0, sa_column=Column(BigInteger(), nullable=False, default=0))
    row_hash: str = Field(max_length=64)


class DataDeletionRow(SQLModel, table=True):
    """When an account's personal data was deleted, and why (a request, or the days after uninstall)."""

    __tablename__ = "data_deletion"

    id: int | None = Field(default=None, primary_key=True)
    account_id: str = Field(max_length=64, index=True)
    livemode: bool
    deleted_at: datetime = _utc(nullable=False)
    reason: str = Field(max_length=32)  # requested | after_uninstall
