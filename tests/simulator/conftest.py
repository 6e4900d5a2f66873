from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
import stripe

from backend.adapters.clock import ManualClock
from backend.domain.billing import StripeAccount
from backend.simulator import Simulator

WEBHOOK_SECRET = "whsec_test_secret"


@pytest.fixture
def clock() -> ManualClock:
    # Start at the real now so deliveries pass stripe-python's default 300 s signature tolerance.
    return ManualClock(datetime.now(UTC).replace(microsecond=0))


@pytest.fixture
async def sim(clock: ManualClock) -> AsyncIterator[Simulator]:
    simulator = Simulator(clock, seed=7)
    yield simulator
    await simulator.aclose()


@pytest.fixture
def account(sim: Simulator) -> StripeAccount:
    return sim.install_account(livemode=False)


@pytest.fixture
def client(sim: Simulator) -> stripe.StripeClient:
    return sim.stripe_client("sk_test_recoup")


def opts(account: StripeAccount, **extra: str) -> dict[str, str]:
    return {"stripe_account": account.id, **extra}
