"""Clocks: the only place that reads the wall clock."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta


class SystemClock:
    """Real time, for production."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class ManualClock:
    """Time that moves only when told to, for tests and the simulator's control API."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("ManualClock needs an aware datetime")
        self._now = start.astimezone(UTC)

    def now(self) -> datetime:
        return self._now

    def advance(self, delta: timedelta) -> datetime:
        """Move time forward by `delta` (never backwards) and return the new time."""
        if delta < timedelta(0):
            raise ValueError("time never moves backwards")
        self._now += delta
        return self._now

    def set(self, moment: datetime) -> None:
        """Jump to `moment`, which must not be earlier than now."""
        self.advance(moment.astimezone(UTC) - self._now)


class AcceleratedClock:
    """Time that runs `factor` times faster than the wall clock, for the demo.

    A month of dunning plays out in minutes while Recoup and the simulator agree on what
    time it is, because they share one instance. Manual jumps are allowed on top.
    """

    def __init__(self, start: datetime, factor: float) -> None:
        if factor <= 0:
            raise ValueError("factor must be positive")
        self._start = start.astimezone(UTC)
        self._started_monotonic = time.monotonic()
        self._factor = factor
        self._offset = timedelta(0)

    def now(self) -> datetime:
        elapsed = (time.monotonic() - self._started_monotonic) * self._factor
        return self._start + timedelta(seconds=elapsed) + self._offset

    def advance(self, delta: timedelta) -> datetime:
        if delta < timedelta(0):
            raise ValueError("time never moves backwards")
        self._offset += delta
        return self.now()
