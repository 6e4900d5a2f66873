"""The composition root: builds the Starlette app from a Config and the adapters."""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Route

from backend.adapters.clock import SystemClock
from backend.adapters.db.engine import create_engine
from backend.adapters.db.migrations import upgrade_to_head
from backend.adapters.db.unit_of_work import SqlUnitOfWorkFactory
from backend.adapters.sms import TwilioSms
from backend.config import Config
from backend.jobs.registry import JOB_HANDLERS
from backend.jobs.runner import JobDeps, JobRunner
from backend.observability.endpoint import metrics_endpoint
from backend.observability.instrumentation import (
    HttpMetricsMiddleware,
    MeasuredMailer,
    MeasuredSms,
    instrument_gateway,
    instrument_jobs,
)
from backend.observability.metrics import Metrics
from backend.outreach_wiring import build_mailer, build_outreach
from backend.scheduler import build_scheduler
from backend.services.audit_records import ReportsWrites
from backend.services.audit_trail import AuditTrailSink
from backend.services.outreach_ports import Mailer
from backend.services.ports import Clock, StripeGateway
from backend.web import api, health, openapi, pages, sms_api, takeover_api
from backend.web.context import AppContext
from backend.web.cors import DashboardCors
from backend.web.errors import KNOWN_ERRORS, error_response, handle_known_error
from backend.web.webhooks import receive_stripe_event

log = logging.getLogger(__name__)


async def _not_found(_request: Request, _error: Exception) -> JSONResponse:
    return error_response(404, "not_found", "no such route")


async def _method_not_allowed(_request: Request, _error: Exception) -> JSONResponse:
    return error_response(405, "method_not_allowed", "that method is not allowed here")


def worker_name() -> str:
    """A lease owner unique to this process, readable in the job table."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


def create_app(config: Config, *, gateway: StripeGateway, clock: Clock | None = None,
               engine: AsyncEngine | None = None, migrate_on_start: bool = True,
               extra_routes: list[BaseRoute] | None = None, tick_seconds: float | None = None,
               extra_lifespan: Callable[[AppContext], AbstractAsyncContextManager[None]] | None = None,
               signature_clock: Clock | None = None, mailer: Mailer | None = None) -> Starlette:
    """Build the service; nothing connects or starts until the lifespan runs."""
    engine = engine or create_engine(config.database_url)
    clock = clock or SystemClock()
    metrics = Metrics()
    uow_factory = SqlUnitOfWorkFactory(engine)
    if isinstance(gateway, ReportsWrites):
        gateway.report_writes_to(AuditTrailSink(uow_factory, clock))  # every Stripe write is audited
    gateway = instrument_gateway(gateway, metrics)
    context = AppContext(config=config, clock=clock, uow_factory=uow_factory, gateway=gateway,
                         signature_clock=signature_clock or SystemClock())
    outreach = build_outreach(config, MeasuredMailer(mailer or build_mailer(config), metrics),
                              MeasuredSms(TwilioSms(), metrics))  # customer e-mails and texts
    runner = JobRunner(JobDeps(uow_factory, clock, gateway, outreach), instrument_jobs(JOB_HANDLERS, metrics),
                       owner=worker_name(), lease=timedelta(seconds=config.job_lease_seconds),
                       concurrency=config.job_concurrency)

    @contextlib.asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        if migrate_on_start:
            await upgrade_to_head(engine)
        scheduler = build_scheduler(runner, uow_factory, clock, tick_seconds=tick_seconds or config.tick_seconds,
                                    data_retention_days=config.data_retention_days)
        if config.scheduler_enabled:
            scheduler.start()
        log.info("recoup started: %r", config)
        try:
            async with extra_lifespan(context) if extra_lifespan else contextlib.nullcontext():
                yield
        finally:
            if scheduler.running:
                scheduler.shutdown(wait=False)
            await engine.dispose()

    routes: list[BaseRoute] = [
        Route("/webhooks/stripe", receive_stripe_event, methods=["POST"]),
        *api.ROUTES,
        *openapi.ROUTES,
        *sms_api.ROUTES,
        *takeover_api.ROUTES,
        *pages.ROUTES,
        *health.ROUTES,
        Route("/metrics", metrics_endpoint(metrics, engine, clock)),
        *(extra_routes or []),
    ]
    handlers = {error: handle_known_error for error in KNOWN_ERRORS}
    app = Starlette(routes=routes, lifespan=lifespan,
                    middleware=[Middleware(HttpMetricsMiddleware, metrics=metrics), Middleware(DashboardCors)],
                    exception_handlers={**handlers, 404: _not_found, 405: _method_not_allowed})
    app.state.context = context
    app.state.engine = engine
    app.state.runner = runner
    app.state.outreach = outreach
    app.state.metrics = metrics
    return app
