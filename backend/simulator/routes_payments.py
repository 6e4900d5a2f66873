"""Charge and PaymentIntent reads: where a decline's network outcome is looked up."""

from __future__ import annotations

from typing import Any

from stripe.params import ChargeRetrieveParams, PaymentIntentRetrieveParams

from backend.simulator.routing import Ctx, Route, route


def retrieve_charge(ctx: Ctx, charge: str) -> dict[str, Any]:
    return ctx.render(ctx.state.get(charge, "charge"))


def retrieve_payment_intent(ctx: Ctx, payment_intent: str) -> dict[str, Any]:
    return ctx.render(ctx.state.get(payment_intent, "payment_intent"))


ROUTES: list[Route] = [
    route("GET", "/v1/charges/{charge}", retrieve_charge, ChargeRetrieveParams),
    route("GET", "/v1/payment_intents/{payment_intent}", retrieve_payment_intent, PaymentIntentRetrieveParams),
]
