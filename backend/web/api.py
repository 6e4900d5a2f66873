"""The Dashboard API (docs/api.md). Every route is wrapped by `signed`."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from backend.services.account_settings import read_settings, save_settings
from backend.web.context import context_of
from backend.web.dashboard_auth import DashboardCaller, json_response, signed
from backend.web.errors import HttpError


@signed
async def get_settings(request: Request, caller: DashboardCaller) -> Response:
    context = context_of(request)
    settings = await read_settings(context.uow_factory, caller.account)
    return json_response({"settings": settings.to_json(), "warnings": []})


@signed
async def put_settings(request: Request, caller: DashboardCaller) -> Response:
    changes = caller.body.get("settings")
    if not isinstance(changes, dict):
        raise HttpError(422, "invalid_setting", "settings must be an object of fields to change", "settings")
    context = context_of(request)
    settings = await save_settings(context.uow_factory, context.clock, caller.account, changes)
    return json_response({"settings": settings.to_json(), "warnings": []})


ROUTES = [
    Route("/api/v1/settings", get_settings, methods=["GET", "OPTIONS"]),
    Route("/api/v1/settings", put_settings, methods=["PUT", "POST", "OPTIONS"]),
]
