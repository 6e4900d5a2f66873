"""Take over invoices that failed before Recoup watched them: start, report progress, walk page by page.

Each page is handled in one transaction with the progress it makes: the recoveries it opens and
the cursor past it are committed together, so a walk that dies mid-way resumes at the first page
not committed and never enrols an invoice twice. Enrolment goes through `payment_failed`, the same
path a failure webhook takes, so every later charge asks the one charge guard.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from backend.domain.billing import StripeAccount
from backend.domain.takeover import (
    LOOK_BACK_DEFAULT_DAYS,
    LOOK_BACK_MAX_DAYS,
    LOOK_BACK_MIN_DAYS,
    ListedInvoice,
    Skip,
    WalkCursor,
    after_page,
    oldest_first,
    skip_reason,
)
from backend.jobs.kinds import JobKind
from backend.jobs.outcomes import Done, Failed, Outcome
from backend.jobs.runner import JobDeps, JobRun
from backend.services.account_settings import load_settings, require_installed
from backend.services.audit_trail import record_merchant_action
from backend.services.errors import ActionNotAllowed
from backend.services.ports import Clock, StripeRequestRejected, StripeUnavailable
from backend.services.records import NewJob
from backend.services.stripe_changes import payment_failed
from backend.services.takeover_records import TakeoverRecord, TakeoverStatus
from backend.services.unit_of_work import StaleRecord, UnitOfWork, UnitOfWorkFactory
from backend.services.webhook_events import InvoicePaymentFailed

# An outage is waited out (the runner backs off up to an hour between runs): about a day of tries.
TAKEOVER_MAX_TRIES = 30
# Pages one run walks before handing on to a fresh job at its cursor: a run stays well inside its
# lease, and other jobs get their turn on a long walk.
PAGES_PER_RUN = 100


class BadLookBack(ValueError):
    """The look-back is outside the allowed range."""


def check_look_back(days: int | None) -> int:
    """Return the look-back in days, the default when None; raise BadLookBack outside the range."""
    if days is None:
        return LOOK_BACK_DEFAULT_DAYS
    if isinstance(days, bool) or not isinstance(days, int) or not LOOK_BACK_MIN_DAYS <= days <= LOOK_BACK_MAX_DAYS:
        raise BadLookBack(f"look_back_days must be a whole number from {LOOK_BACK_MIN_DAYS} to {LOOK_BACK_MAX_DAYS}")
    return days


def _walk_job(record: TakeoverRecord, now: datetime) -> NewJob:
    """The job that walks on from the takeover's cursor: a fresh job per stretch, so its tries are its own."""
    cursor = record.cursor
    key = f"takeover:{record.id}:from-{cursor.start}" + (f"-after-{cursor.after}" if cursor.after else "")
    return NewJob(kind=JobKind.TAKE_OVER, account=record.account, run_at=now, payload={"takeover_id": record.id},
                  dedupe_key=key, max_tries=TAKEOVER_MAX_TRIES)


async def start_takeover(uow_factory: UnitOfWorkFactory, clock: Clock, account: StripeAccount,
                         look_back_days: int | None = None) -> tuple[TakeoverRecord, bool]:
    """Start a takeover, or return the one already running; the flag says whether this call started it."""
    days = check_look_back(look_back_days)
    now = clock.now()
    try:
        async with uow_factory() as uow:
            await require_installed(uow, account)
            installed = await uow.accounts.get(account)
            if not (await load_settings(uow, account)).enabled:
                raise ActionNotAllowed("switch recovery on in Settings before taking over failed invoices")
            running = await _running(uow, account)
            if running is not None and installed is not None and running.started_at is not None \
                    and running.started_at < installed.installed_at:
                # Its job was cancelled when the app was uninstalled; this install starts afresh.
                running.status, running.finished_at = TakeoverStatus.FAILED, now
                running.error = "the app was uninstalled while it ran"
                await uow.takeovers.save(running)
            elif running is not None:
                return running, False
            since = now - timedelta(days=days)
            cursor = WalkCursor.begin(since, now)
            record = TakeoverRecord(
                id=f"tko_{uuid.uuid4().hex[:24]}", account_id=account.id, livemode=account.livemode,
                status=TakeoverStatus.RUNNING, look_back_days=days, since=since, until=now,
                cursor_start=cursor.start, cursor_window=cursor.window, cursor_after=None,
                scanned=0, enrolled=0, skipped={}, started_at=now)
            await uow.takeovers.add(record)
            await uow.jobs.enqueue(_walk_job(record, now), now)
            await record_merchant_action(uow, now, account, "takeover.start",
                                         details={"takeover_id": record.id, "look_back_days": days})
            await uow.commit()
            return record, True
    except StaleRecord:
        # Two starts at once: the other one inserted the running takeover first.
        async with uow_factory() as uow:
            running = await _running(uow, account)
        if running is None:
            raise
        return running, False


async def takeover_progress(uow_factory: UnitOfWorkFactory, account: StripeAccount) -> TakeoverRecord | None:
    """The account's running takeover, else its latest one, else None."""
    async with uow_factory() as uow:
        return await uow.takeovers.latest(account)


async def _running(uow: UnitOfWork, account: StripeAccount) -> TakeoverRecord | None:
    latest = await uow.takeovers.latest(account)
    return latest if latest is not None and latest.status == TakeoverStatus.RUNNING else None


async def take_over(deps: JobDeps, run: JobRun) -> Outcome:
    """Walk the account's open, automatically charged invoices oldest first, one committed page at a time."""
    takeover_id = str(run.job.payload["takeover_id"])
    for page in range(PAGES_PER_RUN + 1):
        async with deps.uow_factory() as uow:
            record = await uow.takeovers.get(takeover_id)
            if record is None or record.status != TakeoverStatus.RUNNING:
                await run.finish(uow)
                await uow.commit()
                return Done()
            if record.cursor.done or page == PAGES_PER_RUN:
                now = deps.clock.now()
                if record.cursor.done:
                    record.status, record.finished_at = TakeoverStatus.DONE, now
                    await uow.takeovers.save(record)
                else:
                    await uow.jobs.enqueue(_walk_job(record, now), now)
                await run.finish(uow)
                await uow.commit()
                return Done()
        try:
            await _next_page(deps, record)
        except StripeRequestRejected as refused:
            if record.cursor.after is not None and refused.param == "starting_after":
                # The invoice the crowded second was paged after is no longer open (paid meanwhile),
                # so it left the filtered list: read that second again from its start. Invoices
                # already handled are found managed and counted again as skipped, never enrolled twice.
                await _restart_second(deps, record)
                continue
            return await _give_up(deps, run, record, f"Stripe refused the invoice list: {refused}")
        except StripeUnavailable as error:
            if run.job.tries >= run.job.max_tries:
                return await _give_up(deps, run, record, f"Stripe stayed unavailable: {error}")
            raise  # the runner tries again later; the walk resumes at the cursor
    raise AssertionError("unreachable: the last round hands on or finishes")


async def _next_page(deps: JobDeps, record: TakeoverRecord) -> None:
    cursor = record.cursor
    page = await deps.gateway.list_invoice_page(
        record.account, status="open", collection_method="charge_automatically",
        created_gte=_at(cursor.start), created_lt=_at(cursor.end), starting_after=cursor.after)
    step = after_page(cursor, page)
    now = deps.clock.now()
    async with deps.uow_factory() as uow:
        if step.handle:
            for listed in oldest_first(page):
                outcome = await _take(uow, record.account, listed, now)
                if outcome is None:
                    record.enrolled += 1
                else:
                    record.skipped[outcome] = record.skipped.get(outcome, 0) + 1
                record.scanned += 1
        record.pages += 1
        record.move_to(step.cursor)
        # Raises StaleRecord if another worker moved the same takeover meanwhile: this page's
        # enrolments roll back with it.
        await uow.takeovers.save(record)
        await uow.commit()


async def _restart_second(deps: JobDeps, record: TakeoverRecord) -> None:
    async with deps.uow_factory() as uow:
        record.cursor_after = None
        await uow.takeovers.save(record)
        await uow.commit()


async def _take(uow: UnitOfWork, account: StripeAccount, listed: ListedInvoice, now: datetime) -> str | None:
    """Enrol one listed invoice; return why not, or None when a recovery was opened."""
    invoice = listed.invoice
    managed = await uow.recoveries.for_invoice(account, invoice.id) is not None
    skip = skip_reason(listed, managed_by_recoup=managed)
    if skip is not None:
        return skip.value
    opened = await payment_failed(uow, InvoicePaymentFailed(
        account=account, invoice_id=invoice.id, customer_id=invoice.customer_id,
        subscription_id=invoice.subscription_id, amount_due=invoice.amount_due,
        amount_remaining=invoice.amount_remaining, currency=invoice.currency,
        billing_reason=invoice.billing_reason, collection_method=invoice.collection_method,
        attempt_count=invoice.attempt_count, next_payment_attempt=invoice.next_payment_attempt,
        at=now), now)
    return None if opened == "recovery opened" else Skip.NOT_RECOVERED.value


async def _give_up(deps: JobDeps, run: JobRun, record: TakeoverRecord, why: str) -> Outcome:
    async with deps.uow_factory() as uow:
        current = await uow.takeovers.get(record.id)
        if current is not None and current.status == TakeoverStatus.RUNNING:
            current.status, current.finished_at, current.error = TakeoverStatus.FAILED, deps.clock.now(), why[:1000]
            await uow.takeovers.save(current)
            await uow.commit()
    return Failed(why)


def _at(unix: int) -> datetime:
    return datetime.fromtimestamp(unix, tz=UTC)
