"""Each mode signs with its own key, and each account is paced on its own."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import httpx
import pytest

from backend.adapters.stripe import MissingStripeKey, RateLimits, StripeSdkGateway
from backend.domain.billing import StripeAccount

from . import payloads
from .conftest import RecordedSleeps
from .wire import assert_sent_for
from .worlds import LIVE_KEY, TEST_KEY, RespxWorld

LIVE_ACCOUNT = StripeAccount(id="acct_1Recoup", livemode=True)


async def test_a_live_account_is_called_with_the_live_key(
        respx_world: RespxWorld, gateway: StripeSdkGateway) -> None:
    respx_world.answer("GET", "/v1/customers/cus_1", payloads.customer(livemode=True))

    await gateway.retrieve_customer(LIVE_ACCOUNT, "cus_1")

    [request] = respx_world.requests
    assert_sent_for(request, LIVE_ACCOUNT)


async def test_a_mode_without_a_key_fails_clearly_and_sends_nothing(respx_world: RespxWorld) -> None:
    async with StripeSdkGateway(test_key=TEST_KEY, live_key=None,
                                http_client=respx_world.http_client) as gateway:
        with pytest.raises(MissingStripeKey, match="live-mode"):
            await gateway.retrieve_customer(LIVE_ACCOUNT, "cus_1")

    assert respx_world.requests == []


def test_a_live_key_in_the_test_slot_is_refused() -> None:
    with pytest.raises(ValueError, match="test-mode Stripe key is a live-mode key"):
        StripeSdkGateway(test_key=LIVE_KEY, live_key=None)


async def test_a_configured_api_base_receives_the_calls(respx_world: RespxWorld) -> None:
    seen: list[str] = []
    respx_world.router.route(host="stripe.internal").mock(
        side_effect=_customer_noting(seen, lambda request: str(request.url)))

    async with StripeSdkGateway(test_key=TEST_KEY, live_key=None, api_base="http://stripe.internal:12111",
                                http_client=respx_world.http_client) as gateway:
        await gateway.retrieve_customer(respx_world.account, "cus_1")

    assert seen == ["http://stripe.internal:12111/v1/customers/cus_1"]


async def test_a_busy_account_does_not_slow_down_another(
        respx_world: RespxWorld, sleeps: RecordedSleeps) -> None:
    arrivals: list[str] = []
    respx_world.router.route(method="GET", path="/v1/customers/cus_1").mock(
        side_effect=_customer_noting(arrivals, lambda request: request.headers["Stripe-Account"]))
    busy, quiet = StripeAccount("acct_busy", False), StripeAccount("acct_quiet", False)
    # A bucket of 10 per second: the busy account's first 10 calls pass, the last 2 must wait.
    limits = RateLimits(test_per_second=10)

    async with StripeSdkGateway(test_key=TEST_KEY, live_key=None, rate_limits=limits,
                                http_client=respx_world.http_client, sleep=sleeps) as gateway:
        await asyncio.gather(*[gateway.retrieve_customer(busy, "cus_1") for _ in range(12)],
                             gateway.retrieve_customer(quiet, "cus_1"))

    # The quiet account's call goes out before either of the busy account's paced calls.
    assert arrivals.count("acct_busy") == 12
    assert arrivals.index("acct_quiet") <= 10
    assert arrivals[-2:] == ["acct_busy", "acct_busy"]


async def test_test_and_live_mode_of_one_account_are_paced_apart(
        respx_world: RespxWorld, sleeps: RecordedSleeps) -> None:
    arrivals: list[str] = []
    respx_world.router.route(method="GET", path="/v1/customers/cus_1").mock(
        side_effect=_customer_noting(arrivals, lambda request: request.headers["Authorization"]))
    limits = RateLimits(test_per_second=5, live_per_second=5)

    async with StripeSdkGateway(test_key=TEST_KEY, live_key=LIVE_KEY, rate_limits=limits,
                                http_client=respx_world.http_client, sleep=sleeps) as gateway:
        await asyncio.gather(*[gateway.retrieve_customer(respx_world.account, "cus_1") for _ in range(7)],
                             gateway.retrieve_customer(LIVE_ACCOUNT, "cus_1"))

    assert arrivals.index(f"Bearer {LIVE_KEY}") <= 5
    assert arrivals[-2:] == [f"Bearer {TEST_KEY}"] * 2


def _customer_noting(into: list[str], note: Callable[[httpx.Request], str]
                     ) -> Callable[[httpx.Request], httpx.Response]:
    """Answer with a customer after noting something about each request, in arrival order."""
    def respond(request: httpx.Request) -> httpx.Response:
        into.append(note(request))
        return httpx.Response(200, json=payloads.customer())
    return respond
