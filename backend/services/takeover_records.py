"""What the takeover use cases read and write: one progress row per takeover."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Protocol

from backend.domain.billing import StripeAccount
from backend.domain.takeover import WalkCursor, walk_end


class TakeoverStatus(StrEnum):
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


@dataclass
class TakeoverRecord:
    id: str
    account_id: str
    livemode: bool
    status: str
    look_back_days: int
    since: datetime  # invoices created from here on are scanned
    until: datetime  # ... up to the moment the takeover began (later failures arrive by webhook)
    cursor_start: int  # unix seconds: everything created before it has been handled
    cursor_window: int
    cursor_after: str | None
    scanned: int
    enrolled: int
    skipped: dict[str, int] = field(default_factory=dict)
    pages: int = 0  # list requests answered, including those of windows read again smaller
    started_at: datetime | None = None
    finished_at: datetime | None = None
    error: str | None = None
    version: int = 1

    @property
    def account(self) -> StripeAccount:
        return StripeAccount(self.account_id, self.livemode)

    @property
    def cursor(self) -> WalkCursor:
        return WalkCursor(start=self.cursor_start, until=walk_end(self.until),
                          window=self.cursor_window, after=self.cursor_after)

    @property
    def walked_until(self) -> datetime:
        """Every invoice created before this moment has been handled."""
        return datetime.fromtimestamp(self.cursor_start, tz=UTC)

    def move_to(self, cursor: WalkCursor) -> None:
        self.cursor_start, self.cursor_window, self.cursor_after = cursor.start, cursor.window, cursor.after


class TakeoverRepository(Protocol):
    async def add(self, record: TakeoverRecord) -> None:
        """Insert; a second running takeover of the same account and mode loses a race (StaleRecord)."""
        ...

    async def get(self, takeover_id: str) -> TakeoverRecord | None: ...

    async def latest(self, account: StripeAccount) -> TakeoverRecord | None:
        """The account's running takeover, else its most recent one."""
        ...

    async def save(self, record: TakeoverRecord) -> None:
        """Write changes if nobody else did since it was read, else raise StaleRecord."""
        ...
