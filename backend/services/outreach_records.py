"""What the outreach use cases read and write: customer messages and opt-outs."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from backend.domain.billing import StripeAccount


class MessageStatus(StrEnum):
    PLANNED = "planned"
    SENT = "sent"
    FAILED = "failed"  # the provider refused or bounced the address, or delivery kept failing
    SKIPPED = "skipped"  # unsubscribed, no address, or no longer needed when it came due
    CANCELLED = "cancelled"


@dataclass
class MessageRecord:
    id: str
    recovery_id: str
    account_id: str
    livemode: bool
    customer_id: str
    channel: str  # email | sms
    step: str
    status: str
    send_at: datetime
    created_at: datetime
    sent_at: datetime | None = None
    opened_at: datetime | None = None
    clicked_at: datetime | None = None
    provider_id: str | None = None
    to_address: str | None = None
    locale: str | None = None
    error: str | None = None

    @property
    def account(self) -> StripeAccount:
        return StripeAccount(self.account_id, self.livemode)


def message_id(recovery_id: str, channel: str, step: str) -> str:
    """A message's id, the same every time it is planned: planning twice stores it once."""
    digest = hashlib.sha256(f"{recovery_id}:{channel}:{step}".encode()).hexdigest()[:24]
    return f"msg_{digest}"


@dataclass(frozen=True)
class Engagement:
    sent: int
    opened: int
    clicked: int
    failed: int


class MessageRepository(Protocol):
    async def add(self, record: MessageRecord) -> bool:
        """Store a planned message; False when it was already planned."""
        ...

    async def get(self, message_id: str) -> MessageRecord | None: ...
    async def save(self, record: MessageRecord) -> None: ...
    async def for_recovery(self, recovery_id: str) -> list[MessageRecord]: ...
    async def cancel_planned(self, recovery_id: str) -> int:
        """Mark the recovery's messages that were never sent as cancelled; return how many."""
        ...
    async def mark_opened(self, message_id: str, now: datetime) -> bool:
        """Record the first open; False when it was already counted."""
        ...

    async def mark_clicked(self, message_id: str, now: datetime) -> bool:
        """Record the first click (a click proves an open too); False when already counted."""
        ...

    async def engagement(self, account: StripeAccount) -> Engagement: ...
    async def unsubscribe(self, account: StripeAccount, customer_id: str, now: datetime) -> None: ...
    async def is_unsubscribed(self, account: StripeAccount, customer_id: str) -> bool: ...
