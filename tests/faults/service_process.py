"""Recoup as a real `serve`-like process whose clock the fault tests move.

Run as `python -m tests.faults.service_process` with the usual environment (DATABASE_URL,
STRIPE_API_BASE pointing at a simulator process on a manual clock, PORT, ...). On start it reads
the simulator's time, so a process restarted after `kill -9` carries on from the same moment.
Two extra routes serve the test driver only: `POST /_fault/clock` moves Recoup's clock, and
`GET /_fault/queue` says whether any job is due or in flight.
"""

from __future__ import annotations

import logging
import os
from datetime import datetime

import httpx
import uvicorn
from sqlalchemy import func, select
from sqlmodel import col
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from backend.adapters.clock import ManualClock, SystemClock
from backend.adapters.db.tables import JobRow
from backend.adapters.stripe import StripeSdkGateway
from backend.app import create_app
from backend.config import load_config


def main() -> None:
    config = load_config(os.environ)
    logging.basicConfig(level=config.log_level, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    logging.getLogger("apscheduler").setLevel(logging.ERROR)  # skipped ticks are by design
    simulator = os.environ["STRIPE_API_BASE"]
    clock = ManualClock(datetime.fromisoformat(httpx.get(f"{simulator}/_sim/clock", timeout=10).json()["now"]))
    gateway = StripeSdkGateway(test_key=config.stripe_test_key, live_key=config.stripe_live_key,
                               api_base=simulator)

    async def move_clock(request: Request) -> JSONResponse:
        target = datetime.fromisoformat((await request.json())["to"])
        if target > clock.now():
            clock.set(target)
        return JSONResponse({"now": clock.now().isoformat()})

    async def queue(request: Request) -> JSONResponse:
        now = clock.now()
        async with request.app.state.engine.connect() as connection:
            due = (await connection.execute(select(func.count()).select_from(JobRow).where(
                col(JobRow.status) == "pending", col(JobRow.run_at) <= now))).scalar_one()
            running = (await connection.execute(select(func.count()).select_from(JobRow).where(
                col(JobRow.status) == "running"))).scalar_one()
        return JSONResponse({"due": due, "running": running, "now": now.isoformat()})

    app = create_app(config, gateway=gateway, clock=clock, signature_clock=SystemClock(),
                     extra_routes=[Route("/_fault/clock", move_clock, methods=["POST"]),
                                   Route("/_fault/queue", queue, methods=["GET"])])
    uvicorn.run(app, host="127.0.0.1", port=config.port, log_level="warning", lifespan="on")


if __name__ == "__main__":
    main()
