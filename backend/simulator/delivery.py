"""Signed webhook deliveries as Stripe sends them: unordered, now and then twice, retried on failure."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from backend.simulator.ids import IdFactory
from backend.simulator.ports import Clock

# Stripe retries live-mode deliveries with exponential back-off for up to three days, and
# sandbox deliveries three times over a few hours.
LIVE_BACKOFF = (60, 300, 1800, 7200, 18000, 36000, 86400, 86400)
TEST_BACKOFF = (300, 1800, 7200)

# Stripe documents that an endpoint "might occasionally receive the same event more than once";
# it publishes no rate. One delivery in fifty keeps duplicates in every sizeable test run.
DEFAULT_DUPLICATE_RATE = 0.02
# A duplicate arrives a little after the original (the window is the simulator's choice).
DUPLICATE_DELAY_SECONDS = (1, 120)

# When a roll of the signing secret lets the old one live on, Stripe signs with both meanwhile.
DEFAULT_ROLL_OVERLAP = timedelta(hours=24)


class WallClock:
    """Real time, which Stripe signs each delivery with (an event's `created` is simulated time)."""

    def now(self) -> datetime:
        return datetime.now(UTC)


@dataclass
class Endpoint:
    url: str
    secret: str
    livemode: bool | None = None  # None: receives events of both modes (a Connect endpoint)
    retiring: list[tuple[str, datetime]] = field(default_factory=list)  # (old secret, expires at)

    def wants(self, event: dict[str, Any]) -> bool:
        return self.livemode is None or self.livemode == event["livemode"]

    def secrets(self, now: datetime) -> list[str]:
        """The current secret first, then any rolled-over secret that has not expired yet."""
        return [self.secret] + [old for old, until in self.retiring if now < until]


@dataclass
class Delivery:
    id: str
    event_id: str
    endpoint: Endpoint
    livemode: bool
    next_attempt_at: datetime
    status: str = "pending"  # pending | delivered | failed
    attempts: list[dict[str, Any]] = field(default_factory=list)
    duplicate: bool = False  # an extra copy: it does not count in pending_webhooks

    def summary(self) -> dict[str, Any]:
        return {"id": self.id, "event": self.event_id, "url": self.endpoint.url,
                "status": self.status, "duplicate": self.duplicate,
                "next_attempt_at": self.next_attempt_at.isoformat()
                if self.status == "pending" else None, "attempts": list(self.attempts)}


def signature_header(payload: str, secrets: list[str], timestamp: int) -> str:
    """`t=…,v1=…[,v1=…]`: one v1 entry per signing secret, as Stripe sends during a roll."""
    signed = f"{timestamp}.{payload}".encode()
    entries = [hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest() for secret in secrets]
    return ",".join([f"t={timestamp}"] + [f"v1={sig}" for sig in entries])


class WebhookDispatcher:
    """Queue one delivery per event and endpoint; `deliver_pending` sends what is due.

    The Stripe-Signature timestamp comes from `stamp` (seconds since the epoch), one small
    injectable piece: by default the wall clock, because Stripe signs each delivery at the real
    time it is sent while the event's `created` stays simulated time, like a test clock's.
    """

    def __init__(self, clock: Clock, ids: IdFactory, events: dict[str, dict[str, Any]],
                 http_client: httpx.AsyncClient | None = None, *,
                 stamp: Callable[[], int] | None = None, ordered: bool = False,
                 duplicate_rate: float = DEFAULT_DUPLICATE_RATE, seed: int = 0) -> None:
        self._clock = clock
        self._ids = ids
        self._events = events
        self._client = http_client
        self._owns_client = http_client is None
        self._stamp = stamp or (lambda: int(WallClock().now().timestamp()))
        self.endpoints: list[Endpoint] = []
        self.queue: list[Delivery] = []
        self.held = False
        self.ordered = ordered
        self.duplicate_rate = duplicate_rate
        self._rng = random.Random(seed)
        # Called with (event, now) once every endpoint has answered an event with a 2xx.
        self.on_delivered: list[Callable[[dict[str, Any], datetime], None]] = []
        self._lock = asyncio.Lock()

    def add_endpoint(self, url: str, secret: str, livemode: bool | None = None) -> Endpoint:
        endpoint = Endpoint(url, secret, livemode)
        self.endpoints.append(endpoint)
        return endpoint

    def roll_secret(self, url: str, new_secret: str, *,
                    overlap: timedelta = DEFAULT_ROLL_OVERLAP) -> None:
        """Roll an endpoint's signing secret; the old one keeps signing for `overlap`."""
        for endpoint in self.endpoints:
            if endpoint.url == url:
                if overlap > timedelta(0):
                    endpoint.retiring.append((endpoint.secret, self._clock.now() + overlap))
                endpoint.secret = new_secret
                return
        raise KeyError(url)

    def enqueue(self, event: dict[str, Any]) -> None:
        wanting = [endpoint for endpoint in self.endpoints if endpoint.wants(event)]
        event["pending_webhooks"] = len(wanting)
        for endpoint in wanting:
            self.queue.append(Delivery(self._ids.new("whdel"), event["id"], endpoint,
                                       event["livemode"], self._clock.now()))

    # Faults on demand -------------------------------------------------------------------
    def hold(self) -> None:
        """Stop sending until `release()`: events pile up as they do during an outage."""
        self.held = True

    def release(self) -> None:
        self.held = False

    def duplicate(self, event_id: str, delay: timedelta = timedelta(0)) -> None:
        """Deliver an event once more, as Stripe occasionally does."""
        event = self._events[event_id]
        for endpoint in self.endpoints:
            if endpoint.wants(event):
                self.queue.append(Delivery(self._ids.new("whdel"), event_id, endpoint,
                                           event["livemode"], self._clock.now() + delay,
                                           duplicate=True))

    def reorder(self, how: str = "reverse", seed: int = 0) -> None:
        """Reverse or shuffle pending deliveries, then send them in exactly that order."""
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
        self.ordered = True  # the test arranged the order itself

    # Sending ----------------------------------------------------------------------------
    def pending(self) -> list[Delivery]:
        return [d for d in self.queue if d.status == "pending"]

    def next_due_at(self) -> datetime | None:
        """When the next delivery attempt is due (None while held or with nothing to send)."""
        if self.held or not self.endpoints:
            return None
        return min((d.next_attempt_at for d in self.queue if d.status == "pending"), default=None)

    async def deliver_pending(self) -> int:
        """Send every due delivery (unordered unless asked); return how many got a 2xx."""
        if self.held or not self.endpoints:
            return 0
        async with self._lock:
            delivered = 0
            now = self._clock.now()
            due = [d for d in self.queue if d.status == "pending" and d.next_attempt_at <= now]
            if not self.ordered:
                self._rng.shuffle(due)
            for delivery in due:
                delivered += await self._attempt(delivery)
            return delivered

    async def _attempt(self, delivery: Delivery) -> int:
        event = self._events[delivery.event_id]
        body = json.dumps(event)  # unindented, like the simulator's API answers (pipeline._dump)
        now = self._clock.now()
        header = signature_header(body, delivery.endpoint.secrets(now), self._stamp())
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
            self._succeeded(delivery, event, now)
            return 1
        backoff = LIVE_BACKOFF if delivery.livemode else TEST_BACKOFF
        retry = len(delivery.attempts) - 1
        if retry >= len(backoff):
            delivery.status = "failed"
        else:
            delivery.next_attempt_at = now + timedelta(seconds=backoff[retry])
        return 0

    def _succeeded(self, delivery: Delivery, event: dict[str, Any], now: datetime) -> None:
        delivery.status = "delivered"
        if delivery.duplicate:
            return
        if self._rng.random() < self.duplicate_rate:
            later = now + timedelta(seconds=self._rng.uniform(*DUPLICATE_DELAY_SECONDS))
            self.queue.append(Delivery(self._ids.new("whdel"), event["id"], delivery.endpoint,
                                       delivery.livemode, later, duplicate=True))
        event["pending_webhooks"] = max(0, int(event["pending_webhooks"]) - 1)
        if event["pending_webhooks"] == 0:
            for hook in self.on_delivered:
                hook(event, now)

    def _http(self) -> httpx.AsyncClient:
        if self._client is None:
            self._client = httpx.AsyncClient(timeout=10.0)
        return self._client

    async def aclose(self) -> None:
        if self._owns_client and self._client is not None:
            await self._client.aclose()
            self._client = None
