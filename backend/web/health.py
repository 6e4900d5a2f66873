"""Liveness and readiness for the operator's load balancer."""

from __future__ import annotations

from sqlalchemy.exc import SQLAlchemyError
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from backend.adapters.db.migrations import is_current


async def healthz(_request: Request) -> JSONResponse:
    return JSONResponse({"status": "ok"})


async def readyz(request: Request) -> JSONResponse:
    try:
        current = await is_current(request.app.state.engine)
    except (SQLAlchemyError, OSError) as error:
        return JSONResponse({"status": "unavailable", "database": f"unreachable: {type(error).__name__}"},
                            status_code=503)
    if not current:
        return JSONResponse({"status": "unavailable", "database": "migrations pending"}, status_code=503)
    return JSONResponse({"status": "ready", "database": "ok"})


ROUTES = [Route("/healthz", healthz), Route("/readyz", readyz)]
