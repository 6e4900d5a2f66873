"""The typed shapes of the Dashboard API: the presenters build them, the OpenAPI document describes them."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from backend.domain.settings import RecoverySettings as RecoverySettings

RecoveryStatusName = Literal["observing", "scheduled", "awaiting_customer", "paused", "recovered", "exhausted",
                             "closed"]
ActionName = Literal["retry_now", "pause", "resume", "stop", "enrol"]
# Who gets the credit for a paid invoice (DESIGN §5); only the first two count as recovered revenue.
RecoveredBy = Literal["recoup_retry", "card_update", "customer", "out_of_band", "other"]


class ApiModel(BaseModel):
    # Every field is always sent (null when unknown), so the generated TypeScript marks none optional.
    model_config = ConfigDict(frozen=True, extra="forbid", json_schema_serialization_defaults_required=True)


class Warning(ApiModel):
    code: str
    message: str
    invoice_id: str | None = None


class SettingsResponse(ApiModel):
    settings: RecoverySettings
    warnings: list[Warning]


class Decline(ApiModel):
    category: str
    code: str | None
    advice_code: str | None
    explanation: str


class Card(ApiModel):
    brand: str | None
    last4: str | None


class Attempt(ApiModel):
    number: int = Field(description="0 is the failure that opened the recovery; 1, 2, … are retries")
    at: str
    card: Card | None
    outcome: str
    decline_code: str | None
    advice_code: str | None
    trigger: str


MessageChannel = Literal["email", "sms"]
MessageStep = Literal["notice", "reminder", "access_warning", "suspension_warning", "last_chance", "final_notice",
                      "card_update", "confirm_payment"]
MessageStatusName = Literal["planned", "sent", "failed", "skipped", "cancelled"]


class Message(ApiModel):
    """One e-mail or text to the invoice's customer, planned or sent."""

    id: str
    channel: MessageChannel
    step: MessageStep
    status: MessageStatusName
    send_at: str = Field(description="when it is (or was) due to go out")
    sent_at: str | None
    opened_at: str | None = Field(description="first open, counted once (tracking pixel or a click)")
    clicked_at: str | None = Field(description="first click, counted once")
    to: str | None = Field(description="the address or number it went to")
    error: str | None = Field(description="why it failed or was skipped, in words")


DisputeStatusName = Literal["open", "won", "lost"]


class MoneyBack(ApiModel):
    """What happened to the payment after it came in."""

    refunded_amount: int = Field(description="refunded so far, in the minor unit")
    dispute_status: DisputeStatusName | None = Field(description="null when the payment was never disputed")
    disputed_amount: int
    net_amount: int = Field(description="paid, less refunds and a lost dispute; 0 while not paid")


class Recovery(ApiModel):
    id: str
    invoice_id: str
    customer_id: str
    subscription_id: str | None
    status: RecoveryStatusName
    amount: int = Field(description="in the currency's minor unit")
    currency: str
    decline: Decline | None
    strategy: str | None
    started_at: str
    next_attempt_at: str | None
    next_attempt_reason: str | None
    deadline: str
    retries_made: int = Field(description="retries Recoup made, not counting the failure that opened it")
    max_retries: int | None = Field(description="the account's retry limit now; null when unknown")
    attempts: list[Attempt]
    messages: list[Message]
    customer_unsubscribed: bool = Field(description="the customer opted out of this merchant's payment reminders")
    outcome: str | None
    outcome_detail: str | None = Field(description="what the end of dunning did, in words")
    recovered_by: RecoveredBy | None
    difficulty: int | None
    observe_only: bool
    stripe_retrying: bool = Field(description="Stripe's own automatic retries were seen on this invoice")
    actions: list[ActionName]
    money_back: MoneyBack = Field(description="refunds and disputes of the payment, once recovered")


class RecoveryResponse(ApiModel):
    recovery: Recovery | None


class RecoveryActionResponse(ApiModel):
    recovery: Recovery


class RecoverySummary(ApiModel):
    id: str
    invoice_id: str
    customer_id: str
    subscription_id: str | None
    status: RecoveryStatusName
    amount: int
    currency: str
    started_at: str
    next_attempt_at: str | None
    closed_at: str | None
    outcome: str | None
    recovered_by: RecoveredBy | None


class RecoveryList(ApiModel):
    recoveries: list[RecoverySummary]
    page: int
    has_more: bool


class Money(ApiModel):
    currency: str
    amount: int


class DueItem(ApiModel):
    invoice_id: str
    at: str | None
    reason: str | None
    amount: int
    currency: str


class OutcomeItem(ApiModel):
    invoice_id: str
    customer_id: str
    outcome: RecoveryStatusName
    recovered_by: RecoveredBy | None
    at: str | None
    amount: int
    currency: str


class WeeklyCount(ApiModel):
    week: str = Field(description="ISO date of the week's Monday")
    recovered: int = Field(description="recoveries that ended recovered that week")
    failed: int = Field(description="new failed payments that week (recoveries opened)")


class WeeklyMoney(ApiModel):
    week: str = Field(description="ISO date of the week's Monday")
    currency: str
    recovered: int = Field(description="money recovered that week, in the currency's minor unit")
    failed: int = Field(description="money of the new failed payments that week, in the minor unit")


class Overview(ApiModel):
    recovered: list[Money] = Field(
        description="Paid by a retry of Recoup's or a card the customer added after Recoup asked")
    paid_without_recoup: list[Money] = Field(
        description="Paid by the customer unprompted, out of band or by any other route: shown beside, never counted")
    in_flight: list[Money]
    recovery_rate: float | None
    active_count: int
    next_due: list[DueItem]
    recent_outcomes: list[OutcomeItem]
    weekly: list[WeeklyCount]
    weekly_money: list[WeeklyMoney]
    warnings: list[Warning]
    emails: EmailEngagement


class SuccessFee(ApiModel):
    """What a paid service charging a success fee would have billed on this money."""

    percent: int = Field(description="the success-fee percentage set in Settings")
    on_recovered: int = Field(description="fee counted on recovered money when it came in")
    refunded: int = Field(description="part of that fee given back: the money was refunded or lost to a dispute")
    net: int = Field(description="fee on net recovered money (on_recovered − refunded)")


class CurrencyAnalytics(ApiModel):
    """One currency over the period, amounts in its minor unit."""

    currency: str
    failed: int = Field(description="money of the payments that failed in the period")
    recovered: int = Field(description="paid in the period by Recoup's retry or a card update it asked for")
    refunded: int = Field(description="of that, refunded since")
    dispute_lost: int = Field(description="of that, lost to disputes")
    net_recovered: int = Field(description="recovered − refunded − lost to disputes (money counted once)")
    paid_without_recoup: int = Field(description="paid by the customer unprompted or elsewhere: not counted")
    exhausted: int = Field(description="given up at the end of dunning in the period")
    in_flight: int = Field(description="failed in the period and still being recovered")
    rate_by_amount: float | None = Field(description="recovered ÷ (recovered + exhausted), by money")
    success_fee: SuccessFee


class CauseShares(ApiModel):
    """Shares of the invoices paid in the period, by who caused the payment."""

    paid: int
    retry: float | None
    card_update: float | None = Field(description="a card the customer added after Recoup asked")
    customer: float | None = Field(description="the customer paid unprompted")
    other: float | None


class DueSoon(ApiModel):
    currency: str
    count: int
    amount: int


class DisputeCounts(ApiModel):
    open: int
    won: int
    lost: int


class Analytics(ApiModel):
    """An account's recovery figures over a period (days in UTC, both ends included)."""

    period_from: str = Field(description="ISO date, first day included")
    period_to: str = Field(description="ISO date, last day included")
    currencies: list[CurrencyAnalytics]
    recovered_count: int
    exhausted_count: int
    in_flight_count: int = Field(description="failed in the period and still open: not in the rate")
    rate_by_count: float | None = Field(description="recovered ÷ (recovered + exhausted), over ended recoveries")
    causes: CauseShares
    median_days_to_recover: float | None = Field(description="whole days, over recoveries Recoup caused")
    due_next_24h: list[DueSoon]
    messages_sent: int
    open_rate: float | None
    click_rate: float | None
    disputes: DisputeCounts
    success_fee_percent: int


class EmailEngagement(ApiModel):
    """Customer messages of the account: each message counted once per kind."""

    sent: int
    opened: int
    clicked: int
    failed: int


class SmsCredentials(ApiModel):
    """Whether the merchant's Twilio account is connected; the auth token is never sent back."""

    configured: bool
    account_sid: str | None = Field(description="the Account SID with all but its last characters hidden")
    from_number: str | None


TakeoverStatusName = Literal["running", "done", "failed"]


class Takeover(ApiModel):
    """A scan of the account's open, automatically charged invoices that enrols the failed ones."""

    id: str
    status: TakeoverStatusName
    look_back_days: int
    since: str = Field(description="invoices created from this moment up to started_at are scanned")
    walked_until: str = Field(description="every invoice created before this moment has been handled")
    scanned: int = Field(description="open, automatically charged invoices read so far")
    enrolled: int = Field(description="recoveries the takeover opened")
    skipped: dict[str, int] = Field(description=(
        "invoices left alone, by reason: never_attempted, managed_by_recoup, tagged_by_recoup, "
        "collection_paused, subscription_stopped, not_open, not_recovered"))
    started_at: str
    finished_at: str | None
    error: str | None = Field(description="why a failed takeover stopped")


class TakeoverResponse(ApiModel):
    takeover: Takeover | None = Field(description="the running takeover, else the latest one; null if none yet")
AuditKind = Literal["stripe_write", "merchant_action", "data_deletion"]
AuditOutcome = Literal["succeeded", "refused", "failed"]


class AuditEntry(ApiModel):
    """One row of the account's hash-chained audit trail."""

    seq: int
    occurred_at: str
    kind: AuditKind
    operation: str = Field(description="e.g. invoices.pay, subscriptions.cancel, settings.save, recovery.pause")
    object_id: str | None
    actor: str = Field(description="job:<kind>:<id>, dashboard:<user id>, customer_page, cli or system")
    invoice_id: str | None
    idempotency_key: str | None
    request_id: str | None = Field(description="Stripe's Request-Id for a Stripe write")
    http_status: int | None = Field(description="Stripe's answer; null when no answer came")
    outcome: AuditOutcome
    error: str | None
    redacted: bool = Field(description="its details were removed when the account's data was deleted")
    row_hash: str


class AuditPage(ApiModel):
    entries: list[AuditEntry]
    has_more: bool
    next_starting_after: int | None = Field(description="pass as starting_after for the next page")


class InvoiceAudit(ApiModel):
    entries: list[AuditEntry]


class DataDeletion(ApiModel):
    """How many stored records lost their personal data; the audit trail records the deletion."""

    deleted: dict[str, int]


class ApiError(ApiModel):
    # `field` is left out, not null, when the error concerns no one field.
    model_config = ConfigDict(frozen=True, extra="forbid", json_schema_serialization_defaults_required=False)

    code: str
    message: str
    field: str | None = None


class ErrorResponse(ApiModel):
    error: ApiError


RESPONSE_MODELS: tuple[type[ApiModel], ...] = (
    SettingsResponse, RecoveryResponse, RecoveryActionResponse, RecoveryList, Overview, SmsCredentials,
    TakeoverResponse, Analytics, AuditPage, InvoiceAudit, DataDeletion, ErrorResponse)
