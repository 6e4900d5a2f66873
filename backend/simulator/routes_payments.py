"""Charges, PaymentIntents and refunds: reads for decline data, and `stripe trigger`'s payments."""

from __future__ import annotations

from typing import Any

from stripe.params import (
    ChargeRetrieveParams,
    PaymentIntentConfirmParams,
    PaymentIntentCreateParams,
    PaymentIntentRetrieveParams,
    RefundCreateParams,
)

from backend.simulator import shapes
from backend.simulator.card_tokens import CARD_TOKENS
from backend.simulator.disputes import refund as refund_charge
from backend.simulator.errors import StripeError, invalid_request, missing_parameter
from backend.simulator.forms import apply_metadata, to_bool, to_int
from backend.simulator.json_copy import json_copy
from backend.simulator.routing import Ctx, Route, route


def retrieve_charge(ctx: Ctx, charge: str) -> dict[str, Any]:
    return ctx.render(ctx.state.get(charge, "charge"))


def retrieve_payment_intent(ctx: Ctx, payment_intent: str) -> dict[str, Any]:
    return ctx.render(ctx.state.get(payment_intent, "payment_intent"))


def create_payment_intent(ctx: Ctx) -> dict[str, Any]:
    p = ctx.params
    for name in ("amount", "currency"):
        if name not in p:
            raise missing_parameter(name)
    customer = str(p["customer"]) if p.get("customer") else None
    if customer:
        ctx.state.get(customer, "customer", param="customer")
    pi = ctx.state.put(shapes.payment_intent(
        ctx.services.ids.new("pi"), created=ctx.now, livemode=ctx.state.livemode,
        amount=to_int(p["amount"], "amount"), currency=str(p["currency"]).lower(), customer=customer))
    pi.update({"description": p.get("description") or None, "setup_future_usage": None,
               "metadata": apply_metadata({}, p.get("metadata", {}))})
    if p.get("payment_method"):
        pi["payment_method"] = payment_method_for(ctx, str(p["payment_method"]))["id"]
        pi["status"] = "requires_confirmation"
    ctx.services.events.emit(ctx.state, "payment_intent.created", pi, ctx.now)
    if to_bool(p.get("confirm", False), "confirm"):
        return _confirm(ctx, pi, off_session=to_bool(p.get("off_session", False), "off_session"))
    return ctx.render(pi)


def confirm_payment_intent(ctx: Ctx, payment_intent: str) -> dict[str, Any]:
    pi = ctx.state.get(payment_intent, "payment_intent")
    if ctx.params.get("payment_method"):
        pi["payment_method"] = payment_method_for(ctx, str(ctx.params["payment_method"]))["id"]
    if pi["status"] not in ("requires_confirmation", "requires_payment_method", "requires_action"):
        raise invalid_request(f"This PaymentIntent's status is {pi['status']}, so it cannot be "
                              "confirmed.", code="payment_intent_unexpected_state")
    return _confirm(ctx, pi, off_session=to_bool(ctx.params.get("off_session", False), "off_session"))


def payment_method_for(ctx: Ctx, pm_id: str) -> dict[str, Any]:
    """A test token becomes a one-time card of that behaviour; an id must exist."""
    token = CARD_TOKENS.get(pm_id)
    if token is None:
        return ctx.state.get(pm_id, "payment_method", param="payment_method")
    pm = ctx.state.put(shapes.card_payment_method(
        ctx.services.ids.new("pm"), created=ctx.now, livemode=ctx.state.livemode, customer=None,
        brand=token.brand, last4=token.last4, exp_month=12, exp_year=ctx.now.year + 3,
        fingerprint=ctx.services.ids.hex(16), country="US"))
    card = ctx.state.card(pm["id"])
    card.behaviour = token.behaviour
    card.setup_needs_action = token.setup_needs_action
    if not token.attaches:
        card.setup_refusal = token.behaviour.decide(1, ctx.now, ctx.now)
    return pm


def _confirm(ctx: Ctx, pi: dict[str, Any], *, off_session: bool) -> dict[str, Any]:
    if not pi["payment_method"]:
        raise invalid_request("You cannot confirm this PaymentIntent because it's missing a "
                              "payment method.", code="payment_intent_unexpected_state")
    pm = ctx.state.get(str(pi["payment_method"]), "payment_method")
    card = ctx.state.card(pm["id"])
    card.attempts.append(ctx.now)
    decline = card.behaviour.decide(len(card.attempts), ctx.now, card.attempts[0])
    charge = ctx.services.collector.charge_payment_intent(ctx.state, pi, pm, decline, ctx.now,
                                                         amount=pi["amount"])
    events = ctx.services.events
    if decline is None:
        events.emit(ctx.state, "charge.succeeded", charge, ctx.now)
        events.emit(ctx.state, "payment_intent.succeeded", pi, ctx.now)
        return ctx.render(pi)
    if decline.requires_action and not off_session:
        events.emit(ctx.state, "payment_intent.requires_action", pi, ctx.now)
        return ctx.render(pi)  # on-session: the customer completes 3-D Secure
    events.emit(ctx.state, "charge.failed", charge, ctx.now)
    events.emit(ctx.state, "payment_intent.payment_failed", pi, ctx.now)
    error = json_copy(pi["last_payment_error"] or {})
    error["payment_intent"] = json_copy(pi)
    raise StripeError(402, error)


def create_refund(ctx: Ctx) -> dict[str, Any]:
    """Refund a succeeded charge, in full or in part."""
    p = ctx.params
    if p.get("payment_intent"):
        pi = ctx.state.get(str(p["payment_intent"]), "payment_intent", param="payment_intent")
        charge_id = pi["latest_charge"]
    elif p.get("charge"):
        charge_id = str(p["charge"])
    else:
        raise missing_parameter("charge")
    charge = ctx.state.get(str(charge_id), "charge", param="charge")
    remaining = int(charge["amount_captured"]) - int(charge["amount_refunded"])
    amount = to_int(p.get("amount", remaining), "amount")
    if charge["status"] != "succeeded" or remaining <= 0 or not 0 < amount <= remaining:
        raise invalid_request(f"Charge {charge['id']} has already been refunded."
                              if charge["status"] == "succeeded" and remaining <= 0 else
                              f"Refund amount ({amount}) is greater than unrefunded amount on "
                              f"charge ({remaining})" if charge["status"] == "succeeded" else
                              f"Charge {charge['id']} cannot be refunded: it did not succeed.",
                              param="amount" if 0 < remaining < amount else None,
                              code="charge_already_refunded" if remaining <= 0 else None)
    refund = refund_charge(ctx.state, ctx.services.events, ctx.services.ids, charge, amount,
                           p.get("reason") or None, ctx.now)
    return ctx.render(refund)


ROUTES: list[Route] = [
    route("GET", "/v1/charges/{charge}", retrieve_charge, ChargeRetrieveParams),
    route("GET", "/v1/payment_intents/{payment_intent}", retrieve_payment_intent, PaymentIntentRetrieveParams),
    route("POST", "/v1/payment_intents", create_payment_intent, PaymentIntentCreateParams),
    route("POST", "/v1/payment_intents/{payment_intent}/confirm", confirm_payment_intent,
          PaymentIntentConfirmParams),
    route("POST", "/v1/refunds", create_refund, RefundCreateParams),
]
