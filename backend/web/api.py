"""The Dashboard API (docs/api.md). Every route is wrapped by `signed`."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from backend.adapters.stripe.ids import is_stripe_id
from backend.domain.billing import StripeAccount
from backend.domain.recovery_state import RecoveryStatus
from backend.services.account_settings import read_settings, save_settings
from backend.services.merchant_actions import ACTIONS, act_on_recovery
from backend.services.recovery_listing import RecoveryFilter, list_recoveries
from backend.services.reporting import account_warnings, home, recovery_panel
from backend.web import analytics_api, audit_api, schemas
from backend.web.context import context_of
from backend.web.dashboard_auth import DashboardCaller, json_response, signed
from backend.web.errors import HttpError
from backend.web.free_text import clean_settings_text
from backend.web.presenters import overview_model, story_model, summary_model, to_json, warning_model

# The Stripe id prefix each listing filter accepts.
_FILTER_PREFIXES = {"customer": "cus", "subscription": "sub"}
_MAX_PAGE = 10_000


def _invoice_id(request: Request) -> str:
    invoice_id = str(request.path_params["invoice_id"])
    # The whole path segment must be an invoice id: `in_x%0A` must not reach Stripe as `in_x\n`.
    if not is_stripe_id(invoice_id, "in"):
        raise HttpError(404, "not_found", "no such invoice")
    return invoice_id


async def _settings_response(request: Request, account: StripeAccount,
                             settings: schemas.RecoverySettings) -> Response:
    warnings = await account_warnings(context_of(request).uow_factory, account)
    return json_response(to_json(schemas.SettingsResponse(
        settings=settings, warnings=[warning_model(w) for w in warnings])))


@signed
async def get_settings(request: Request, caller: DashboardCaller) -> Response:
    settings = await read_settings(context_of(request).uow_factory, caller.account)
    return await _settings_response(request, caller.account, settings)


@signed
async def put_settings(request: Request, caller: DashboardCaller) -> Response:
    changes = caller.body.get("settings")
    if not isinstance(changes, dict):
        raise HttpError(422, "invalid_setting", "settings must be an object of fields to change", "settings")
    context = context_of(request)
    settings = await save_settings(context.uow_factory, context.clock, caller.account,
                                   clean_settings_text(changes))
    return await _settings_response(request, caller.account, settings)


async def _story(request: Request, account: StripeAccount, invoice_id: str) -> schemas.RecoveryResponse:
    panel = await recovery_panel(context_of(request).uow_factory, account, invoice_id)
    return story_model(panel.story, panel.max_retries, panel.outreach)


@signed
async def get_recovery(request: Request, caller: DashboardCaller) -> Response:
    return json_response(to_json(await _story(request, caller.account, _invoice_id(request))))


@signed
async def post_recovery_action(request: Request, caller: DashboardCaller) -> Response:
    invoice_id = _invoice_id(request)
    action = caller.body.get("action")
    if action not in ACTIONS:
        raise HttpError(422, "invalid_action", f"action must be one of {', '.join(ACTIONS)}", "action")
    context = context_of(request)
    await act_on_recovery(context.uow_factory, context.clock, context.gateway, caller.account, invoice_id,
                          str(action))
    return json_response(to_json(await _story(request, caller.account, invoice_id)))


def _recovery_filter(caller: DashboardCaller) -> tuple[RecoveryFilter, int]:
    query = caller.body
    status = query.get("status") or None
    if status is not None and status not in {s.value for s in RecoveryStatus}:
        raise HttpError(422, "invalid_filter", f"status must be one of {', '.join(RecoveryStatus)}", "status")
    ids: dict[str, str | None] = {}
    for name, prefix in _FILTER_PREFIXES.items():
        value = query.get(name) or None
        if value is not None and not is_stripe_id(str(value), prefix):
            raise HttpError(422, "invalid_filter", f"{name} must be a Stripe {name} id", name)
        ids[name] = value
    page_text = str(query.get("page") or "1")
    if not page_text.isdigit() or not 1 <= int(page_text) <= _MAX_PAGE:
        raise HttpError(422, "invalid_filter", f"page must be a whole number from 1 to {_MAX_PAGE}", "page")
    return RecoveryFilter(status, ids["customer"], ids["subscription"]), int(page_text)


@signed
async def get_recoveries(request: Request, caller: DashboardCaller) -> Response:
    wanted, page = _recovery_filter(caller)
    found = await list_recoveries(context_of(request).uow_factory, caller.account, wanted, page)
    return json_response(to_json(schemas.RecoveryList(
        recoveries=[summary_model(r) for r in found.recoveries], page=found.page, has_more=found.has_more)))


@signed
async def get_overview(request: Request, caller: DashboardCaller) -> Response:
    context = context_of(request)
    view, engagement = await home(context.uow_factory, caller.account, context.clock.now())
    return json_response(to_json(overview_model(view, engagement)))


# CORS preflights (OPTIONS) are answered by the middleware in `backend.web.cors` before routing.
ROUTES = [
    Route("/api/v1/settings", get_settings, methods=["GET"]),
    Route("/api/v1/settings", put_settings, methods=["PUT", "POST"]),
    Route("/api/v1/invoices/{invoice_id}/recovery", get_recovery, methods=["GET"]),
    Route("/api/v1/invoices/{invoice_id}/recovery/actions", post_recovery_action, methods=["POST"]),
    Route("/api/v1/recoveries", get_recoveries, methods=["GET"]),
    Route("/api/v1/overview", get_overview, methods=["GET"]),
    *analytics_api.ROUTES,
    *audit_api.ROUTES,  # the audit trail and data deletion
]
