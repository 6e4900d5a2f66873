"""Dashboard routes for the merchant's Twilio credentials (docs/api.md). Every route is signed."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from backend.services.outreach_ports import SmsSender
from backend.services.sms_credentials import SmsSetup, save_credentials, sms_setup
from backend.web import schemas
from backend.web.context import context_of
from backend.web.dashboard_auth import DashboardCaller, json_response, signed
from backend.web.presenters import to_json


def _json(setup: SmsSetup) -> dict[str, object]:
    return to_json(schemas.SmsCredentials(configured=setup.configured, account_sid=setup.account_sid_hint,
                                          from_number=setup.from_number))


@signed
async def get_sms_credentials(request: Request, caller: DashboardCaller) -> Response:
    return json_response(_json(await sms_setup(context_of(request).gateway, caller.account)))


@signed
async def put_sms_credentials(request: Request, caller: DashboardCaller) -> Response:
    sms: SmsSender = request.app.state.outreach.sms
    setup = await save_credentials(context_of(request).gateway, sms, caller.account, caller.body.get("credentials"))
    return json_response(_json(setup))


# CORS preflights (OPTIONS) are answered by the middleware in `backend.web.cors` before routing.
ROUTES = [
    Route("/api/v1/sms/credentials", get_sms_credentials, methods=["GET"]),
    Route("/api/v1/sms/credentials", put_sms_credentials, methods=["PUT"]),
]
