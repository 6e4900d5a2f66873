"""Hypothesis settings for the hostile-input suite: enough cases to find holes, few enough for `make test`."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

# The app, its database and the simulator are built once per test (per database kind) and every
# generated case runs against them; each case checks the database itself, so sharing is safe.
settings.register_profile(
    "hostile", max_examples=int(os.environ.get("HOSTILE_EXAMPLES", "40")), deadline=None, database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
HOSTILE = settings.get_profile("hostile")
