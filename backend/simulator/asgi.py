"""The simulator as an ASGI app: Stripe's /v1 API, the /_sim control API, background time."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from backend.simulator.control import control_routes
from backend.simulator.pipeline import ApiRequest

if TYPE_CHECKING:
    from backend.simulator.simulator import Simulator

log = logging.getLogger("backend.simulator")


def create_app(sim: Simulator, *, background_interval: float | None = None) -> Starlette:
    """Build the app; with `background_interval`, time is processed and webhooks sent continuously."""

    async def api(request: Request) -> Response:
        answer = await sim.pipeline.handle(ApiRequest(
            method=request.method, path=request.url.path,
            headers={k.lower(): v for k, v in request.headers.items()},
            query=request.url.query, body=await request.body()))
        return Response(answer.body, status_code=answer.status, headers=answer.headers)

    async def background() -> None:
        assert background_interval is not None
        while True:
            try:
                await sim.run_until_now()
                await sim.deliver_pending()
            except Exception:  # noqa: BLE001 - one bad step must not stop the simulated world
                log.exception("simulator background step failed")
            await asyncio.sleep(background_interval)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        task = asyncio.create_task(background()) if background_interval else None
        try:
            yield
        finally:
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            await sim.aclose()

    routes = control_routes(sim) + [
        Route("/v1/{path:path}", api, methods=["GET", "POST", "DELETE"]),
    ]
    return Starlette(routes=routes, lifespan=lifespan)
