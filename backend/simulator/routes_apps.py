"""Checkout Sessions (setup mode, for card updates) and the Apps Secret Store."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from stripe.params.apps import SecretCreateParams, SecretFindParams
from stripe.params.checkout import SessionCreateParams, SessionRetrieveParams

from backend.simulator import shapes
from backend.simulator.errors import invalid_request, missing_parameter, resource_missing
from backend.simulator.routes_payment_pages import create_payment_session
from backend.simulator.routing import Ctx, Route, route


def create_checkout_session(ctx: Ctx) -> dict[str, Any]:
    p = ctx.params
    if not p.get("mode"):
        raise missing_parameter("mode")
    if p["mode"] == "payment":
        return create_payment_session(ctx)  # what `stripe trigger checkout.session.completed` makes
    if p["mode"] != "setup":
        raise invalid_request("The simulator models Checkout in setup and payment mode only.",
                              param="mode")
    customer = p.get("customer")
    if customer:
        ctx.state.get(str(customer), "customer", param="customer")
    if not p.get("currency") and not p.get("allowed_payment_method_types"):
        raise invalid_request("currency is required in setup mode when "
                              "allowed_payment_method_types is not set.", param="currency")
    prefix = "cs_live" if ctx.state.livemode else "cs_test"
    session_id = ctx.services.ids.new(prefix, 58)
    setup_intent = ctx.state.put({
        "id": ctx.services.ids.new("seti"), "object": "setup_intent", "created": shapes.ts(ctx.now),
        "customer": customer, "livemode": ctx.state.livemode, "metadata": {},
        "payment_method": None, "payment_method_types": ["card"], "status": "requires_payment_method",
        "usage": "off_session", "last_setup_error": None,
    })
    session = ctx.state.put({
        "id": session_id, "object": "checkout.session",
        "allowed_payment_method_types": p.get("allowed_payment_method_types"),
        "automatic_tax": {"enabled": False, "liability": None, "provider": None, "status": None},
        "custom_fields": [],
        "custom_text": {"after_submit": None, "shipping_address": None, "submit": None,
                        "terms_of_service_acceptance": None},
        "payment_method_types": list(p.get("allowed_payment_method_types") or ["card"]),
        "shipping_options": [],
        "cancel_url": p.get("cancel_url"), "client_reference_id": p.get("client_reference_id"),
        "created": shapes.ts(ctx.now), "currency": p.get("currency"), "customer": customer,
        "expires_at": shapes.ts(ctx.now + timedelta(hours=24)), "livemode": ctx.state.livemode,
        "metadata": dict(p.get("metadata") or {}), "mode": "setup",
        "payment_status": "no_payment_required", "setup_intent": setup_intent["id"],
        "status": "open", "success_url": p.get("success_url"),
        "url": f"https://checkout.stripe.com/c/pay/{session_id}",
    })
    return ctx.render(session)


def retrieve_checkout_session(ctx: Ctx, session: str) -> dict[str, Any]:
    return ctx.render(ctx.state.get(session, "checkout.session", param="session"))


def _scope_key(ctx: Ctx) -> str:
    scope = ctx.params.get("scope")
    if not isinstance(scope, dict) or not scope.get("type"):
        raise missing_parameter("scope")
    if scope["type"] == "user":
        if not scope.get("user"):
            raise missing_parameter("scope[user]")
        return f"user:{scope['user']}"
    if scope["type"] != "account":
        raise invalid_request(f"Invalid scope[type]: {scope['type']}", param="scope[type]")
    return "account"


def create_secret(ctx: Ctx) -> dict[str, Any]:
    p = ctx.params
    for name in ("name", "payload"):
        if name not in p:
            raise missing_parameter(name)
    if len(str(p["payload"])) > 5000:
        raise invalid_request("payload must be at most 5000 characters.", param="payload")
    key = (_scope_key(ctx), str(p["name"]))
    existing = ctx.state.secrets.get(key)
    scope = dict(p["scope"])
    secret = {
        "id": existing["id"] if existing else ctx.services.ids.new("appsecret"),
        "object": "apps.secret", "created": shapes.ts(ctx.now), "deleted": False,
        "expires_at": int(p["expires_at"]) if p.get("expires_at") else None,
        "livemode": ctx.state.livemode, "name": str(p["name"]), "payload": str(p["payload"]),
        "scope": scope,
    }
    ctx.state.secrets[key] = secret
    return ctx.render(secret)


def find_secret(ctx: Ctx) -> dict[str, Any]:
    if "name" not in ctx.params:
        raise missing_parameter("name")
    secret = ctx.state.secrets.get((_scope_key(ctx), str(ctx.params["name"])))
    expired = secret is not None and secret["expires_at"] is not None and \
        secret["expires_at"] <= shapes.ts(ctx.now)
    if secret is None or expired:
        raise resource_missing("secret", str(ctx.params["name"]), param="name")
    return ctx.render(secret)


ROUTES: list[Route] = [
    route("POST", "/v1/checkout/sessions", create_checkout_session, SessionCreateParams),
    route("GET", "/v1/checkout/sessions/{session}", retrieve_checkout_session, SessionRetrieveParams),
    route("POST", "/v1/apps/secrets", create_secret, SecretCreateParams),
    route("GET", "/v1/apps/secrets/find", find_secret, SecretFindParams),
]
