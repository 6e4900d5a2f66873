"""Failures on demand: injected 429/5xx, added latency, and an enforced per-account request rate."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from backend.simulator.errors import lock_timeout, rate_limited, server_error


@dataclass
class Fault:
    status: int  # 429, 500, 502, 503 or 504
    remaining: int = 1
    account: str | None = None  # None: any account
    path_prefix: str | None = None  # e.g. "/v1/invoices"
    # False: the request fails before touching anything. True: it takes effect (the charge goes
    # through) and then answers the 5xx, which the Idempotency-Key stores.
    after_effect: bool = False

    def matches(self, account: str, method: str, path: str) -> bool:
        return ((self.account is None or self.account == account)
                and (self.path_prefix is None or path.startswith(self.path_prefix))
                and (not self.after_effect or method == "POST"))


# Stripe's published limits (docs: rate-limits): per account, 100 requests/s in live mode and 25
# in a sandbox; each endpoint (a method on a route: GET /v1/invoices/{id} is one endpoint
# whatever the id) 25/s unless documented otherwise. The concurrency limit is not published.
# Stripe's engineering blog ("Scaling your API with rate limiters") describes token buckets.
GLOBAL_PER_SECOND = {False: 25, True: 100}
ENDPOINT_PER_SECOND = 25


class Faults:
    """Consulted by the request pipeline before a request touches any state.

    Injected faults and rate limiting fire before the idempotency layer, as Stripe's limiters
    do, so a retry with the same Idempotency-Key after one of them runs the request afresh.
    Stripe's rate limits are on by default at Stripe's levels.
    """

    def __init__(self, monotonic: Callable[[], float] = time.monotonic) -> None:
        # The rate limit is about real request bursts, so it runs on a monotonic clock, not on
        # simulated time; tests may inject their own.
        self._monotonic = monotonic
        self._faults: list[Fault] = []
        self.latency_seconds = 0.0
        # Delay after the request took effect: the window in which Stripe has charged but the
        # caller has no answer yet (a crash there is what idempotency keys exist for).
        self.response_delay_seconds = 0.0
        self.response_delay_path: str | None = None  # None: every path
        self._global: dict[bool, int | None] = dict(GLOBAL_PER_SECOND)
        self._endpoint: int | None = ENDPOINT_PER_SECOND
        self._limit_overrides: dict[str, int] = {}
        self._buckets: dict[str, tuple[float, float]] = {}  # limiter -> (tokens, refilled at)
        self.concurrency_limit: int | None = None  # requests in flight per account and mode
        self._in_flight: dict[str, int] = {}
        self._locked: set[str] = set()  # objects a write is changing right now

    def inject(self, status: int, count: int = 1, *, account: str | None = None,
               path_prefix: str | None = None, after_effect: bool = False) -> Fault:
        if status not in (429, 500, 502, 503, 504):
            raise ValueError("status must be 429 or a 5xx Stripe returns")
        if after_effect and status == 429:
            raise ValueError("a 429 is decided before the request runs, never after its effect")
        fault = Fault(status, count, account, path_prefix, after_effect)
        self._faults.append(fault)
        return fault

    def set_latency(self, seconds: float) -> None:
        self.latency_seconds = max(0.0, seconds)

    def set_response_delay(self, seconds: float, *, path_prefix: str | None = None) -> None:
        self.response_delay_seconds = max(0.0, seconds)
        self.response_delay_path = path_prefix

    def response_delay(self, path: str) -> float:
        """How long to hold the answer to a request on `path` after it took effect."""
        if self.response_delay_path is not None and not path.startswith(self.response_delay_path):
            return 0.0
        return self.response_delay_seconds

    def set_rate_limit(self, per_second: int | None, *, account: str | None = None) -> None:
        """Allow at most `per_second` requests per account and mode (None lifts the limit)."""
        if account is None:
            self._global = {False: per_second, True: per_second}
        elif per_second is None:
            self._limit_overrides.pop(account, None)
        else:
            self._limit_overrides[account] = per_second

    def set_endpoint_rate_limit(self, per_second: int | None) -> None:
        self._endpoint = per_second

    def clear(self) -> None:
        """Drop injected faults and return to Stripe's own limits."""
        self._faults.clear()
        self.latency_seconds = 0.0
        self.response_delay_seconds = 0.0
        self.response_delay_path = None
        self._global = dict(GLOBAL_PER_SECOND)
        self._endpoint = ENDPOINT_PER_SECOND
        self._limit_overrides.clear()
        self._buckets.clear()
        self.concurrency_limit = None

    def check(self, account: str, livemode: bool, method: str, path: str,
              endpoint: str | None = None) -> None:
        """Raise the error this request should get before it runs, if any."""
        fault = self._take(account, method, path, after_effect=False)
        if fault is not None:
            raise rate_limited() if fault == 429 else server_error(fault)
        bucket = f"{account}:{'live' if livemode else 'test'}"
        now = self._monotonic()
        limit = self._limit_overrides.get(account, self._global[livemode])
        endpoint_bucket = f"{bucket}:{endpoint or method + ' ' + path}"
        if self._over(bucket, limit, now):
            raise rate_limited("global-rate")
        if self._over(endpoint_bucket, self._endpoint, now):
            raise rate_limited("endpoint-rate")
        self._count(bucket, limit, now)
        self._count(endpoint_bucket, self._endpoint, now)

    def after_effect(self, account: str, method: str, path: str) -> int | None:
        """The 5xx status to answer once this request has taken effect, if one is injected."""
        return self._take(account, method, path, after_effect=True)

    def enter(self, account: str, livemode: bool, locks: list[str]) -> None:
        """Admit a request into its run: concurrency limit, then the objects it writes."""
        bucket = f"{account}:{'live' if livemode else 'test'}"
        if self.concurrency_limit is not None and self._in_flight.get(bucket, 0) >= self.concurrency_limit:
            raise rate_limited("global-concurrency")
        taken = [f"{bucket}:{obj}" for obj in locks]
        if any(lock in self._locked for lock in taken):
            raise lock_timeout()
        self._locked.update(taken)
        self._in_flight[bucket] = self._in_flight.get(bucket, 0) + 1

    def leave(self, account: str, livemode: bool, locks: list[str]) -> None:
        bucket = f"{account}:{'live' if livemode else 'test'}"
        self._locked.difference_update(f"{bucket}:{obj}" for obj in locks)
        self._in_flight[bucket] = max(0, self._in_flight.get(bucket, 0) - 1)

    def _take(self, account: str, method: str, path: str, *, after_effect: bool) -> int | None:
        for fault in self._faults:
            if (fault.after_effect == after_effect and fault.remaining > 0
                    and fault.matches(account, method, path)):
                fault.remaining -= 1
                self._faults = [f for f in self._faults if f.remaining > 0]
                return fault.status
        return None

    def _over(self, bucket: str, limit: int | None, now: float) -> bool:
        """A token bucket per limiter: `limit` tokens, refilled at `limit` per second.

        Stripe describes its limiters as token buckets, so a client pacing itself with a leaky
        bucket at a lower rate is never refused, while a burst beyond the limit is.
        """
        if limit is None:
            return False
        level, last = self._buckets.get(bucket, (float(limit), now))
        level = min(float(limit), level + (now - last) * limit)
        self._buckets[bucket] = (level, now)
        return level < 1.0

    def _count(self, bucket: str, limit: int | None, now: float) -> None:
        if limit is not None:
            level, _ = self._buckets[bucket]
            self._buckets[bucket] = (level - 1.0, now)
