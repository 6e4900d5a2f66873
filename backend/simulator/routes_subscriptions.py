"""Subscription endpoints: retrieve, update, cancel."""

from __future__ import annotations

from typing import Any

from stripe.params import SubscriptionCancelParams, SubscriptionRetrieveParams, SubscriptionUpdateParams

from backend.simulator.errors import invalid_request
from backend.simulator.forms import apply_metadata, to_bool, to_int
from backend.simulator.json_copy import json_copy
from backend.simulator.routes_customers import require_attached
from backend.simulator.routing import Ctx, Route, route

_FEEDBACK = {"customer_service", "low_quality", "missing_features", "other", "switched_service",
             "too_complex", "too_expensive", "unused", ""}


def retrieve(ctx: Ctx, subscription: str) -> dict[str, Any]:
    return ctx.render(ctx.state.get(subscription, "subscription"))


def update(ctx: Ctx, subscription: str) -> dict[str, Any]:
    sub = ctx.state.get(subscription, "subscription")
    p = ctx.params
    if sub["status"] == "canceled" and set(p) - {"metadata", "cancellation_details", "expand"}:
        raise invalid_request("A canceled subscription can only update its cancellation_details "
                              "and metadata.")
    before = json_copy(sub)
    period_end = sub["items"]["data"][0]["current_period_end"]
    if "metadata" in p:
        sub["metadata"] = apply_metadata(sub["metadata"], p["metadata"])
    if "cancel_at_period_end" in p:
        at_end = to_bool(p["cancel_at_period_end"], "cancel_at_period_end")
        sub["cancel_at_period_end"] = at_end
        sub["cancel_at"] = period_end if at_end else None
    if "cancel_at" in p:
        sub["cancel_at"] = _cancel_at(p["cancel_at"], period_end)
        sub["cancel_at_period_end"] = False
    if "proration_behavior" in p and p["proration_behavior"] not in (
            "create_prorations", "none", "always_invoice"):
        raise invalid_request(f"Invalid proration_behavior: {p['proration_behavior']}",
                              param="proration_behavior")
    if "cancellation_details" in p:
        _apply_details(sub, p["cancellation_details"])
    if "default_payment_method" in p:
        pm = p["default_payment_method"] or None
        if pm:
            require_attached(ctx.state, pm, sub["customer"], "default_payment_method")
        sub["default_payment_method"] = pm
    if "description" in p:
        sub["description"] = p["description"] or None
    ctx.services.events.emit_update(ctx.state, "customer.subscription.updated", before, sub, ctx.now)
    return ctx.render(sub)


def _cancel_at(value: Any, period_end: int) -> int | None:
    if value == "":
        return None
    if value in ("min_period_end", "max_period_end"):
        return period_end
    return to_int(value, "cancel_at")


def _apply_details(sub: dict[str, Any], details: Any) -> None:
    if details == "":
        return
    if not isinstance(details, dict):
        raise invalid_request("Invalid object", param="cancellation_details")
    if details.get("feedback") not in _FEEDBACK and "feedback" in details:
        raise invalid_request(f"Invalid cancellation_details[feedback]: {details['feedback']}",
                              param="cancellation_details[feedback]")
    for key in ("comment", "feedback"):
        if key in details:
            sub["cancellation_details"][key] = details[key] or None


def cancel(ctx: Ctx, subscription: str) -> dict[str, Any]:
    sub = ctx.state.get(subscription, "subscription")
    if sub["status"] == "canceled":
        raise invalid_request(f"This subscription has already been canceled: {subscription}.")
    for flag in ("prorate", "invoice_now"):
        if flag in ctx.params:
            to_bool(ctx.params[flag], flag)
    details = ctx.params.get("cancellation_details")
    if details:
        _apply_details(sub, details)
    ctx.services.timeline.cancel(ctx.state, sub, ctx.now)
    return ctx.render(sub)


ROUTES: list[Route] = [
    route("GET", "/v1/subscriptions/{subscription}", retrieve, SubscriptionRetrieveParams),
    route("POST", "/v1/subscriptions/{subscription}", update, SubscriptionUpdateParams),
    route("DELETE", "/v1/subscriptions/{subscription}", cancel, SubscriptionCancelParams),
]
