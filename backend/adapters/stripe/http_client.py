"""The HTTP client stripe-python sends through: paced per account, with an injectable httpx client."""

from __future__ import annotations

from collections.abc import AsyncIterable, Awaitable, Callable, Mapping
from typing import Any

import httpx
import stripe

from backend.adapters.stripe.rate_limits import AccountRateLimiter
from backend.adapters.stripe.write_reports import WRITE_METHODS, describe_write
from backend.services.audit_records import StripeWriteSink

Sleep = Callable[[float], Awaitable[None]]


class PacedHTTPXClient(stripe.HTTPXClient):
    """stripe-python's async httpx client that waits for the account's rate limiter before each request.

    Pacing sits at this level so that every request Stripe counts is paced: SDK retries,
    each page of a list, and the extra charge lookup after a decline.
    """

    def __init__(self, *, livemode: bool, limiter: AccountRateLimiter, sleep: Sleep,
                 timeout: float, http_client: httpx.AsyncClient | None = None) -> None:
        super().__init__(timeout=timeout)
        self._livemode = livemode
        self._limiter = limiter
        self._sleep = sleep
        self._owns_client = http_client is None
        # Every write request is reported here (the audit trail), once per request sent: an SDK
        # retry of a write is a second request under the same idempotency key.
        self.writes: StripeWriteSink | None = None
        if http_client is not None:
            # stripe 16.1's HTTPXClient builds its own httpx.AsyncClient and accepts neither a
            # client nor a transport, so the caller's client (respx, an in-process ASGI
            # transport) replaces the one it made, which has not opened any connection yet.
            self._client_async = http_client

    async def request_async(self, method: str, url: str, headers: Mapping[str, str],
                            post_data: Any = None) -> tuple[bytes, int, Mapping[str, str]]:
        await self._pace(headers)
        if self.writes is None or method.upper() not in WRITE_METHODS:
            return await super().request_async(method, url, headers, post_data)
        try:
            body, status, answer_headers = await super().request_async(method, url, headers, post_data)
        except stripe.StripeError as error:  # no answer: a timeout or a dropped connection
            await self.writes.stripe_write(describe_write(
                method=method, url=url, headers=headers, livemode=self._livemode, status=None,
                response_headers=None, body=None, failure=f"{type(error).__name__}: {error}"[:500]))
            raise
        await self.writes.stripe_write(describe_write(
            method=method, url=url, headers=headers, livemode=self._livemode, status=status,
            response_headers=answer_headers, body=body))
        return body, status, answer_headers

    async def request_stream_async(
        self, method: str, url: str, headers: Mapping[str, str], post_data: Any = None,
    ) -> tuple[AsyncIterable[bytes], int, Mapping[str, str]]:
        await self._pace(headers)
        return await super().request_stream_async(method, url, headers, post_data)

    async def sleep_async(self, secs: float) -> None:
        """Wait between the SDK's own retries, with the sleep the gateway was given."""
        await self._sleep(secs)

    async def close_async(self) -> None:
        """Close the httpx client only if this object created it."""
        if self._owns_client:
            await super().close_async()  # type: ignore[no-untyped-call]  # untyped in stripe 16.1

    async def _pace(self, headers: Mapping[str, str]) -> None:
        # Stripe counts limits per account; calls without Stripe-Account count against the platform.
        await self._limiter.acquire(headers.get("Stripe-Account", ""), self._livemode)
