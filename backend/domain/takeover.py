"""Taking over invoices that failed before Recoup watched them: which to enrol, and the oldest-first walk.

Stripe lists newest first and has no ascending order. The walk therefore moves a created-time
window forward from the start of the look-back: a window is read as one page only when it fits
in one page (`has_more` false), and that page is then handled oldest first. A window that does
not fit is halved (or cut just before the oldest invoice seen) and read again; a single second
holding more than a page of invoices is read page by page with `starting_after` (everything in it
was created at the same moment). The
cursor is three numbers and an id, so a restarted walk carries on from the last committed page.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from backend.domain.billing import Invoice, InvoiceStatus

LOOK_BACK_DEFAULT_DAYS = 60
LOOK_BACK_MIN_DAYS = 1
# Stripe retries a failed invoice for at most two months, and Recoup's longest dunning is 60 days.
LOOK_BACK_MAX_DAYS = 365
# Aim each window at this many invoices, below Stripe's page size, so most windows fit first time.
TARGET_PER_PAGE = 80
PAGE_SIZE = 100
# Subscription statuses whose open invoices Stripe no longer collects (the charge guard's list).
STOPPED_SUBSCRIPTIONS = frozenset({"canceled", "incomplete_expired", "paused"})


class Skip(StrEnum):
    """Why a listed invoice was not enrolled."""

    NEVER_ATTEMPTED = "never_attempted"  # no payment has failed yet: Stripe has not tried it
    MANAGED_BY_RECOUP = "managed_by_recoup"  # Recoup has (or had) a recovery for it
    TAGGED_BY_RECOUP = "tagged_by_recoup"  # carries Recoup's metadata from another install or mode
    COLLECTION_PAUSED = "collection_paused"  # auto_advance off: someone collects it by hand
    SUBSCRIPTION_STOPPED = "subscription_stopped"  # cancelled or paused subscription
    NOT_OPEN = "not_open"  # paid, voided or uncollectible by the time it was read
    NOT_RECOVERED = "not_recovered"  # Recoup's own rules refuse it (one-off invoices, recovery off)


@dataclass(frozen=True)
class ListedInvoice:
    """An invoice as a list page shows it, with its subscription's status when it has one."""

    invoice: Invoice
    subscription_status: str | None


@dataclass(frozen=True)
class InvoicePage:
    """One page of GET /v1/invoices, newest first as Stripe sends it."""

    invoices: list[ListedInvoice]
    has_more: bool


def skip_reason(listed: ListedInvoice, *, managed_by_recoup: bool) -> Skip | None:
    """Return why this invoice is not taken over, or None to enrol it."""
    invoice = listed.invoice
    if invoice.status is not InvoiceStatus.OPEN or invoice.collection_method != "charge_automatically":
        return Skip.NOT_OPEN
    if managed_by_recoup:
        return Skip.MANAGED_BY_RECOUP
    if invoice.attempt_count <= 0:
        return Skip.NEVER_ATTEMPTED
    if "recoup_status" in invoice.metadata:
        return Skip.TAGGED_BY_RECOUP
    if not invoice.auto_advance:
        return Skip.COLLECTION_PAUSED
    if listed.subscription_status in STOPPED_SUBSCRIPTIONS:
        return Skip.SUBSCRIPTION_STOPPED
    return None


def walk_end(until: datetime) -> int:
    """The walk's exclusive bound in unix seconds: the second the takeover began is still scanned."""
    return int(until.timestamp()) + 1


@dataclass(frozen=True)
class WalkCursor:
    """Where the walk stands: every invoice created before `start` has been handled."""

    start: int  # unix seconds
    until: int  # unix seconds, exclusive: the moment the takeover began
    window: int  # seconds the next request covers
    after: str | None = None  # inside one crowded second: the last invoice handled

    @classmethod
    def begin(cls, since: datetime, until: datetime) -> WalkCursor:
        start, end = int(since.timestamp()), walk_end(until)
        return cls(start=start, until=end, window=max(1, min(86_400, end - start)))

    @property
    def done(self) -> bool:
        return self.start >= self.until

    @property
    def end(self) -> int:
        """The exclusive upper bound of the next request."""
        return min(self.start + self.window, self.until)


@dataclass(frozen=True)
class Step:
    """What to do with the page just read: handle it (oldest first) or not, and where to go next."""

    handle: bool
    cursor: WalkCursor


def after_page(cursor: WalkCursor, page: InvoicePage) -> Step:
    """Decide from one page read at `cursor` whether it is handled and where the walk goes next."""
    span = cursor.end - cursor.start
    if page.has_more and span > 1 and cursor.after is None:
        # The window holds more than a page: handling this page would not be oldest first. Halve it,
        # or end it just before the oldest invoice seen when that is sooner (what lies before is
        # unknown, what lies after is more than a page); that oldest invoice's own second comes next.
        oldest = int(page.invoices[-1].invoice.created.timestamp()) if page.invoices else cursor.end
        before_oldest = oldest - cursor.start
        return Step(False, replace(cursor, window=max(1, min(span // 2, before_oldest) if before_oldest > 0 else 1)))
    if page.has_more and page.invoices:
        # One crowded second: page through it, then move on.
        return Step(True, replace(cursor, window=1, after=page.invoices[-1].invoice.id))
    count = len(page.invoices)
    # Size the next window from how dense this one was, so most requests fill a page.
    window = span * 4 if count == 0 else max(1, span * TARGET_PER_PAGE // count)
    return Step(True, WalkCursor(start=cursor.end, until=cursor.until, window=min(window, 366 * 86_400)))


def oldest_first(page: InvoicePage) -> list[ListedInvoice]:
    """The page's invoices, oldest first (creation time, then Stripe's own order reversed)."""
    return list(reversed(page.invoices))
