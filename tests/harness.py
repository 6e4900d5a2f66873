"""Recoup wired to the in-process Stripe simulator, sharing one manual clock.

Webhooks travel from the simulator to Recoup's real webhook route (signed), Recoup's gateway
talks to the simulator over HTTP, and jobs run through the real job runner: only time is fake.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.applications import Starlette

from backend.adapters.clock import ManualClock
from backend.adapters.db.unit_of_work import SqlUnitOfWorkFactory
from backend.adapters.stripe import StripeSdkGateway
from backend.app import create_app
from backend.config import Config
from backend.demo import LateBoundApp
from backend.domain.billing import StripeAccount
from backend.jobs.runner import JobRunner
from backend.services.account_settings import save_settings
from backend.services.records import AttemptRecord, RecoveryRecord
from backend.simulator.simulator import Simulator
from backend.simulator.transport import BASE_URL

RECOUP_URL = "http://recoup.test"


async def _no_sleep(_seconds: float) -> None:
    return None


class RecordingTransport(httpx.AsyncBaseTransport):
    """Passes requests to the simulator and remembers what Recoup sent."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self._inner = inner
        self.requests: list[httpx.Request] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return await self._inner.handle_async_request(request)


@dataclass
class Stack:
    clock: ManualClock
    wall_clock: ManualClock
    sim: Simulator
    app: Starlette
    uow_factory: SqlUnitOfWorkFactory
    runner: JobRunner
    gateway: StripeSdkGateway
    recorder: RecordingTransport

    def writes(self) -> list[httpx.Request]:
        """Every write Recoup sent to Stripe (POST and DELETE)."""
        return [r for r in self.recorder.requests if r.method in ("POST", "DELETE")]

    async def settle(self, rounds: int = 20) -> None:
        """Let Stripe and Recoup react to each other until nothing more happens at this moment."""
        for _ in range(rounds):
            stripe_steps = await self.sim.run_until_now()
            delivered = await self.sim.deliver_pending()
            ran = await self.runner.drain()
            if not (stripe_steps or delivered or ran):
                return

    async def advance(self, delta: timedelta, step: timedelta = timedelta(hours=1)) -> None:
        """Move time forward in steps, letting everything due happen on the way."""
        end = self.clock.now() + delta
        while self.clock.now() < end:
            self.clock.advance(min(step, end - self.clock.now()))
            await self.settle()

    async def install(self, settings: dict[str, Any] | None = None, *, smart_retries: bool = False,
                      livemode: bool = False) -> StripeAccount:
        account = self.sim.install_account(livemode=livemode, smart_retries=smart_retries)
        await self.settle()
        await save_settings(self.uow_factory, self.clock, account, {"enabled": True, **(settings or {})})
        return account

    async def recovery(self, account: StripeAccount, invoice_id: str) -> RecoveryRecord | None:
        async with self.uow_factory() as uow:
            return await uow.recoveries.for_invoice(account, invoice_id)

    async def attempts(self, recovery_id: str) -> list[AttemptRecord]:
        async with self.uow_factory() as uow:
            return await uow.attempts.for_recovery(recovery_id)

    def charges(self, account: StripeAccount, customer: str) -> list[dict[str, Any]]:
        return self.sim.charges(account, customer=customer)

    def invoice(self, account: StripeAccount, invoice_id: str) -> dict[str, Any]:
        return self.sim.object(account, invoice_id)


@asynccontextmanager
async def recoup_with_simulator(
        engine: AsyncEngine, config: Config, start: datetime,
        wrap_stripe: Callable[[httpx.AsyncBaseTransport, ManualClock, Simulator], httpx.AsyncBaseTransport]
        | None = None) -> AsyncIterator[Stack]:
    """Recoup and the simulator on one manual clock; `wrap_stripe` may put faults between them."""
    clock = ManualClock(start)
    # Real time as far as signatures go: it stays put while simulated days pass, as a wall clock
    # does while a Stripe test clock advances.
    wall_clock = ManualClock(start)
    late = LateBoundApp()
    deliveries = httpx.AsyncClient(transport=httpx.ASGITransport(app=late), base_url=RECOUP_URL)
    # Deliveries come unordered and now and then twice, as Stripe sends them.
    sim = Simulator(clock, webhook_url=f"{RECOUP_URL}/webhooks/stripe",
                    webhook_secret=config.webhook_secrets[0], http_client=deliveries,
                    webhook_stamp=lambda: int(wall_clock.now().timestamp()))
    inner = sim.transport()
    recorder = RecordingTransport(wrap_stripe(inner, clock, sim) if wrap_stripe else inner)
    gateway = StripeSdkGateway(test_key="sk_test_recoup", live_key="sk_live_recoup", api_base=BASE_URL,
                               http_client=httpx.AsyncClient(transport=recorder), sleep=_no_sleep)
    app = create_app(config, gateway=gateway, clock=clock, engine=engine, migrate_on_start=False,
                     signature_clock=wall_clock)
    late.app = app
    async with app.router.lifespan_context(app):
        yield Stack(clock, wall_clock, sim, app, app.state.context.uow_factory, app.state.runner, gateway, recorder)
    await deliveries.aclose()
    await gateway.aclose()
    await sim.aclose()

