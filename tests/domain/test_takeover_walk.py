"""The takeover's walk: every invoice of the look-back once, oldest first, whatever the list looks like."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from backend.domain.billing import Invoice, InvoiceStatus
from backend.domain.takeover import (
    PAGE_SIZE,
    InvoicePage,
    ListedInvoice,
    Skip,
    WalkCursor,
    after_page,
    oldest_first,
    skip_reason,
)

SINCE, UNTIL = 1_700_000_000, 1_700_000_000 + 60 * 86_400 + 1


def invoice(invoice_id: str, created: int, **changes: object) -> Invoice:
    values: dict[str, object] = dict(
        id=invoice_id, customer_id="cus_1", status=InvoiceStatus.OPEN, amount_due=900, amount_remaining=900,
        currency="usd", collection_method="charge_automatically", billing_reason="subscription_cycle",
        subscription_id="sub_1", attempt_count=1, next_payment_attempt=None, auto_advance=True,
        created=datetime.fromtimestamp(created, tz=UTC), livemode=False)
    values.update(changes)
    return Invoice(**values)  # type: ignore[arg-type]


def stripe_list(stored: list[tuple[int, str]], gte: int, lt: int, after: str | None) -> InvoicePage:
    """GET /v1/invoices as Stripe answers it: newest first, created[gte]/[lt], starting_after, limit 100."""
    matching = sorted((item for item in stored if gte <= item[0] < lt), reverse=True)
    if after is not None:
        matching = matching[[item_id for _, item_id in matching].index(after) + 1:]
    page = matching[:PAGE_SIZE]
    return InvoicePage([ListedInvoice(invoice(i, c), "active") for c, i in page], len(matching) > PAGE_SIZE)


def walk(stored: list[tuple[int, str]]) -> tuple[list[str], int]:
    cursor, seen, requests = WalkCursor.begin(datetime.fromtimestamp(SINCE, tz=UTC),
                                              datetime.fromtimestamp(UNTIL - 1, tz=UTC)), [], 0
    while not cursor.done:
        page = stripe_list(stored, cursor.start, cursor.end, cursor.after)
        requests += 1
        step = after_page(cursor, page)
        if step.handle:
            seen.extend(listed.invoice.id for listed in oldest_first(page))
        cursor = step.cursor
    return seen, requests


created_times = st.one_of(st.integers(SINCE - 86_400, UNTIL + 86_400),
                          st.sampled_from([SINCE, SINCE + 5, UNTIL - 1, UNTIL]))


@settings(max_examples=60, deadline=None)
@given(st.lists(created_times, max_size=700))
def test_the_walk_hands_over_every_invoice_of_the_look_back_once_oldest_first(stamps: list[int]) -> None:
    stored = [(stamp, f"in_{n:05d}") for n, stamp in enumerate(stamps)]

    seen, _requests = walk(stored)

    expected = [i for c, i in sorted(stored) if SINCE <= c < UNTIL]
    assert sorted(seen) == sorted(expected) and len(seen) == len(set(seen))
    created = dict((i, c) for c, i in stored)
    assert [created[i] for i in seen] == sorted(created[i] for i in seen)


def test_a_second_holding_more_than_a_page_is_read_page_by_page() -> None:
    crowded = SINCE + 30 * 86_400 + 7
    stored = [(crowded, f"in_{n:05d}") for n in range(250)] + [(crowded - 1, "in_first")]

    seen, requests = walk(stored)

    assert seen[0] == "in_first" and sorted(seen[1:]) == sorted(i for _, i in stored[:250])
    assert requests <= 25  # the window is cut before the crowded second, not halved down to it (halving alone took 82)


def test_evenly_spread_invoices_cost_about_one_request_per_page() -> None:
    stored = [(SINCE + n * 2_000, f"in_{n:05d}") for n in range(2_500)]

    seen, requests = walk(stored)

    assert len(seen) == 2_500
    assert requests <= 2_500 // 80 + 15


def test_only_failed_unmanaged_collectable_invoices_are_taken_over() -> None:
    def reason(listed: ListedInvoice, managed: bool = False) -> Skip | None:
        return skip_reason(listed, managed_by_recoup=managed)

    assert reason(ListedInvoice(invoice("in_1", SINCE), "active")) is None
    assert reason(ListedInvoice(invoice("in_1", SINCE, subscription_id=None), None)) is None
    assert reason(ListedInvoice(invoice("in_1", SINCE), "active"), managed=True) is Skip.MANAGED_BY_RECOUP
    assert reason(ListedInvoice(invoice("in_1", SINCE, attempt_count=0), "active")) is Skip.NEVER_ATTEMPTED
    assert reason(ListedInvoice(invoice("in_1", SINCE), "canceled")) is Skip.SUBSCRIPTION_STOPPED
    assert reason(ListedInvoice(invoice("in_1", SINCE), "paused")) is Skip.SUBSCRIPTION_STOPPED
    assert reason(ListedInvoice(invoice("in_1", SINCE, auto_advance=False), "active")) is Skip.COLLECTION_PAUSED
    assert reason(ListedInvoice(invoice("in_1", SINCE, metadata={"recoup_status": "in_recovery"}),
                                "active")) is Skip.TAGGED_BY_RECOUP
    assert reason(ListedInvoice(invoice("in_1", SINCE, status=InvoiceStatus.PAID), "active")) is Skip.NOT_OPEN
    assert reason(ListedInvoice(invoice("in_1", SINCE, collection_method="send_invoice"), None)) is Skip.NOT_OPEN
