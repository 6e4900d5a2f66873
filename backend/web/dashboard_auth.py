"""The one authentication step every /api/v1 route goes through."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from backend.domain.billing import StripeAccount
from backend.web.bodies import parse_json_object, read_capped
from backend.web.context import context_of
from backend.web.errors import HttpError
from backend.web.signatures import SignatureError, dashboard_payload, verify

API_BODY_LIMIT = 64 * 1024
CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET, POST, PUT, OPTIONS",
    "Access-Control-Allow-Headers": "Content-Type, Stripe-Signature",
    "Access-Control-Max-Age": "600",
}


@dataclass(frozen=True)
class DashboardCaller:
    """Who is calling, as proven by the signature, and what they sent."""

    user_id: str
    account: StripeAccount
    body: dict[str, Any]


Handler = Callable[[Request, DashboardCaller], Awaitable[Response]]


def signed(handler: Handler) -> Callable[[Request], Awaitable[Response]]:
    """Wrap a handler so it only runs for a request signed by the Dashboard."""

    @functools.wraps(handler)
    async def endpoint(request: Request) -> Response:
        if request.method == "OPTIONS":
            return Response(status_code=204, headers=CORS_HEADERS)
        caller = await _authenticate(request)
        response = await handler(request, caller)
        response.headers.update({"Access-Control-Allow-Origin": "*"})
        return response

    return endpoint


async def _authenticate(request: Request) -> DashboardCaller:
    if request.method == "GET":
        body: dict[str, Any] = dict(request.query_params)
    else:
        body = parse_json_object(await read_capped(request, API_BODY_LIMIT))
    user_id, account_id = body.get("user_id"), body.get("account_id")
    if not isinstance(user_id, str) or not isinstance(account_id, str) or not user_id or not account_id:
        raise HttpError(400, "missing_identity", "user_id and account_id are required", "account_id")
    try:
        context = context_of(request)
        verify(dashboard_payload(user_id, account_id), request.headers.get("stripe-signature"),
               context.config.app_secrets, now=context.dashboard_clock.now())
    except SignatureError as error:
        raise HttpError(401, "invalid_signature", str(error)) from None
    mode = body.get("mode", "test")
    if mode not in ("test", "live"):
        raise HttpError(422, "invalid_mode", "mode must be test or live", "mode")
    return DashboardCaller(user_id=user_id, account=StripeAccount(account_id, mode == "live"), body=body)


def json_response(payload: dict[str, Any], status: int = 200) -> JSONResponse:
    return JSONResponse(payload, status_code=status)
