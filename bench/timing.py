"""Repeat a measured round, warm up first, and keep the median of each figure."""

from __future__ import annotations

import statistics
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

REPEATS = 3

Round = Callable[[], Awaitable[dict[str, float]]]


class BenchFailure(Exception):
    """A benchmark saw a wrong result (a lost or doubled job, an unexpected outcome)."""


@dataclass
class Stopwatch:
    """Wall time of the `measure` blocks only, so set-up stays out of the figures."""

    seconds: float = 0.0

    @contextmanager
    def measure(self) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            self.seconds += time.perf_counter() - started


@dataclass
class Medians:
    """The median of every figure over the repeats."""

    samples: dict[str, list[float]] = field(default_factory=dict)

    def add(self, figures: dict[str, float]) -> None:
        for name, value in figures.items():
            self.samples.setdefault(name, []).append(value)

    def __getitem__(self, name: str) -> float:
        return statistics.median(self.samples[name])


async def median_of(measured: Round, *, warm_up: Round | None = None, repeats: int = REPEATS) -> Medians:
    """Run `warm_up` once (imports, statement caches, connection pools), then `measured` `repeats` times."""
    await (warm_up or measured)()
    medians = Medians()
    for _ in range(repeats):
        medians.add(await measured())
    return medians
