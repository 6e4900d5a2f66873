"""Failures on demand: injected 429/5xx, added latency, and an enforced per-account request rate."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from backend.simulator.errors import rate_limited, server_error


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


class Faults:
    """Consulted by the request pipeline before a request touches any state.

    Injected faults and rate limiting fire before the idempotency layer, as Stripe's limiters
    do, so a retry with the same Idempotency-Key after one of them runs the request afresh.
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
        self._per_second: int | None = None
        self._limit_overrides: dict[str, int] = {}
        self._seen: dict[str, deque[float]] = {}

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
            self._per_second = per_second
        elif per_second is None:
            self._limit_overrides.pop(account, None)
        else:
            self._limit_overrides[account] = per_second

    def clear(self) -> None:
        self._faults.clear()
        self.latency_seconds = 0.0
        self.response_delay_seconds = 0.0
        self.response_delay_path = None
        self._per_second = None
        self._limit_overrides.clear()
        self._seen.clear()

    def check(self, account: str, livemode: bool, method: str, path: str) -> None:
        """Raise the error this request should get before it runs, if any."""
        fault = self._take(account, method, path, after_effect=False)
        if fault is not None:
            raise rate_limited() if fault == 429 else server_error(fault)
        self._check_rate(f"{account}:{'live' if livemode else 'test'}", account)

    def after_effect(self, account: str, method: str, path: str) -> int | None:
        """The 5xx status to answer once this request has taken effect, if one is injected."""
        return self._take(account, method, path, after_effect=True)

    def _take(self, account: str, method: str, path: str, *, after_effect: bool) -> int | None:
        for fault in self._faults:
            if (fault.after_effect == after_effect and fault.remaining > 0
                    and fault.matches(account, method, path)):
                fault.remaining -= 1
                self._faults = [f for f in self._faults if f.remaining > 0]
                return fault.status
        return None

    def _check_rate(self, bucket: str, account: str) -> None:
        limit = self._limit_overrides.get(account, self._per_second)
        if limit is None:
            return
        now = self._monotonic()
        seen = self._seen.setdefault(bucket, deque())
        while seen and now - seen[0] >= 1.0:
            seen.popleft()
        if len(seen) >= limit:
            raise rate_limited()
        seen.append(now)

