"""Serve the simulator: `python -m backend.simulator` (SIM_PORT, SIM_WEBHOOK_URL, SIM_CLOCK)."""

from __future__ import annotations

import os
from datetime import UTC, datetime

import uvicorn

from backend.adapters.clock import AcceleratedClock, ManualClock, SystemClock
from backend.simulator.ports import Clock
from backend.simulator.simulator import Simulator


def clock_from_env(spec: str) -> Clock:
    """`system` (default), `manual` (moved via POST /_sim/clock) or `accelerated:<factor>`."""
    now = datetime.now(UTC)
    if spec == "manual":
        return ManualClock(now)
    if spec.startswith("accelerated:"):
        return AcceleratedClock(now, float(spec.split(":", 1)[1]))
    if spec == "system":
        return SystemClock()
    raise SystemExit(f"SIM_CLOCK must be system, manual or accelerated:<factor>, not {spec!r}")


def main() -> None:
    port = int(os.environ.get("SIM_PORT", "12111"))
    url = os.environ.get("SIM_WEBHOOK_URL", "http://127.0.0.1:8000/webhooks/stripe")
    secrets = os.environ.get("STRIPE_WEBHOOK_SECRET", "whsec_simulator")
    secret = secrets.split(",")[0].strip()
    sim = Simulator(clock_from_env(os.environ.get("SIM_CLOCK", "system")), webhook_url=url,
                    webhook_secret=secret, seed=int(os.environ.get("SIM_SEED", "0")))
    app = sim.asgi_app(background_interval=float(os.environ.get("SIM_TICK_SECONDS", "0.5")))
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="info")


if __name__ == "__main__":
    main()
