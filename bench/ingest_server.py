"""A webhook endpoint served by uvicorn in its own process: Recoup itself, or the bare baseline.

`python -m bench.ingest_server recoup` serves Recoup (`serve`, scheduler off) from the usual
environment; `python -m bench.ingest_server bare` serves the cheapest endpoint that still does
the job: verify the signature and insert the raw event into the same database.
"""

from __future__ import annotations

import json
import os
import sys

import uvicorn
from sqlalchemy import text
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from backend.adapters.clock import SystemClock
from backend.adapters.db.engine import create_engine
from backend.adapters.stripe.signatures import SignatureError, verify
from backend.config import load_config

RAW_TABLE = "bench_raw_event"


def bare_app(database_url: str, secrets: tuple[str, ...]) -> Starlette:
    engine = create_engine(database_url)
    clock = SystemClock()
    insert = text(f"INSERT INTO {RAW_TABLE} (event_id, body) VALUES (:id, :body) ON CONFLICT DO NOTHING")

    async def receive(request: Request) -> JSONResponse:
        raw = (await request.body()).decode()
        try:
            verify(raw, request.headers.get("stripe-signature"), secrets, now=clock.now())
        except SignatureError as error:
            return JSONResponse({"error": {"code": "invalid_signature", "message": str(error)}}, status_code=400)
        async with engine.begin() as connection:
            await connection.execute(insert, {"id": json.loads(raw)["id"], "body": raw})
        return JSONResponse({"received": True})

    async def ready(_request: Request) -> JSONResponse:
        return JSONResponse({"status": "ready"})

    return Starlette(routes=[Route("/webhooks/stripe", receive, methods=["POST"]), Route("/readyz", ready)])


def main() -> None:
    config = load_config(os.environ)
    if sys.argv[1] == "bare":
        app = bare_app(config.database_url, config.webhook_secrets)
    else:
        from backend.runtime import build_service

        app = build_service(config)
    uvicorn.run(app, host="127.0.0.1", port=config.port, log_level="warning", access_log=False)


if __name__ == "__main__":
    main()
