"""One configured StripeClient per mode, each signing with that mode's secret key."""

from __future__ import annotations

import httpx
import stripe

from backend.adapters.stripe.http_client import PacedHTTPXClient, Sleep
from backend.adapters.stripe.rate_limits import AccountRateLimiter
from backend.services.audit_records import StripeWriteSink
from backend.services.ports import StripeRequestRejected


class MissingStripeKey(StripeRequestRejected):
    """The gateway has no secret key for the mode a call needs.

    A refusal rather than an outage: trying again later cannot help until the operator adds the key,
    so jobs that hit it fail at once with this reason instead of retrying for hours.
    """


class ModeClients:
    """The test-mode and live-mode clients; test and live keys never cross."""

    def __init__(self, *, test_key: str | None, live_key: str | None, api_base: str | None,
                 max_network_retries: int, limiter: AccountRateLimiter, sleep: Sleep,
                 timeout: float, http_client: httpx.AsyncClient | None) -> None:
        self._clients: dict[bool, stripe.StripeClient] = {}
        self._transports: list[PacedHTTPXClient] = []
        for livemode, key in ((False, test_key), (True, live_key)):
            if not key:
                continue
            _check_key_matches_mode(key, livemode)
            transport = PacedHTTPXClient(livemode=livemode, limiter=limiter, sleep=sleep,
                                         timeout=timeout, http_client=http_client)
            self._transports.append(transport)
            self._clients[livemode] = stripe.StripeClient(
                key,
                # Pin the version the SDK's types describe, whatever the account's default is.
                stripe_version=stripe.api_version,
                base_addresses={"api": api_base} if api_base else None,
                max_network_retries=max_network_retries,
                http_client=transport,
            )

    def for_mode(self, livemode: bool) -> stripe.StripeClient:
        """Return the client for one mode, or fail loudly when that mode has no key."""
        client = self._clients.get(livemode)
        if client is None:
            mode = "live" if livemode else "test"
            raise MissingStripeKey(f"no Stripe {mode}-mode secret key is configured",
                                   code="missing_secret_key")
        return client

    def report_writes_to(self, sink: StripeWriteSink) -> None:
        """Report every write request either mode's client sends to `sink`."""
        for transport in self._transports:
            transport.writes = sink

    async def aclose(self) -> None:
        """Close the HTTP connections this gateway opened."""
        for transport in self._transports:
            await transport.close_async()


def _check_key_matches_mode(key: str, livemode: bool) -> None:
    # A live key in the test slot would charge real cards for test-mode installs.
    wrong = "_test_" if livemode else "_live_"
    if wrong in key[:9]:
        slot = "live" if livemode else "test"
        raise ValueError(f"the {slot}-mode Stripe key is a {wrong.strip('_')}-mode key")
