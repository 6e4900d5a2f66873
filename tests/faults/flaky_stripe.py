"""Stripe as it is on a bad day: a share of calls answered 429/5xx or timing out, and outages."""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

import httpx

from backend.adapters.clock import ManualClock
from backend.simulator.simulator import Simulator


@dataclass
class Outage:
    start: datetime
    end: datetime

    def covers(self, moment: datetime) -> bool:
        return self.start <= moment < self.end


@dataclass
class FlakyStripe(httpx.AsyncBaseTransport):
    """Between Recoup and the simulator: `share` of the calls go wrong, one way or another.

    429 and 5xx answers come from the simulator itself (its own error bodies, before the request
    takes effect, as Stripe's limiters and front ends answer); a timeout either never reaches
    Stripe or, worse, is lost after Stripe acted on it: only the Idempotency-Key saves a charge
    from happening twice then. During an outage nothing reaches Stripe at all.
    """

    inner: httpx.AsyncBaseTransport
    clock: ManualClock
    sim: Simulator
    share: float
    seed: int = 0
    outages: list[Outage] = field(default_factory=list)
    seen: Counter[str] = field(default_factory=Counter)

    def __post_init__(self) -> None:
        self._chance = random.Random(self.seed)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if any(outage.covers(self.clock.now()) for outage in self.outages):
            self.seen["outage"] += 1
            raise httpx.ConnectError("Stripe is unreachable (simulated outage)", request=request)
        if self._chance.random() >= self.share:
            self.seen["ok"] += 1
            return await self.inner.handle_async_request(request)
        fault = self._chance.choice(("429", "500", "503", "timeout_before", "timeout_after"))
        self.seen[fault] += 1
        if fault == "timeout_before":
            raise httpx.ConnectTimeout("timed out connecting to Stripe (simulated)", request=request)
        if fault == "timeout_after":
            await self.inner.handle_async_request(request)  # Stripe acted; the answer is lost
            raise httpx.ReadTimeout("timed out waiting for Stripe's answer (simulated)", request=request)
        account = request.headers.get("stripe-account")
        self.sim.faults.inject(int(fault), account=account, path_prefix=request.url.path)
        return await self.inner.handle_async_request(request)
