"""Signed webhook deliveries with Stripe's retry behaviour, plus the faults tests ask for."""

from __future__ import annotations

import asyncio
import json
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import stripe

from backend.simulator.ids import IdFactory
from backend.simulator.ports import Clock

# Stripe retries live-mode deliveries with exponential back-off for up to three days, and
# sandbox deliveries three times over a few hours.
LIVE_BACKOFF = (60, 300, 1800, 7200, 18000, 36000, 86400, 86400)
TEST_BACKOFF = (300, 1800, 7200)


class WallClock:
    """Real time, which Stripe signs each delivery with (an event's `created` is simulated time)."""

    def now(self) -> datetime:
        return datetime.now(UTC)


@dataclass
class Endpoint:
    url: str
    secret: str
    livemode: bool | None = None  # None: receives events of both modes (a Connect endpoint)

    def wants(self, event: dict[str, Any]) -> bool:
        return self.livemode is None or self.livemode == event["livemode"]


@dataclass
class Delivery:
    id: str
    event_id: str
    endpoint: Endpoint
    livemode: bool
    next_attempt_at: datetime
    status: str = "pending"  # pending | delivered | failed
    attempts: list[dict[str, Any]] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        return {"id": self.id, "event": self.event_id, "url": self.endpoint.url,
                "status": self.status, "next_attempt_at": self.next_attempt_at.isoformat()
                if self.status == "pending" else None, "attempts": list(self.attempts)}


class WebhookDispatcher:
    """Queue one delivery per event and endpoint; `deliver_pending` sends what is due."""

    def __init__(self, clock: Clock, ids: IdFactory, events: dict[str, dict[str, Any]],
                 http_client: httpx.AsyncClient | None = None, signing_clock: Clock | None = None) -> None:
        self._clock = clock
        self._signing_clock = signing_clock or WallClock()
        self._ids = ids
        self._events = events
        self._client = http_client
        self._owns_client = http_client is None
        self.endpoints: list[Endpoint] = []
        self.queue: list[Delivery] = []
        self.held = False
        self._lock = asyncio.Lock()

    def add_endpoint(self, url: str, secret: str, livemode: bool | None = None) -> Endpoint:
        endpoint = Endpoint(url, secret, livemode)
        self.endpoints.append(endpoint)
        return endpoint

    def enqueue(self, event: dict[str, Any]) -> None:
        for endpoint in self.endpoints:
            if endpoint.wants(event):
                self.queue.append(Delivery(self._ids.new("whdel"), event["id"], endpoint,
                                           event["livemode"], self._clock.now()))

    # Faults on demand -------------------------------------------------------------------
    def hold(self) -> None:
        """Stop sending until `release()`: events pile up as they do during an outage."""
        self.held = True

    def release(self) -> None:
        self.held = False

    def duplicate(self, event_id: str) -> None:
        """Deliver an event once more, as Stripe occasionally does."""
        self.enqueue(self._events[event_id])

    def reorder(self, how: str = "reverse", seed: int = 0) -> None:
        """Reverse or shuffle pending deliveries: Stripe does not guarantee order."""
        pending = [d for d in self.queue if d.status == "pending"]
        done = [d for d in self.queue if d.status != "pending"]
        if how == "reverse":
            pending.reverse()
        elif how == "shuffle":
            random.Random(seed).shuffle(pending)
        else:
            raise ValueError("how must be 'reverse' or 'shuffle'")
        now = self._clock.now()
        for delivery in pending:
            delivery.next_attempt_at = min(delivery.next_attempt_at, now)
        self.queue = done + pending

    # Sending ----------------------------------------------------------------------------
    def pending(self) -> list[Delivery]:
        return [d for d in self.queue if d.status == "pending"]

    async def deliver_pending(self) -> int:
        """Send every due delivery in queue order; return how many got a 2xx."""
        if self.held or not self.endpoints:
            return 0
        async with self._lock:
            delivered = 0
            now = self._clock.now()
            for delivery in [d for d in self.queue if d.status == "pending"]:
                if delivery.next_attempt_at <= now:
                    delivered += await self._attempt(delivery)
            return delivered

    async def _attempt(self, delivery: Delivery) -> int:
        event = self._events[delivery.event_id]
        body = json.dumps(event, indent=2)
        now = self._clock.now()
        # Like a test clock: the event happened at simulated time, the delivery is signed at real time.
        header = stripe.WebhookSignature.generate_signature_header(
            body, delivery.endpoint.secret, timestamp=int(self._signing_clock.now().timestamp()))
        outcome: dict[str, Any] = {"at": now.isoformat()}
        try:
            response = await self._http().post(
                delivery.endpoint.url, content=body.encode(),
                headers={"Content-Type": "application/json; charset=utf-8",
                         "Stripe-Signature": header,
                         "User-Agent": "Stripe/1.0 (+https://stripe.com/docs/webhooks)"})
            outcome["status_code"] = response.status_code
            ok = 200 <= response.status_code < 300
        except httpx.HTTPError as error:
            outcome["error"] = type(error).__name__
            ok = False
        delivery.attempts.append(outcome)
        if ok:
            delivery.status = "delivered"
            return 1
        backoff = LIVE_BACKOFF if delivery.livemode else TEST_BACKOFF
        retry = len(delivery.attempts) - 1
        if retry >= len(backoff):
            delivery.status = "failed"
        else:
            delivery.next_attempt_at = now + timedelta(seconds=backoff[retry])
        return 0

    def _http(self) -> httpx.AsyncClient:
        if self._client is None:
            self._client = httpx.AsyncClient(timeout=10.0)
        return self._client

    async def aclose(self) -> None:
        if self._owns_client and self._client is not None:
            await self._client.aclose()
            self._client = None
