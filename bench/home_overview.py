"""Dashboard home: running totals against recomputing the figures from every recovery row.

The baseline is what the home view would cost without `recovery_totals`: read all of the account's
recoveries and add them up. Both are measured on the same database, for two account sizes.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

from backend.adapters.db.unit_of_work import SqlUnitOfWorkFactory
from backend.domain.attribution import Attribution, caused_by_recoup
from backend.domain.billing import StripeAccount
from backend.domain.recovery_state import RecoveryEvent
from backend.services.lifecycle import end_recovery, open_recovery
from backend.services.records import AccountRecord, AccountStatus, RecoveryRecord
from backend.services.reporting import overview
from bench.databases import fresh_database
from bench.options import Options
from bench.table import ratio, render
from bench.timing import BenchFailure, Stopwatch, median_of

START = datetime(2026, 9, 1, 9, tzinfo=UTC)
ACCOUNT = StripeAccount("acct_1BenchHome", False)
READS = 50


async def _seed(uow_factory: SqlUnitOfWorkFactory, recoveries: int) -> None:
    """An account whose history holds `recoveries` recoveries: 60 % ended, the rest in flight."""
    async with uow_factory() as uow:
        await uow.accounts.save(AccountRecord(ACCOUNT.id, False, AccountStatus.INSTALLED, START))
        for n in range(recoveries):
            at = START + timedelta(hours=n)
            record = RecoveryRecord(id=f"rec_{n}", account_id=ACCOUNT.id, livemode=False, invoice_id=f"in_{n}",
                                    customer_id=f"cus_{n}", subscription_id=None, amount=1000 + n % 7,
                                    currency=("usd", "eur")[n % 2], status="scheduled", started_at=at,
                                    deadline=at + timedelta(days=28), next_attempt_at=at + timedelta(days=3))
            await open_recovery(uow, record, at)
            if n % 5 < 3:
                event = RecoveryEvent.PAID if n % 5 < 2 else RecoveryEvent.EXHAUSTED
                await end_recovery(uow, record, event, outcome="bench", now=at + timedelta(days=2), tag=False,
                                   attribution=Attribution.RECOUP_RETRY)
        await uow.commit()


async def _scan(uow_factory: SqlUnitOfWorkFactory) -> tuple[Counter[str], int]:
    """The baseline: every row read and summed, as a home view without running totals must."""
    async with uow_factory() as uow:
        rows = await uow.recoveries.list_for_account(ACCOUNT)
    recovered: Counter[str] = Counter()
    for row in rows:
        if row.status == "recovered" and caused_by_recoup(row.recovered_by):
            recovered[row.currency] += row.amount
    return recovered, sum(1 for row in rows if row.status not in ("recovered", "exhausted", "closed"))


async def _round(kind: str, recoveries: int) -> dict[str, float]:
    async with fresh_database(kind) as database:
        uow_factory = SqlUnitOfWorkFactory(database.main)
        await _seed(uow_factory, recoveries)
        scan, totals = Stopwatch(), Stopwatch()
        for _ in range(READS):
            with scan.measure():
                scanned, scanned_active = await _scan(uow_factory)
            with totals.measure():
                view = await overview(uow_factory, ACCOUNT, START + timedelta(days=60))
        if dict(scanned) != view.recovered or scanned_active != view.active_count:
            raise BenchFailure(f"home totals disagree with the rows: {view.recovered} vs {dict(scanned)}")
        return {"scan": scan.seconds / READS, "totals": totals.seconds / READS}


async def run(options: Options) -> str:
    sizes = [options.size(full=200, quick=20), options.size(full=2000, quick=100)]
    rows: list[list[str]] = []
    for kind in options.databases:
        for size in sizes:
            medians = await median_of(lambda k=kind, s=size: _round(k, s), warm_up=lambda k=kind: _round(k, 10))
            rows.append([kind, f"{size:,}", f"{medians['scan'] * 1000:.1f}", f"{medians['totals'] * 1000:.1f}",
                         ratio(medians["scan"] / medians["totals"])])
    table = render(f"4. Dashboard home: one overview read, {READS} reads per round",
                   ["db", "recoveries", "scan ms (baseline)", "running totals ms", "speed-up"], rows, labels=2)
    skipped = options.skip_line()
    return f"{table}\n{skipped}" if skipped else table
