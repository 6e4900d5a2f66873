"""How every Stripe call is made: the mode's client, Stripe-Account, the caller's key, 429s."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import Any

import stripe
from stripe import ListObject, RequestOptions, StripeObject

from backend.adapters.stripe.clients import ModeClients
from backend.adapters.stripe.errors import may_retry_rate_limit, translate
from backend.adapters.stripe.fields import Json
from backend.adapters.stripe.http_client import Sleep
from backend.domain.billing import StripeAccount

# A call gets the mode's `client.v1` services and the options every request must carry.
Call = Callable[[stripe.V1Services, RequestOptions], Awaitable[StripeObject]]
# A page call also gets the `starting_after` cursor, None for the first page.
PageCall = Callable[[stripe.V1Services, RequestOptions, str | None], Awaitable[ListObject[Any]]]

# The same back-off stripe-python 16.1 uses between its own retries (HTTPClient.INITIAL_DELAY, MAX_DELAY).
_INITIAL_DELAY = 0.5
_MAX_DELAY = 5.0


class StripeCalls:
    """Send calls for one installed account and turn SDK errors into the port's exceptions."""

    def __init__(self, clients: ModeClients, *, rate_limit_retries: int, sleep: Sleep) -> None:
        self._clients = clients
        self._rate_limit_retries = rate_limit_retries
        self._sleep = sleep

    async def raw(self, account: StripeAccount, call: Call, *,
                  idempotency_key: str | None = None) -> StripeObject:
        """Make the call and return the SDK object; SDK errors other than retried 429s propagate."""
        services = self._clients.for_mode(account.livemode).v1
        options: RequestOptions = {"stripe_account": account.id}
        if idempotency_key is not None:
            # Used as given, on every attempt: Stripe replays the stored result for a repeated
            # key, so a retry can never charge twice.
            options["idempotency_key"] = idempotency_key
        for retry in range(self._rate_limit_retries + 1):
            try:
                return await call(services, options)
            except stripe.RateLimitError as error:
                if retry == self._rate_limit_retries or not may_retry_rate_limit(error):
                    raise
                await self._sleep(_backoff_seconds(retry + 1))
        raise AssertionError("unreachable: the last attempt returns or raises")

    async def fetch(self, account: StripeAccount, call: Call, *,
                    idempotency_key: str | None = None) -> dict[str, Any]:
        """Make the call and return Stripe's JSON object; failures become port exceptions."""
        with translated_errors():
            found = await self.raw(account, call, idempotency_key=idempotency_key)
        return found.to_dict()

    async def pages(self, account: StripeAccount, call: PageCall) -> AsyncIterator[Json]:
        """Yield every object of a list, fetching page after page with `starting_after`.

        Paging by hand rather than with the SDK's auto_paging_iter sends each page through
        the same back-off, pacing and error translation as any other call.
        """
        cursor: str | None = None
        while True:
            page = await self.fetch(account, _page_call(call, cursor))
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


def request_id_of(found: StripeObject) -> str | None:
    """Return the Request-Id of the response an SDK object came from."""
    response = found.last_response
    return response.request_id if response is not None else None


def _page_call(call: PageCall, cursor: str | None) -> Call:
    async def one_page(services: stripe.V1Services, options: RequestOptions) -> StripeObject:
        return await call(services, options, cursor)
    return one_page


def _backoff_seconds(retry: int) -> float:
    # Exponential with jitter in [half, full], never below the initial delay, like the SDK.
    ceiling = min(_INITIAL_DELAY * 2 ** (retry - 1), _MAX_DELAY)
    jittered: float = ceiling * random.uniform(0.5, 1.0)
    return max(_INITIAL_DELAY, jittered)
