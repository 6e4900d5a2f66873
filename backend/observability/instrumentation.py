"""The three places Recoup is measured: around HTTP requests, job executions and Stripe calls.

Each wraps something the composition root already holds (the ASGI app, the job handler table,
the gateway), so the code being measured does not know about metrics at all.
"""

from __future__ import annotations

import inspect
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any, cast

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from backend.domain.billing import Declined, Paid
from backend.jobs.outcomes import Outcome
from backend.jobs.runner import JobDeps, JobHandler, JobRun
from backend.observability.log_context import job_context
from backend.observability.metrics import Metrics
from backend.services.outreach_ports import Mailer, OutgoingEmail, SmsCredentials, SmsSender
from backend.services.ports import StripeGateway, StripeRequestRejected, StripeUnavailable

WEBHOOK_PATH = "/webhooks/stripe"
log = logging.getLogger("backend.jobs")


class HttpMetricsMiddleware:
    """Count and time every HTTP request by route template (never by the ids in its path)."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self._app = app
        self._metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def remember_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self._app(scope, receive, remember_status)
        finally:
            elapsed = time.perf_counter() - started
            route = getattr(scope.get("route"), "path", "unmatched")
            self._metrics.http_requests.labels(route, scope["method"], str(status)).inc()
            self._metrics.http_seconds.labels(route).observe(elapsed)
            if scope["path"] == WEBHOOK_PATH:
                self._metrics.webhooks.labels(str(status)).inc()
                self._metrics.webhook_seconds.observe(elapsed)


def instrument_jobs(handlers: Mapping[str, JobHandler], metrics: Metrics) -> dict[str, JobHandler]:
    """Time each job, count how it ended (its outcome, or the error it raised), and tag its log lines
    with its account, recovery and id."""

    def measured(kind: str, handler: JobHandler) -> JobHandler:
        async def run(deps: JobDeps, job_run: JobRun) -> Outcome:
            job = job_run.job
            started = time.perf_counter()
            result = "error"
            try:
                with job_context(account=job.account.id, recovery=job.recovery_id, job=job.id):
                    outcome = await handler(deps, job_run)
                result = _outcome_name(outcome)
            except Exception as error:
                result = type(error).__name__
                with job_context(account=job.account.id, recovery=job.recovery_id, job=job.id):
                    log.warning("job %s (%s, try %s) ended with %s: %s", job.id, kind, job.tries, result, error)
                raise
            finally:
                elapsed = time.perf_counter() - started
                metrics.jobs.labels(kind, result).inc()
                metrics.job_seconds.labels(kind).observe(elapsed)
            with job_context(account=job.account.id, recovery=job.recovery_id, job=job.id):
                log.info("job %s (%s, try %s) %s in %.3f s", job.id, kind, job.tries, result, elapsed)
            return outcome

        return run

    return {kind: measured(kind, handler) for kind, handler in handlers.items()}


def _outcome_name(outcome: Outcome) -> str:
    # Done -> "done", RetryLater -> "retry_later": the label an operator filters on.
    name = type(outcome).__name__
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in name).lstrip("_")


class _MeasuredGateway:
    """The gateway with every call timed and counted by operation and result.

    Coroutine methods are measured per call; async generators (the paginated lists) per listing,
    from the first page to the last.
    """

    def __init__(self, inner: StripeGateway, metrics: Metrics) -> None:
        self._inner = inner
        self._metrics = metrics

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._inner, name)
        if name.startswith("_") or name == "aclose":
            return attribute
        if inspect.isasyncgenfunction(attribute):
            return self._measured_listing(name, attribute)
        if inspect.iscoroutinefunction(attribute):
            return self._measured_call(name, attribute)
        return attribute

    def _measured_call(self, name: str, method: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
        async def call(*args: Any, **kwargs: Any) -> Any:
            with self._measure(name):
                result = await method(*args, **kwargs)
            if isinstance(result, Paid | Declined):
                self._metrics.charges.labels("paid" if isinstance(result, Paid) else "declined").inc()
            return result

        return call

    def _measured_listing(self, name: str,
                          method: Callable[..., AsyncIterator[Any]]) -> Callable[..., AsyncIterator[Any]]:
        async def listing(*args: Any, **kwargs: Any) -> AsyncIterator[Any]:
            with self._measure(name):
                async for item in method(*args, **kwargs):
                    yield item

        return listing

    @contextmanager
    def _measure(self, name: str) -> Iterator[None]:
        started = time.perf_counter()
        status = "ok"
        try:
            yield
        except StripeUnavailable:
            status = "unavailable"
            raise
        except StripeRequestRejected:
            status = "rejected"
            raise
        except Exception:
            status = "error"
            raise
        finally:
            self._metrics.stripe_calls.labels(name, status).inc()
            self._metrics.stripe_seconds.labels(name).observe(time.perf_counter() - started)


def instrument_gateway(gateway: StripeGateway, metrics: Metrics) -> StripeGateway:
    return cast(StripeGateway, _MeasuredGateway(gateway, metrics))


class MeasuredMailer:
    """A Mailer that counts each e-mail it hands on, and each one the server refused."""

    def __init__(self, inner: Mailer, metrics: Metrics) -> None:
        self._inner = inner
        self._metrics = metrics

    async def send(self, email: OutgoingEmail) -> str:
        try:
            provider_id = await self._inner.send(email)
        except Exception:
            self._metrics.messages.labels("email", "failed").inc()
            raise
        self._metrics.messages.labels("email", "sent").inc()
        return provider_id


class MeasuredSms:
    """An SmsSender that counts each text it hands to Twilio, and each refusal."""

    def __init__(self, inner: SmsSender, metrics: Metrics) -> None:
        self._inner = inner
        self._metrics = metrics

    async def send_sms(self, credentials: SmsCredentials, to: str, body: str) -> str:
        try:
            provider_id = await self._inner.send_sms(credentials, to, body)
        except Exception:
            self._metrics.messages.labels("sms", "failed").inc()
            raise
        self._metrics.messages.labels("sms", "sent").inc()
        return provider_id

    async def verify(self, credentials: SmsCredentials) -> None:
        await self._inner.verify(credentials)
