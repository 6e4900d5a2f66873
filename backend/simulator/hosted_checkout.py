"""Stripe's hosted Checkout page, played by the simulator for the no-keys demo.

A real setup-mode session lives at checkout.stripe.com, which the demo cannot reach; the demo sends
the customer here instead, where one button saves a (succeeding) card and returns to success_url.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from backend.domain.billing import StripeAccount
from backend.simulator.behaviours import Succeeds
from backend.simulator.simulator import Simulator

STRIPE_CHECKOUT_PREFIX = "https://checkout.stripe.com/c/pay/"
PAGE_PATH = "/_sim/checkout/"


def hosted_checkout_routes(sim: Simulator, account_of_demo: Callable[[], StripeAccount]) -> list[Route]:
    async def page(request: Request) -> Response:
        session = sim.object(account_of_demo(), str(request.path_params["session"]))
        return HTMLResponse(
            "<!doctype html><title>Checkout (simulated)</title><h1>Stripe Checkout (simulated)</h1>"
            f"<p>Save a new card for {html.escape(str(session['customer']))}.</p>"
            f"<form method='post'><button>Save card</button></form>")

    async def complete(request: Request) -> Response:
        session_id = str(request.path_params["session"])
        account = account_of_demo()
        sim.complete_checkout_session(account, session_id, Succeeds(), brand="mastercard")
        success = str(sim.object(account, session_id)["success_url"])
        return RedirectResponse(success.replace("{CHECKOUT_SESSION_ID}", session_id), 303)

    return [Route(PAGE_PATH + "{session}", page, methods=["GET"]),
            Route(PAGE_PATH + "{session}", complete, methods=["POST"])]


class CheckoutRedirects:
    """ASGI middleware: send redirects to Stripe's Checkout to the simulated page instead."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        async def rewrite(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [
                    (name, value.replace(STRIPE_CHECKOUT_PREFIX.encode(), PAGE_PATH.encode())
                     if name.lower() == b"location" else value)
                    for name, value in message.get("headers", [])]
            await send(message)

        await self.app(scope, receive, rewrite if scope["type"] == "http" else send)
