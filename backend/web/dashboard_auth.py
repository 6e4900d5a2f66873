"""The one authentication step every /api/v1 route goes through."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from backend.adapters.stripe.ids import is_account_id, is_stripe_id
from backend.adapters.stripe.signatures import SignatureError, dashboard_payload, verify
from backend.domain.billing import StripeAccount
from backend.services.audit_records import acting_for, dashboard_cause
from backend.web.bodies import parse_json_object, read_capped
from backend.web.context import context_of
from backend.web.errors import HttpError

API_BODY_LIMIT = 64 * 1024


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
        caller = await _authenticate(request)
        # Whatever the request writes (to Stripe, or as a merchant action) is audited as this user's.
        with acting_for(dashboard_cause(caller.user_id)):
            return await handler(request, caller)

    return endpoint


async def _authenticate(request: Request) -> DashboardCaller:
    if request.method == "GET":
        body: dict[str, Any] = dict(request.query_params)
    else:
        body = parse_json_object(await read_capped(request, API_BODY_LIMIT))
    # Only the two signed fields are read before the signature is checked, and only their shape.
    user_id, account_id = body.get("user_id"), body.get("account_id")
    if user_id is None or account_id is None:
        raise HttpError(400, "missing_identity", "user_id and account_id are required", "account_id")
    if not is_stripe_id(user_id, "usr"):
        raise HttpError(400, "invalid_identity", "user_id must be a Stripe user id (usr_…)", "user_id")
    if not is_account_id(account_id):
        raise HttpError(400, "invalid_identity", "account_id must be a Stripe account id (acct_…)", "account_id")
    try:
        context = context_of(request)
        verify(dashboard_payload(user_id, account_id), request.headers.get("stripe-signature"),
               context.config.app_secrets, now=context.signature_clock.now())
    except SignatureError as error:
        raise HttpError(401, "invalid_signature", str(error)) from None
    mode = body.get("mode", "test")
    if mode not in ("test", "live"):
        raise HttpError(422, "invalid_mode", "mode must be test or live", "mode")
    return DashboardCaller(user_id=user_id, account=StripeAccount(account_id, mode == "live"), body=body)


def json_response(payload: dict[str, Any], status: int = 200) -> JSONResponse:
    return JSONResponse(payload, status_code=status)
