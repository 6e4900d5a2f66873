"""The in-process APScheduler: a short tick that runs due jobs, and the daily scans.

APScheduler holds no state worth keeping: the job table is the source of truth, so a restart
loses nothing and several processes can each run a scheduler against one PostgreSQL database.
"""

from __future__ import annotations

from datetime import UTC

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from backend.jobs.runner import JobRunner
from backend.services.data_deletion import delete_data_after_uninstall
from backend.services.overdue_chase import prune_bookkeeping, queue_daily_work
from backend.services.ports import Clock
from backend.services.unit_of_work import UnitOfWorkFactory


def build_scheduler(runner: JobRunner, uow_factory: UnitOfWorkFactory, clock: Clock, *,
                    tick_seconds: float, data_retention_days: int = 30) -> AsyncIOScheduler:
    scheduler = AsyncIOScheduler(timezone=UTC)
    # One tick at a time per process; a slow tick is skipped, not stacked.
    scheduler.add_job(runner.tick, IntervalTrigger(seconds=tick_seconds), id="tick", max_instances=1,
                      coalesce=True)
    scheduler.add_job(queue_daily_work, CronTrigger(hour=6, minute=0, timezone=UTC), args=[uow_factory, clock],
                      id="daily-overdue-chase", max_instances=1, coalesce=True)
    scheduler.add_job(prune_bookkeeping, CronTrigger(hour=4, minute=30, timezone=UTC),
                      args=[uow_factory, clock], id="daily-housekeeping", max_instances=1, coalesce=True)
    scheduler.add_job(delete_data_after_uninstall, CronTrigger(hour=4, minute=45, timezone=UTC),
                      args=[uow_factory, clock, data_retention_days], id="daily-data-deletion", max_instances=1,
                      coalesce=True)
    return scheduler
