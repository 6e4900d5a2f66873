"""POST /webhooks/stripe: verify, parse, deduplicate, apply. Never calls Stripe."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse

from backend.adapters.stripe.events import parse_event
from backend.adapters.stripe.signatures import SignatureError, verify
from backend.services.webhooks import ingest_event
from backend.web.bodies import parse_json_object, read_capped
from backend.web.context import context_of
from backend.web.errors import HttpError

WEBHOOK_BODY_LIMIT = 1024 * 1024


async def receive_stripe_event(request: Request) -> JSONResponse:
    context = context_of(request)
    raw = await read_capped(request, WEBHOOK_BODY_LIMIT)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise HttpError(400, "invalid_signature", "the body is not UTF-8 text") from None
    try:
        # Verify the raw text before parsing it: a re-serialised body would not match. Stripe signs
        # at the real time of each delivery, so the age is measured on the wall clock.
        verify(text, request.headers.get("stripe-signature"), context.config.webhook_secrets,
               now=context.signature_clock.now())
    except SignatureError as error:
        raise HttpError(400, "invalid_signature", str(error)) from None
    envelope, fact = parse_event(parse_json_object(raw))
    outcome = await ingest_event(context.uow_factory, context.clock, envelope, fact)
    return JSONResponse({"received": True, "outcome": outcome})
