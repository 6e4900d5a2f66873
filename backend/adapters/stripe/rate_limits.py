"""Per-account pacing of requests to Stripe, so Recoup waits instead of drawing 429s."""

from __future__ import annotations

from dataclasses import dataclass

from aiolimiter import AsyncLimiter


@dataclass(frozen=True)
class RateLimits:
    """Requests per second Recoup allows itself per connected account and mode.

    Stripe's global limit is 100 requests/s in live mode and 25 in a sandbox/test mode, counted per
    account (docs.stripe.com/rate-limits). Staying at 80 % leaves room for the merchant's own
    integration, which shares the same budget.
    """

    live_per_second: float = 80.0
    test_per_second: float = 20.0

    def __post_init__(self) -> None:
        if self.live_per_second <= 0 or self.test_per_second <= 0:
            raise ValueError("rate limits must be positive")

    def per_second(self, livemode: bool) -> float:
        """Return the allowed rate for one mode."""
        return self.live_per_second if livemode else self.test_per_second


class AccountRateLimiter:
    """One leaky bucket per (account, mode): a busy account never slows another one down."""

    def __init__(self, limits: RateLimits) -> None:
        self._limits = limits
        self._buckets: dict[tuple[str, bool], AsyncLimiter] = {}

    async def acquire(self, account_id: str, livemode: bool) -> None:
        """Wait until the account may send one more request in this mode."""
        await self._bucket(account_id, livemode).acquire()

    def _bucket(self, account_id: str, livemode: bool) -> AsyncLimiter:
        key = (account_id, livemode)
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = _bucket_for(self._limits.per_second(livemode))
            self._buckets[key] = bucket
        return bucket


def _bucket_for(per_second: float) -> AsyncLimiter:
    """Build a bucket that admits `per_second` requests per second."""
    if per_second >= 1:
        # A one-second window lets a short burst through at full speed, the way Stripe's own
        # per-second limiter counts.
        return AsyncLimiter(per_second, time_period=1.0)
    # aiolimiter refuses to acquire more than its capacity, so a sub-1/s rate becomes
    # one request per longer window.
    return AsyncLimiter(1, time_period=1.0 / per_second)
