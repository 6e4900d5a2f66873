"""SetupIntents: save a card for later, as `stripe trigger setup_intent.*` does with test cards."""

from __future__ import annotations

from typing import Any

from stripe.params import SetupIntentConfirmParams, SetupIntentCreateParams

from backend.simulator import shapes
from backend.simulator.errors import StripeError, invalid_request
from backend.simulator.forms import apply_metadata, to_bool
from backend.simulator.json_copy import json_copy
from backend.simulator.routes_payments import payment_method_for
from backend.simulator.routing import Ctx, Route, route


def create_setup_intent(ctx: Ctx) -> dict[str, Any]:
    p = ctx.params
    customer = str(p["customer"]) if p.get("customer") else None
    if customer:
        ctx.state.get(customer, "customer", param="customer")
    seti = ctx.state.put({
        "id": ctx.services.ids.new("seti"), "object": "setup_intent",
        "application": None, "automatic_payment_methods": None, "cancellation_reason": None,
        "client_secret": None, "created": shapes.ts(ctx.now), "customer": customer,
        "description": p.get("description") or None, "flow_directions": None,
        "last_setup_error": None, "latest_attempt": None, "livemode": ctx.state.livemode,
        "mandate": None, "metadata": apply_metadata({}, p.get("metadata", {})),
        "next_action": None, "on_behalf_of": None, "payment_method": None,
        "payment_method_options": None,
        "payment_method_types": list(p.get("allowed_payment_method_types") or ["card"]),
        "single_use_mandate": None, "status": "requires_payment_method",
        "usage": p.get("usage") or "off_session",
    })
    seti["client_secret"] = f"{seti['id']}_secret_sim"
    if p.get("payment_method"):
        seti["payment_method"] = payment_method_for(ctx, str(p["payment_method"]))["id"]
        seti["status"] = "requires_confirmation"
    ctx.services.events.emit(ctx.state, "setup_intent.created", seti, ctx.now)
    if to_bool(p.get("confirm", False), "confirm"):
        return _confirm(ctx, seti)
    return ctx.render(seti)


def confirm_setup_intent(ctx: Ctx, setup_intent: str) -> dict[str, Any]:
    seti = ctx.state.get(setup_intent, "setup_intent")
    if ctx.params.get("payment_method"):
        seti["payment_method"] = payment_method_for(ctx, str(ctx.params["payment_method"]))["id"]
    if seti["status"] not in ("requires_confirmation", "requires_payment_method", "requires_action"):
        raise invalid_request(f"This SetupIntent's status is {seti['status']}, so it cannot be "
                              "confirmed.", code="setup_intent_unexpected_state")
    return _confirm(ctx, seti)


def _confirm(ctx: Ctx, seti: dict[str, Any]) -> dict[str, Any]:
    """Verify the card: it is saved (attached when there is a customer) unless the issuer refuses."""
    if not seti["payment_method"]:
        raise invalid_request("You cannot confirm this SetupIntent because it's missing a "
                              "payment method.", code="setup_intent_unexpected_state")
    pm = ctx.state.get(str(seti["payment_method"]), "payment_method")
    card = ctx.state.card(pm["id"])
    refusal = card.setup_refusal
    events = ctx.services.events
    if card.setup_needs_action:
        seti.update({"status": "requires_action", "next_action": {"type": "use_stripe_sdk",
                                                                  "use_stripe_sdk": {}}})
        events.emit(ctx.state, "setup_intent.requires_action", seti, ctx.now)
        return ctx.render(seti)
    if refusal is not None:
        seti.update({"status": "requires_payment_method", "last_setup_error": {
            "type": "card_error", "code": refusal.code, "decline_code": refusal.decline_code,
            "message": refusal.message, "payment_method": json_copy(pm)}})
        events.emit(ctx.state, "setup_intent.setup_failed", seti, ctx.now)
        raise_setup_error(seti)
    seti.update({"status": "succeeded", "next_action": None, "last_setup_error": None})
    if seti["customer"] and pm["customer"] is None:
        pm["customer"] = seti["customer"]
        events.emit(ctx.state, "payment_method.attached", pm, ctx.now)
    events.emit(ctx.state, "setup_intent.succeeded", seti, ctx.now)
    return ctx.render(seti)


def raise_setup_error(seti: dict[str, Any]) -> None:
    error = json_copy(seti["last_setup_error"])
    error["setup_intent"] = json_copy(seti)
    raise StripeError(402, error)


ROUTES: list[Route] = [
    route("POST", "/v1/setup_intents", create_setup_intent, SetupIntentCreateParams),
    route("POST", "/v1/setup_intents/{setup_intent}/confirm", confirm_setup_intent,
          SetupIntentConfirmParams),
]
