"""`make run` with no Stripe keys: Recoup against the built-in simulator on an accelerated clock.

This module is the only production-side importer of the simulator, and only the CLI imports
it, only when no Stripe key is configured.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import httpx
from starlette.applications import Starlette

from backend.adapters.clock import AcceleratedClock, SystemClock
from backend.adapters.stripe import StripeSdkGateway
from backend.app import create_app
from backend.config import Config
from backend.demo_console import console_routes
from backend.domain.billing import StripeAccount
from backend.services.account_settings import save_settings
from backend.services.outreach_links import OutreachLinks
from backend.services.overdue_chase import queue_daily_work
from backend.simulator.control import control_routes
from backend.simulator.hosted_checkout import CheckoutRedirects, hosted_checkout_routes
from backend.simulator.scenarios import build_scenario
from backend.simulator.simulator import Simulator
from backend.simulator.transport import BASE_URL
from backend.web.context import AppContext

log = logging.getLogger("backend.demo")
SECONDS_PER_DAY = 86_400
DEMO_CUSTOMERS = 12
DEMO_SEED = 7
SIMULATOR_STEP_SECONDS = 0.5
TICK_SECONDS = 1.0


class LateBoundApp:
    """The simulator delivers webhooks to Recoup's own ASGI app, which exists only afterwards."""

    app: Starlette | None = None

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        assert self.app is not None
        await self.app(scope, receive, send)


def build_demo(config: Config) -> Starlette:
    clock = AcceleratedClock(SystemClock().now(), factor=SECONDS_PER_DAY / config.demo_day_seconds)
    late = LateBoundApp()
    deliveries = httpx.AsyncClient(transport=httpx.ASGITransport(app=late), base_url=config.public_base_url)
    # Fresh ids on every start: the simulated Stripe forgets everything when the process ends, while
    # the database keeps the last run's recoveries as history under their own account.
    sim = Simulator(clock, webhook_url=f"{config.public_base_url}/webhooks/stripe",
                    webhook_secret=config.webhook_secrets[0], http_client=deliveries,
                    seed=secrets.randbits(32))
    gateway = StripeSdkGateway(test_key="sk_test_demo", live_key="sk_live_demo", api_base=BASE_URL,
                               http_client=httpx.AsyncClient(transport=sim.transport()))

    seeded: list[StripeAccount] = []

    @contextlib.asynccontextmanager
    async def world(context: AppContext) -> AsyncIterator[None]:
        account = await _seed(sim, context)
        seeded.append(account)
        app.state.demo_account = account
        link = app.state.demo_card_update_link = await _card_update_link(app, context, account)
        task = asyncio.create_task(_run_stripe(sim, announce=lambda: _announce(config, account, link)))
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            await gateway.aclose()
            await deliveries.aclose()
            await sim.aclose()

    checkout = hosted_checkout_routes(sim, lambda: seeded[0])
    routes = [*control_routes(sim), *console_routes(sim, lambda: seeded[0] if seeded else None), *checkout]
    app = create_app(config, gateway=gateway, clock=clock, extra_routes=routes,
                     tick_seconds=TICK_SECONDS, extra_lifespan=world)
    app.add_middleware(CheckoutRedirects)  # the customer's Checkout is the simulator's page
    late.app = app
    return app


async def _seed(sim: Simulator, context: AppContext) -> StripeAccount:
    """One merchant with a dozen subscribers whose renewals failed for the usual reasons."""
    scenario = build_scenario(sim, customers=DEMO_CUSTOMERS, seed=DEMO_SEED, smart_retries=True)
    account = StripeAccount(scenario["accounts"][0], False)
    await sim.deliver_pending()  # the install reaches Recoup; the failures arrive while it is still off
    await save_settings(context.uow_factory, context.clock, account,
                        {"enabled": True, "daily_overdue_chase": True, "brand_name": "Demo Coffee Club"})
    # The overdue chase finds the invoices that failed before recovery was switched on.
    await queue_daily_work(context.uow_factory, context.clock)
    return account


async def _run_stripe(sim: Simulator, announce: Callable[[], None]) -> None:
    # The banner waits for the first step, so it comes after the server's own start-up lines.
    await asyncio.sleep(SIMULATOR_STEP_SECONDS)
    announce()
    while True:
        try:
            await sim.run_until_now()
            await sim.deliver_pending()
        except Exception:  # noqa: BLE001 - one bad step must not stop the demo
            log.exception("simulated Stripe step failed")
        await asyncio.sleep(SIMULATOR_STEP_SECONDS)


async def _card_update_link(app: Starlette, context: AppContext, account: StripeAccount) -> str | None:
    """One card-update link to try: the seeded failures are assessed first, then one is picked."""
    await app.state.runner.drain()
    async with context.uow_factory() as uow:
        recoveries = await uow.recoveries.open_for_account(account)
    if not recoveries:
        return None
    links: OutreachLinks = app.state.outreach.links
    return links.card_update_url(recoveries[0].id, recoveries[0].deadline)


def _announce(config: Config, account: StripeAccount, link: str | None) -> None:
    for line in banner_lines(config, account, link):
        log.warning(line)


def banner_lines(config: Config, account: StripeAccount, card_update_link: str | None = None) -> list[str]:
    """What `make run` tells a newcomer once the demo is up; every address in it answers."""
    base = config.public_base_url
    return [
        "=" * 78,
        "DEMO MODE: no STRIPE_SECRET_KEY is set, so Recoup runs against its built-in Stripe simulator.",
        f"Simulated time runs one day every {config.demo_day_seconds:g} s; a month of dunning takes minutes.",
        f"Demo account: {account.id} (test mode), recovery switched on, {DEMO_CUSTOMERS} subscribers.",
        f"Watch the recoveries (and move the clock): {base}/",
        f"What simulated Stripe sent Recoup:        {base}/_sim/events?account={account.id}",
        f"The Dashboard API's shapes:               {base}/api/v1/openapi.json",
        f"Call the Dashboard API, signed for you:   python -m backend api GET /api/v1/overview --account {account.id}",
        f"Customer e-mails: .eml files in {Path(config.outbox_dir).resolve()} (open them in any mail client).",
        f"Try a card-update page: {card_update_link}" if card_update_link
        else "No open recovery yet to show a card-update page for.",
        "=" * 78,
    ]
