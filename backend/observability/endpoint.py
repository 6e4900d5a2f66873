"""GET /metrics: the process's counters and histograms, plus the job queue read at scrape time."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime

from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import col
from starlette.requests import Request
from starlette.responses import Response

from backend.adapters.db.tables import JobRow
from backend.observability.metrics import Metrics
from backend.services.ports import Clock
from backend.services.records import JobStatus


async def refresh_queue_gauges(metrics: Metrics, engine: AsyncEngine, now: datetime) -> None:
    """Count due, leased, failing and failed jobs in one indexed pass over the open rows."""
    pending = col(JobRow.status) == str(JobStatus.PENDING)
    running = col(JobRow.status) == str(JobStatus.RUNNING)
    query = select(
        func.count().filter(or_(and_(pending, col(JobRow.run_at) <= now),
                                and_(running, col(JobRow.lease_expires_at) < now))),
        func.count().filter(and_(running, col(JobRow.lease_expires_at) >= now)),
        func.count().filter(and_(pending, col(JobRow.last_error).is_not(None))),
        func.count().filter(col(JobRow.status) == str(JobStatus.FAILED)),
    )
    async with engine.connect() as connection:
        due, leased, failing, failed = (await connection.execute(query)).one()
    metrics.jobs_due.set(due)
    metrics.jobs_leased.set(leased)
    metrics.jobs_failing.set(failing)
    metrics.jobs_failed.set(failed)


def metrics_endpoint(metrics: Metrics, engine: AsyncEngine, clock: Clock) -> Callable[[Request], Awaitable[Response]]:
    async def serve_metrics(_request: Request) -> Response:
        await refresh_queue_gauges(metrics, engine, clock.now())
        return Response(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)

    return serve_metrics
