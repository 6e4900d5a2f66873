"""In-process mounts: an httpx transport, and a stripe-python client wired to it."""

from __future__ import annotations

import functools
import types
from typing import TYPE_CHECKING, Any

import httpx
import stripe

from backend.simulator.pipeline import ApiRequest

if TYPE_CHECKING:
    from backend.simulator.simulator import Simulator

BASE_URL = "http://sim.local"


class SimulatorTransport(httpx.AsyncBaseTransport):
    """Answer httpx requests from the simulator directly: no sockets, no server."""

    def __init__(self, sim: Simulator) -> None:
        self._sim = sim
        self._control: httpx.ASGITransport | None = None

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path.startswith("/_sim/"):
            if self._control is None:
                self._control = httpx.ASGITransport(self._sim.asgi_app())
            return await self._control.handle_async_request(request)
        body = await request.aread()
        answer = await self._sim.pipeline.handle(ApiRequest(
            method=request.method, path=request.url.path,
            headers={k.lower(): v for k, v in request.headers.items()},
            query=request.url.query.decode(), body=body))
        return httpx.Response(answer.status, headers=answer.headers, content=answer.body)


def stripe_http_client(sim: Simulator) -> stripe.HTTPXClient:
    """A stripe-python HTTPXClient whose httpx.AsyncClient uses the simulator's transport.

    stripe 16.1's HTTPXClient has no transport argument; it builds its clients from the
    module passed as `_lib` (its own hook for tests), so we hand it httpx with the transport
    pre-bound. Only async calls are served, like the default HTTPXClient.
    """
    transport = SimulatorTransport(sim)
    lib = types.SimpleNamespace(
        AsyncClient=functools.partial(httpx.AsyncClient, transport=transport),
        Client=httpx.Client)
    return stripe.HTTPXClient(_lib=lib)


def stripe_client(sim: Simulator, api_key: str = "sk_test_simulator", **kwargs: Any) -> stripe.StripeClient:
    """A StripeClient for the pinned API version pointed at the in-process simulator."""
    kwargs.setdefault("http_client", stripe_http_client(sim))
    kwargs.setdefault("base_addresses", {"api": BASE_URL})
    return stripe.StripeClient(api_key, **kwargs)
