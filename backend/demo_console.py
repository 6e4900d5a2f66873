"""The demo console at `/` (demo mode only): the account's totals, every recovery's story, and the clock.

Server-rendered with Jinja2 so a newcomer sees a recovery happen without a Stripe account or the
Dashboard. It moves the simulated clock, so it lives beside the demo, never in the web edge.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from backend.domain.billing import StripeAccount
from backend.services.money_format import money
from backend.services.recovery_listing import PAGE_SIZE, RecoveryFilter, list_recoveries
from backend.services.reporting import overview, recovery_story
from backend.simulator.simulator import Simulator
from backend.web.context import context_of
from backend.web.presenters import iso

_TEMPLATES = Environment(loader=FileSystemLoader(Path(__file__).parent / "templates"),
                         autoescape=select_autoescape(["html"]))
_STEPS = {"day": timedelta(days=1), "week": timedelta(weeks=1)}


def console_routes(sim: Simulator, account: Callable[[], StripeAccount | None]) -> list[BaseRoute]:
    """Routes of the console for the demo's one account (known once the demo has seeded it)."""

    async def page(request: Request) -> Response:
        current = account()
        if current is None:
            return HTMLResponse("The demo is still starting; reload in a moment.", status_code=503)
        context = context_of(request)
        now = context.clock.now()
        view = await overview(context.uow_factory, current, now)
        found = await list_recoveries(context.uow_factory, current, RecoveryFilter(), 1)
        stories = [await recovery_story(context.uow_factory, current, r.invoice_id) for r in found.recoveries]
        html = _TEMPLATES.get_template("console.html").render(
            account=current.id, now=iso(now), page_size=PAGE_SIZE, money=money,
            recovered=[money(a, c) for c, a in sorted(view.recovered.items())],
            in_flight=[money(a, c) for c, a in sorted(view.in_flight.items())],
            rate=view.recovery_rate, active=view.active_count,
            recoveries=[_story(s) for s in stories if s is not None])
        return HTMLResponse(html)

    async def advance(request: Request) -> Response:
        # The step travels in the query string: the form has no fields, so no form parser is needed.
        step = _STEPS.get(request.query_params.get("by", ""))
        if step is None:
            return HTMLResponse("advance by day or week", status_code=400)
        sim.clock.advance(step)  # type: ignore[attr-defined]
        await sim.run_until_now()
        await sim.deliver_pending()
        await request.app.state.runner.drain()
        return RedirectResponse("/", status_code=303)

    return [Route("/", page, methods=["GET"]), Route("/console/advance", advance, methods=["POST"])]


def _story(story: Any) -> dict[str, Any]:
    recovery = story.recovery
    return {"recovery": recovery, "amount": money(recovery.amount, recovery.currency),
            "attempts": story.attempts, "at": iso}
