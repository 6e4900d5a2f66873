"""Taking over an account's earlier failed invoices: the right ones, once each, oldest first, within the rate limit."""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import timedelta

import httpx
import pytest
from sqlmodel import col, select

from backend.adapters.clock import ManualClock
from backend.adapters.db.tables import JobRow, RecoveryRow
from backend.domain.billing import StripeAccount
from backend.jobs.kinds import JobKind
from backend.jobs.outcomes import Outcome, Parked
from backend.jobs.runner import JobDeps, JobRun, JobRunner
from backend.services import takeover
from backend.services.account_settings import save_settings
from backend.services.ports import StripeRequestRejected
from backend.services.stripe_changes import payment_failed
from backend.services.takeover import start_takeover, take_over, takeover_progress
from backend.services.webhook_events import InvoicePaymentFailed
from backend.simulator.behaviours import Declines, Succeeds
from backend.simulator.simulator import Simulator
from tests.conftest import START
from tests.harness import Stack, recoup_with_simulator

LEASE = timedelta(minutes=5)
OLD = 250  # failed before the look-back
# One round of the look-back's invoices, interleaved; fifty rounds make 2,250, and 1,950 of them are
# open and charged automatically: about 25 pages of the list.
COUNTS = {"never_attempted": 20, "cancelled": 8, "active": 5, "paused": 5, "paid": 3, "send_invoice": 3,
          "managed": 1}
MIX = [kind for _, kind in sorted((i / n, kind) for kind, n in COUNTS.items() for i in range(n))]
ROUNDS = 50


class ProcessKilled(BaseException):
    """The worker's process died: nothing after this point runs, nothing is rolled forward."""


@dataclass
class StripeWire(httpx.AsyncBaseTransport):
    """Between Recoup and the simulator: remembers every answer, and can kill the worker mid-walk."""

    inner: httpx.AsyncBaseTransport
    statuses: list[int] = field(default_factory=list)
    list_pages: int = 0
    kill_at_page: int | None = None

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.method == "GET" and request.url.path == "/v1/invoices":
            self.list_pages += 1
            if self.kill_at_page is not None and self.list_pages == self.kill_at_page:
                raise ProcessKilled
        response = await self.inner.handle_async_request(request)
        self.statuses.append(response.status_code)
        return response


@pytest.fixture
async def wired(engine, config) -> AsyncIterator[tuple[Stack, StripeWire]]:
    wires: list[StripeWire] = []

    def wrap(inner: httpx.AsyncBaseTransport, _clock: ManualClock, _sim: Simulator) -> httpx.AsyncBaseTransport:
        wires.append(StripeWire(inner))
        return wires[0]

    async with recoup_with_simulator(engine, config, START, wrap_stripe=wrap) as stack:
        yield stack, wires[0]


@dataclass
class Books:
    """The invoices the account holds, by what a takeover should do with each."""

    to_enrol: list[str] = field(default_factory=list)
    managed: list[str] = field(default_factory=list)
    skipped: Counter[str] = field(default_factory=Counter)
    unlisted: list[str] = field(default_factory=list)  # paid, send_invoice, too old: never even scanned


def _failing_subscription(sim: Simulator, account: StripeAccount) -> str:
    customer = sim.create_customer(account)
    sim.attach_card(account, customer, Declines("insufficient_funds"))
    return sim.create_subscription(account, customer)


def build_history(stack: Stack, account: StripeAccount) -> Books:
    """2,500 invoices over 70 days, half an hour apart, the oldest ten days before the look-back."""
    sim, books = stack.sim, Books()
    state = sim.state(account)
    active = [_failing_subscription(sim, account) for _ in range(4)]
    cancelled, paused = _failing_subscription(sim, account), _failing_subscription(sim, account)
    payer = sim.create_customer(account)
    sim.attach_card(account, payer, Succeeds())
    paying = sim.create_subscription(account, payer)
    hand_payer = sim.create_customer(account)
    for i, kind in enumerate(["old"] * OLD + MIX * ROUNDS):
        stack.clock.advance(timedelta(minutes=30) if kind != "old" else timedelta(seconds=1))
        if kind in ("active", "managed", "old"):
            invoice = sim.create_failed_invoice(account, active[i % 4])
        elif kind in ("cancelled", "paused"):
            invoice = sim.create_failed_invoice(account, cancelled if kind == "cancelled" else paused)
        elif kind == "paid":
            invoice = sim.renew_now(account, paying)
        else:
            invoice = sim.create_invoice(account, hand_payer, amount=1200, attempt=False)
            if kind == "send_invoice":
                state.get(invoice, "invoice")["collection_method"] = "send_invoice"
        if kind == "active":
            books.to_enrol.append(invoice)
        elif kind == "managed":
            books.managed.append(invoice)
        elif kind in ("old", "paid", "send_invoice"):
            books.unlisted.append(invoice)
        elif kind == "never_attempted":
            books.skipped["never_attempted"] += 1
        else:
            books.skipped["subscription_stopped"] += 1
    # Cancelling leaves the open invoices open, as Stripe does; neither subscription is collected any more.
    state.get(cancelled, "subscription")["status"] = "canceled"
    state.get(paused, "subscription")["status"] = "paused"
    # The look-back starts after the OLD invoices and before the rest.
    stack.clock.advance(timedelta(days=60) - timedelta(minutes=30) * (len(MIX) * ROUNDS) + timedelta(minutes=10))
    return books


async def manage_already(stack: Stack, account: StripeAccount, invoices: list[str]) -> None:
    """Recoup already manages these (a webhook reached it): opened through the webhook path."""
    now = stack.clock.now()
    async with stack.uow_factory() as uow:
        for invoice_id in invoices:
            raw = stack.sim.object(account, invoice_id)
            assert await payment_failed(uow, InvoicePaymentFailed(
                account=account, invoice_id=invoice_id, customer_id=raw["customer"],
                subscription_id=raw["parent"]["subscription_details"]["subscription"],
                amount_due=raw["amount_due"], amount_remaining=raw["amount_remaining"], currency=raw["currency"],
                billing_reason=raw["billing_reason"], collection_method=raw["collection_method"],
                attempt_count=raw["attempt_count"], next_payment_attempt=None, at=now), now) == "recovery opened"
        await uow.commit()


async def _hold(_deps: JobDeps, _run: JobRun) -> Outcome:
    # Only the walk runs here: the recoveries' own first steps would each call Stripe, and are
    # covered by the recovery flow tests.
    return Parked()


def takeover_runner(stack: Stack) -> JobRunner:
    handlers = {str(kind): _hold for kind in JobKind} | {str(JobKind.TAKE_OVER): take_over}
    return JobRunner(JobDeps(stack.uow_factory, stack.clock, stack.gateway), handlers, owner="walker", lease=LEASE)


async def enrolment_order(stack: Stack, account: StripeAccount) -> list[str]:
    """Invoices whose recovery the takeover opened, in the order it opened them (by queued assessment)."""
    async with stack.uow_factory() as uow:
        session = uow._session  # noqa: SLF001 - reading the job table's insertion order directly
        rows = (await session.execute(
            select(RecoveryRow.invoice_id).join(JobRow, col(JobRow.recovery_id) == col(RecoveryRow.id))
            .where(JobRow.kind == str(JobKind.ASSESS_FAILURE), RecoveryRow.account_id == account.id)
            .order_by(col(JobRow.id)))).scalars().all()
    return list(rows)


async def prepared(stack: Stack) -> tuple[StripeAccount, Books]:
    account = await stack.install()
    books = build_history(stack, account)
    await manage_already(stack, account, books.managed)
    return account, books


def assert_taken_over(stack: Stack, account: StripeAccount, books: Books, order: list[str], progress) -> None:
    created = {inv: stack.sim.object(account, inv)["created"] for inv in order}
    taken = order[len(books.managed):]  # the assessments of the managed ones were queued first
    assert sorted(taken) == sorted(books.to_enrol)
    assert len(taken) == len(set(taken)) == 250
    assert [created[i] for i in taken] == sorted(created[i] for i in taken)
    assert progress.status == "done"
    assert progress.enrolled == 250
    assert progress.skipped == {**books.skipped, "managed_by_recoup": 50}
    assert progress.scanned == 250 + 50 + sum(books.skipped.values()) == 1950


async def test_a_takeover_enrols_each_failed_unmanaged_invoice_once_oldest_first(wired):
    stack, wire = wired
    account, books = await prepared(stack)
    wire.statuses.clear()

    started, fresh = await start_takeover(stack.uow_factory, stack.clock, account)
    await takeover_runner(stack).drain()
    progress = await takeover_progress(stack.uow_factory, account)

    assert fresh and progress.id == started.id
    assert_taken_over(stack, account, books, await enrolment_order(stack, account), progress)
    assert 25 <= wire.list_pages <= 60  # 1,950 open invoices at up to 100 a page, plus a few windows halved
    assert 429 not in wire.statuses and set(wire.statuses) == {200}


async def test_a_walk_killed_half_way_resumes_at_the_last_committed_page_and_enrols_nothing_twice(wired, monkeypatch):
    stack, wire = wired
    monkeypatch.setattr(takeover, "PAGES_PER_RUN", 5)  # the walk also hands on to fresh jobs on the way
    account, books = await prepared(stack)
    await start_takeover(stack.uow_factory, stack.clock, account)
    wire.kill_at_page = wire.list_pages + 14
    runner = takeover_runner(stack)

    with pytest.raises(ProcessKilled):
        await runner.drain()
    halfway = await takeover_progress(stack.uow_factory, account)
    wire.kill_at_page = None
    await takeover_runner(stack).drain()
    before_lease_ends = await takeover_progress(stack.uow_factory, account)  # the dead worker's lease still holds
    stack.clock.advance(LEASE + timedelta(seconds=1))
    await takeover_runner(stack).drain()
    progress = await takeover_progress(stack.uow_factory, account)

    assert halfway.status == "running" and 0 < halfway.enrolled < 250
    assert before_lease_ends.version == halfway.version
    assert_taken_over(stack, account, books, await enrolment_order(stack, account), progress)


async def test_a_second_start_while_one_runs_returns_the_running_one(wired):
    stack, _wire = wired
    account = await stack.install()

    first, first_fresh = await start_takeover(stack.uow_factory, stack.clock, account)
    second, second_fresh = await start_takeover(stack.uow_factory, stack.clock, account, 30)

    assert first_fresh and not second_fresh
    assert second.id == first.id and second.look_back_days == 60


async def test_a_takeover_cut_short_by_an_uninstall_does_not_block_the_next_install(wired):
    stack, _wire = wired
    account = await stack.install()
    first, _ = await start_takeover(stack.uow_factory, stack.clock, account)
    stack.sim.uninstall_account(account)
    await stack.settle()
    stack.clock.advance(timedelta(days=1))
    stack.sim.install_account(account.id)
    await stack.settle()
    await save_settings(stack.uow_factory, stack.clock, account, {"enabled": True})

    second, fresh = await start_takeover(stack.uow_factory, stack.clock, account)
    async with stack.uow_factory() as uow:
        old = await uow.takeovers.get(first.id)

    assert fresh and second.id != first.id
    assert old is not None and old.status == "failed" and old.error == "the app was uninstalled while it ran"


async def small_history(stack: Stack, account: StripeAccount, count: int = 3) -> list[str]:
    subscription = _failing_subscription(stack.sim, account)
    invoices = []
    for _ in range(count):
        stack.clock.advance(timedelta(days=1))
        invoices.append(stack.sim.create_failed_invoice(account, subscription))
    return invoices


async def test_stripe_unavailable_mid_walk_is_waited_out_and_the_walk_carries_on(wired):
    stack, _wire = wired
    account = await stack.install()
    invoices = await small_history(stack, account)
    await start_takeover(stack.uow_factory, stack.clock, account)
    # More 503s than the gateway's own retries: the job itself has to come back later.
    stack.sim.faults.inject(503, count=8, account=account.id, path_prefix="/v1/invoices")
    runner = takeover_runner(stack)

    await runner.drain()
    waiting = await takeover_progress(stack.uow_factory, account)
    stack.clock.advance(timedelta(hours=2))
    await runner.drain()
    stack.clock.advance(timedelta(hours=2))
    await runner.drain()
    finished = await takeover_progress(stack.uow_factory, account)

    assert waiting.status == "running" and waiting.scanned == 0
    assert finished.status == "done" and finished.enrolled == len(invoices)
    assert sorted(await enrolment_order(stack, account)) == sorted(invoices)


async def test_a_list_stripe_refuses_ends_the_takeover_as_failed_with_the_reason(wired, monkeypatch):
    stack, _wire = wired
    account = await stack.install()
    await small_history(stack, account, 1)
    await start_takeover(stack.uow_factory, stack.clock, account)

    async def refused(*_args: object, **_kwargs: object) -> None:
        raise StripeRequestRejected("This application does not have the required permissions", code="permission",
                                    http_status=403)

    monkeypatch.setattr(stack.gateway, "list_invoice_page", refused)
    await takeover_runner(stack).drain()
    failed = await takeover_progress(stack.uow_factory, account)

    assert failed.status == "failed" and "required permissions" in (failed.error or "")
    assert failed.finished_at is not None


async def test_a_crowded_second_is_read_again_when_its_cursor_invoice_is_paid_between_pages(wired):
    stack, _wire = wired
    account = await stack.install()
    subscription = _failing_subscription(stack.sim, account)
    stack.clock.advance(timedelta(days=1))
    crowded = [stack.sim.create_failed_invoice(account, subscription) for _ in range(130)]  # all in one second
    stack.clock.advance(timedelta(hours=1))
    await start_takeover(stack.uow_factory, stack.clock, account)
    listing = stack.gateway.list_invoice_page
    pages: list[str | None] = []
    paid: list[str] = []

    async def paid_between_pages(*args, **kwargs):
        page = await listing(*args, **kwargs)
        pages.append(kwargs.get("starting_after"))
        one_second = kwargs["created_lt"] - kwargs["created_gte"] == timedelta(seconds=1)
        if one_second and page.has_more and kwargs.get("starting_after") is None and not paid:
            # The customer pays the invoice the walk is about to page after.
            paid.append(page.invoices[-1].invoice.id)
            stack.sim.pay_invoice_out_of_band(account, paid[0])
        return page

    stack.gateway.list_invoice_page = paid_between_pages  # type: ignore[method-assign]
    await takeover_runner(stack).drain()
    finished = await takeover_progress(stack.uow_factory, account)
    order = await enrolment_order(stack, account)

    assert finished.status == "done"
    assert len(order) == len(set(order)) == finished.enrolled
    assert any(pages)  # it did page after an invoice once the second was read again
    # Enrolled while still open when listed (its payment reaches the recovery by webhook), once.
    assert sorted(order) == sorted(crowded)
    assert finished.skipped == {"managed_by_recoup": 99}  # the second's first page, read twice
