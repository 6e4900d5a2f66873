"""How every Stripe call is made: the mode's client, Stripe-Account, the caller's key, 429s, JSON back."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator, Iterator, Mapping
from contextlib import contextmanager
from typing import Any, cast

import stripe
from stripe import StripeResponse

from backend.adapters.stripe.clients import ModeClients
from backend.adapters.stripe.endpoints import Endpoint
from backend.adapters.stripe.errors import may_retry_rate_limit, translate
from backend.adapters.stripe.fields import Json
from backend.adapters.stripe.http_client import Sleep
from backend.domain.billing import StripeAccount

# The same back-off stripe-python 16.1 uses between its own retries (HTTPClient.INITIAL_DELAY, MAX_DELAY).
_INITIAL_DELAY = 0.5
_MAX_DELAY = 5.0


class StripeCalls:
    """Send calls for one installed account and turn SDK errors into the port's exceptions."""

    def __init__(self, clients: ModeClients, *, rate_limit_retries: int, sleep: Sleep) -> None:
        self._clients = clients
        self._rate_limit_retries = rate_limit_retries
        self._sleep = sleep

    async def raw(self, account: StripeAccount, endpoint: Endpoint, *ids: str, query: Mapping[str, Any] | None = None,
                  idempotency_key: str | None = None) -> StripeResponse:
        """Send the request and return Stripe's answer; SDK errors other than retried 429s propagate."""
        client = self._clients.for_mode(account.livemode)
        options: dict[str, Any] = {"stripe_account": account.id}
        if idempotency_key is not None:
            # Used as given, on every attempt: Stripe replays the stored result for a repeated
            # key, so a retry can never charge twice.
            options["idempotency_key"] = idempotency_key
        for retry in range(self._rate_limit_retries + 1):
            try:
                answer = await client.raw_request_async(endpoint.http_method, endpoint.url(*ids),
                                                        **(query or {}), **options)
                return cast(StripeResponse, answer)  # a JSON answer, never a stream
            except stripe.RateLimitError as error:
                if retry == self._rate_limit_retries or not may_retry_rate_limit(error):
                    raise
                await self._sleep(_backoff_seconds(retry + 1))
        raise AssertionError("unreachable: the last attempt returns or raises")

    async def fetch(self, account: StripeAccount, endpoint: Endpoint, *ids: str,
                    query: Mapping[str, Any] | None = None, idempotency_key: str | None = None) -> Json:
        """Send the request and return Stripe's JSON object; failures become port exceptions."""
        with translated_errors():
            answer = await self.raw(account, endpoint, *ids, query=query, idempotency_key=idempotency_key)
        return json_of(answer)

    async def pages(self, account: StripeAccount, endpoint: Endpoint, *ids: str,
                    query: Mapping[str, Any]) -> AsyncIterator[Json]:
        """Yield every object of a list, fetching page after page with `starting_after`.

        Paging by hand rather than with the SDK's auto_paging_iter sends each page through
        the same back-off, pacing and error translation as any other call.
        """
        cursor: str | None = None
        while True:
            page = await self.fetch(account, endpoint, *ids, query=after(query, cursor))
            data: list[Json] = page.get("data") or []
            for item in data:
                yield item
            if not page.get("has_more") or not data:
                return
            cursor = data[-1]["id"]


@contextmanager
def translated_errors() -> Iterator[None]:
    """Re-raise any stripe-python error as StripeUnavailable or StripeRequestRejected."""
    try:
        yield
    except stripe.StripeError as error:
        raise translate(error) from error


def json_of(answer: StripeResponse) -> Json:
    """Stripe's answer as parsed from its body (the SDK types `data` as a bare object)."""
    return cast(Json, answer.data)


def after(query: Mapping[str, Any], cursor: str | None) -> dict[str, Any]:
    """Return list parameters that continue after `cursor`."""
    continued = dict(query)
    if cursor is not None:
        continued["starting_after"] = cursor
    return continued


def _backoff_seconds(retry: int) -> float:
    # Exponential with jitter in [half, full], never below the initial delay, like the SDK.
    ceiling = min(_INITIAL_DELAY * 2 ** (retry - 1), _MAX_DELAY)
    jittered: float = ceiling * random.uniform(0.5, 1.0)
    return max(_INITIAL_DELAY, jittered)
