"""Dashboard routes to start a takeover of earlier failed invoices and follow it (docs/api.md); all signed."""

from __future__ import annotations

from typing import cast

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from backend.services.takeover import BadLookBack, check_look_back, start_takeover, takeover_progress
from backend.services.takeover_records import TakeoverRecord
from backend.web import schemas
from backend.web.context import context_of
from backend.web.dashboard_auth import DashboardCaller, json_response, signed
from backend.web.errors import HttpError
from backend.web.presenters import to_json


def _model(record: TakeoverRecord | None) -> schemas.TakeoverResponse:
    if record is None:
        return schemas.TakeoverResponse(takeover=None)
    return schemas.TakeoverResponse(takeover=schemas.Takeover(
        id=record.id, status=cast(schemas.TakeoverStatusName, record.status),
        look_back_days=record.look_back_days, since=record.since.isoformat(),
        walked_until=min(record.walked_until, record.started_at or record.until).isoformat(),
        scanned=record.scanned, enrolled=record.enrolled, skipped=dict(sorted(record.skipped.items())),
        started_at=record.started_at.isoformat() if record.started_at else "",
        finished_at=record.finished_at.isoformat() if record.finished_at else None, error=record.error))


@signed
async def post_takeover(request: Request, caller: DashboardCaller) -> Response:
    days = caller.body.get("look_back_days")
    try:
        check_look_back(days)
    except BadLookBack as bad:
        # Checked before anything is read or stored.
        raise HttpError(400, "invalid_look_back", str(bad), "look_back_days") from None
    context = context_of(request)
    record, started = await start_takeover(context.uow_factory, context.clock, caller.account, days)
    # 202: a new takeover is under way; 200: one was already running and this is it (nothing new started).
    return json_response(to_json(_model(record)), status=202 if started else 200)


@signed
async def get_takeover(request: Request, caller: DashboardCaller) -> Response:
    return json_response(to_json(_model(await takeover_progress(context_of(request).uow_factory, caller.account))))


# CORS preflights (OPTIONS) are answered by the middleware in `backend.web.cors` before routing.
ROUTES = [
    Route("/api/v1/takeover", get_takeover, methods=["GET"]),
    Route("/api/v1/takeover", post_takeover, methods=["POST"]),
]
