"""The Dashboard API (docs/api.md). Every route is wrapped by `signed`."""

from __future__ import annotations

import re
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from backend.services.account_settings import read_settings, save_settings
from backend.services.merchant_actions import ACTIONS, act_on_recovery
from backend.services.outreach_reporting import engagement, recovery_outreach
from backend.services.reporting import account_warnings, overview, recovery_story
from backend.web.context import context_of
from backend.web.dashboard_auth import DashboardCaller, json_response, signed
from backend.web.errors import HttpError
from backend.web.outreach_presenters import engagement_json, outreach_json
from backend.web.presenters import overview_json, story_json, warning_json

# Stripe ids are short ASCII tokens; anything else is not an invoice of this account.
_INVOICE_ID = re.compile(r"^in_[A-Za-z0-9]{1,250}$")


def _invoice_id(request: Request) -> str:
    invoice_id = str(request.path_params["invoice_id"])
    if not _INVOICE_ID.match(invoice_id):
        raise HttpError(404, "not_found", "no such invoice")
    return invoice_id


@signed
async def get_settings(request: Request, caller: DashboardCaller) -> Response:
    context = context_of(request)
    settings = await read_settings(context.uow_factory, caller.account)
    warnings = await account_warnings(context.uow_factory, caller.account)
    return json_response({"settings": settings.to_json(), "warnings": [warning_json(w) for w in warnings]})


@signed
async def put_settings(request: Request, caller: DashboardCaller) -> Response:
    changes = caller.body.get("settings")
    if not isinstance(changes, dict):
        raise HttpError(422, "invalid_setting", "settings must be an object of fields to change", "settings")
    context = context_of(request)
    settings = await save_settings(context.uow_factory, context.clock, caller.account, changes)
    warnings = await account_warnings(context.uow_factory, caller.account)
    return json_response({"settings": settings.to_json(), "warnings": [warning_json(w) for w in warnings]})


@signed
async def get_recovery(request: Request, caller: DashboardCaller) -> Response:
    story = await recovery_story(context_of(request).uow_factory, caller.account, _invoice_id(request))
    return json_response(await _with_messages(request, caller, story_json(story)))


async def _with_messages(request: Request, caller: DashboardCaller, body: dict[str, Any]) -> dict[str, Any]:
    """Add the invoice's customer messages (outreach) to the recovery's story."""
    if body["recovery"] is not None:
        body["recovery"].update(outreach_json(await recovery_outreach(
            context_of(request).uow_factory, caller.account, _invoice_id(request))))
    return body


@signed
async def post_recovery_action(request: Request, caller: DashboardCaller) -> Response:
    invoice_id = _invoice_id(request)
    action = caller.body.get("action")
    if action not in ACTIONS:
        raise HttpError(422, "invalid_action", f"action must be one of {', '.join(ACTIONS)}", "action")
    context = context_of(request)
    await act_on_recovery(context.uow_factory, context.clock, context.gateway, caller.account, invoice_id,
                          str(action))
    story = await recovery_story(context.uow_factory, caller.account, invoice_id)
    return json_response(await _with_messages(request, caller, story_json(story)))


@signed
async def get_overview(request: Request, caller: DashboardCaller) -> Response:
    context = context_of(request)
    body = overview_json(await overview(context.uow_factory, caller.account, context.clock.now()))
    body["emails"] = engagement_json(await engagement(context.uow_factory, caller.account))  # outreach
    return json_response(body)


ROUTES = [
    Route("/api/v1/settings", get_settings, methods=["GET", "OPTIONS"]),
    Route("/api/v1/settings", put_settings, methods=["PUT", "POST", "OPTIONS"]),
    Route("/api/v1/invoices/{invoice_id}/recovery", get_recovery, methods=["GET", "OPTIONS"]),
    Route("/api/v1/invoices/{invoice_id}/recovery/actions", post_recovery_action, methods=["POST", "OPTIONS"]),
    Route("/api/v1/overview", get_overview, methods=["GET", "OPTIONS"]),
]
