"""Fixtures: a Stripe world per backend and a gateway wired to it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from backend.adapters.stripe import StripeSdkGateway
from backend.domain.billing import StripeAccount

from .worlds import LIVE_KEY, TEST_KEY, RespxWorld, World

ACCOUNT = StripeAccount(id="acct_1Recoup", livemode=False)


class RecordedSleeps:
    """A sleep that returns at once and remembers how long it was asked to wait."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


@pytest.fixture
def sleeps() -> RecordedSleeps:
    return RecordedSleeps()


@pytest.fixture(params=["respx", "simulator"])
async def world(request: pytest.FixtureRequest) -> AsyncIterator[World]:
    if request.param == "respx":
        canned = RespxWorld(account=ACCOUNT)
        yield canned
        await canned.http_client.aclose()
        return
    from .simulator_world import SimulatorWorld

    simulated = SimulatorWorld()
    yield simulated
    await simulated.aclose()


@pytest.fixture
async def respx_world() -> AsyncIterator[RespxWorld]:
    """Canned responses only, for failures scripted response by response."""
    canned = RespxWorld(account=ACCOUNT)
    yield canned
    await canned.http_client.aclose()


@pytest.fixture
async def gateway(request: pytest.FixtureRequest,
                  sleeps: RecordedSleeps) -> AsyncIterator[StripeSdkGateway]:
    """A gateway wired to whichever world the test uses."""
    used: World = request.getfixturevalue(
        "world" if "world" in request.fixturenames else "respx_world")
    async with StripeSdkGateway(test_key=TEST_KEY, live_key=LIVE_KEY, api_base=used.api_base,
                                http_client=used.http_client, sleep=sleeps) as built:
        yield built
