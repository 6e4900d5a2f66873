"""See exactly what the gateway put on the wire, whichever Stripe answers it."""

from __future__ import annotations

from urllib.parse import parse_qsl

import httpx


class RecordingTransport(httpx.AsyncBaseTransport):
    """Pass requests to another transport and keep a copy of each one."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self._inner = inner
        self.requests: list[httpx.Request] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        await request.aread()
        self.requests.append(request)
        return await self._inner.handle_async_request(request)


def form(request: httpx.Request) -> dict[str, str]:
    """Decode a form-encoded body into its flat `a[b]=c` fields."""
    return dict(parse_qsl(request.content.decode(), keep_blank_values=True))


def query(request: httpx.Request) -> dict[str, str]:
    """Decode the query string into its flat fields."""
    return dict(parse_qsl(request.url.query.decode(), keep_blank_values=True))


def line(request: httpx.Request) -> tuple[str, str]:
    """Return the method and path of a request."""
    return request.method, request.url.path
