"""Scenario populations are reproducible and follow the failure mix."""

from __future__ import annotations

from backend.adapters.clock import ManualClock
from backend.simulator import DEFAULT_FAILURE_MIX, FailureMix, Simulator, build_scenario


def test_the_same_seed_gives_the_same_population(clock: ManualClock) -> None:
    first = build_scenario(Simulator(clock, seed=1), customers=30, seed=9)
    second = build_scenario(Simulator(clock, seed=1), customers=30, seed=9)

    assert first == second


def test_default_mix_is_about_half_insufficient_funds() -> None:
    mix = FailureMix(seed=4)

    names = [mix.draw()[0] for _ in range(4000)]

    share = names.count("insufficient_funds") / len(names)
    assert 0.43 < share < 0.51
    assert set(names) == set(DEFAULT_FAILURE_MIX)


def test_failing_share_leaves_healthy_customers(clock: ManualClock) -> None:
    sim = Simulator(clock)

    built = build_scenario(sim, customers=40, seed=2, failing_share=0.25)

    healthy = [c for c in built["customers"] if c["invoice"] is None]
    assert 20 < len(healthy) < 40
    assert all(c["behaviour"] == "succeeds" for c in healthy)
