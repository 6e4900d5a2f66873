"""Customer and payment-method endpoints."""

from __future__ import annotations

from typing import Any

from stripe.params import (
    CustomerPaymentMethodListParams,
    CustomerRetrieveParams,
    CustomerUpdateParams,
    PaymentMethodAttachParams,
    PaymentMethodDetachParams,
    PaymentMethodListParams,
    PaymentMethodRetrieveParams,
)

from backend.simulator import shapes
from backend.simulator.card_tokens import CARD_TOKENS
from backend.simulator.errors import StripeError, invalid_request, missing_parameter
from backend.simulator.expand import paginate
from backend.simulator.forms import apply_metadata
from backend.simulator.json_copy import json_copy
from backend.simulator.routing import Ctx, Route, route
from backend.simulator.state import AccountState


def retrieve(ctx: Ctx, customer: str) -> dict[str, Any]:
    return ctx.render(ctx.state.get(customer, "customer"))


def update(ctx: Ctx, customer: str) -> dict[str, Any]:
    cus = ctx.state.get(customer, "customer")
    p = ctx.params
    before = json_copy(cus)
    if "metadata" in p:
        cus["metadata"] = apply_metadata(cus["metadata"], p["metadata"])
    for field in ("email", "name", "description", "phone"):
        if field in p:
            cus[field] = p[field] or None
    if isinstance(p.get("address"), dict):
        cus["address"].update({k: v or None for k, v in p["address"].items()})
    if "preferred_locales" in p:
        cus["preferred_locales"] = list(p["preferred_locales"] or [])
    settings = p.get("invoice_settings")
    if isinstance(settings, dict) and "default_payment_method" in settings:
        pm_id = settings["default_payment_method"] or None
        if pm_id:
            require_attached(ctx.state, pm_id, customer, "invoice_settings[default_payment_method]")
        cus["invoice_settings"]["default_payment_method"] = pm_id
    ctx.services.events.emit_update(ctx.state, "customer.updated", before, cus, ctx.now)
    return ctx.render(cus)


def require_attached(state: AccountState, pm_id: str, customer: str, param: str) -> None:
    pm = state.get(pm_id, "payment_method", param=param)
    if pm["customer"] != customer:
        raise invalid_request(
            f"The customer does not have a payment method with the ID {pm_id}. The payment "
            "method must be attached to the customer.", param=param)


def _cards(ctx: Ctx, customer: str) -> list[dict[str, Any]]:
    ctx.state.get(customer, "customer", param="customer")
    kind = ctx.params.get("type")
    return [pm for pm in ctx.state.all("payment_method")
            if pm["customer"] == customer and (not kind or pm["type"] == kind)]


def list_customer_payment_methods(ctx: Ctx, customer: str) -> dict[str, Any]:
    return paginate(ctx.state, _cards(ctx, customer), ctx.params,
                    f"/v1/customers/{customer}/payment_methods", ctx.expand)


def list_payment_methods(ctx: Ctx) -> dict[str, Any]:
    customer = ctx.params.get("customer")
    if not customer:
        # Every card here is attached to a customer, so an unfiltered listing has nothing to show.
        return paginate(ctx.state, [], ctx.params, "/v1/payment_methods", ctx.expand)
    return paginate(ctx.state, _cards(ctx, str(customer)), ctx.params, "/v1/payment_methods",
                    ctx.expand)


def retrieve_payment_method(ctx: Ctx, payment_method: str) -> dict[str, Any]:
    return ctx.render(ctx.state.get(payment_method, "payment_method"))


def attach_payment_method(ctx: Ctx, payment_method: str) -> dict[str, Any]:
    """Attach a card; a `pm_card_*` test token becomes a new card with that card's behaviour."""
    customer = ctx.params.get("customer")
    if not customer:
        raise missing_parameter("customer")
    ctx.state.get(str(customer), "customer", param="customer")
    token = CARD_TOKENS.get(payment_method)
    if token is not None:
        if not token.attaches:
            decline = token.behaviour.decide(1, ctx.now, ctx.now)
            if decline is not None:
                raise StripeError(402, {"type": "card_error", "code": decline.code,
                                        "decline_code": decline.decline_code,
                                        "message": decline.message, "param": "payment_method"})
        pm = ctx.state.put(shapes.card_payment_method(
            ctx.services.ids.new("pm"), created=ctx.now, livemode=ctx.state.livemode,
            customer=None, brand=token.brand, last4=token.last4, exp_month=12,
            exp_year=ctx.now.year + 3, fingerprint=ctx.services.ids.hex(16), country="US"))
        ctx.state.card(pm["id"]).behaviour = token.behaviour
    else:
        pm = ctx.state.get(payment_method, "payment_method")
    if pm["customer"] not in (None, customer):
        raise invalid_request(
            "The payment method you provided has already been attached to a customer.",
            param="payment_method")
    if pm["customer"] is None:
        pm["customer"] = customer
        ctx.services.events.emit(ctx.state, "payment_method.attached", pm, ctx.now)
    return ctx.render(pm)


def detach_payment_method(ctx: Ctx, payment_method: str) -> dict[str, Any]:
    """Detach a card; a customer or subscription default that named it is unset, as at Stripe."""
    pm = ctx.state.get(payment_method, "payment_method")
    customer_id = pm["customer"]
    if customer_id is None:
        raise invalid_request(f"The payment method {payment_method} is not attached to a customer.")
    cus = ctx.state.get(str(customer_id), "customer")
    if cus["invoice_settings"]["default_payment_method"] == payment_method:
        before = json_copy(cus)
        cus["invoice_settings"]["default_payment_method"] = None
        ctx.services.events.emit_update(ctx.state, "customer.updated", before, cus, ctx.now)
    for sub in ctx.state.all("subscription"):
        if sub["default_payment_method"] == payment_method:
            before = json_copy(sub)
            sub["default_payment_method"] = None
            ctx.services.events.emit_update(ctx.state, "customer.subscription.updated", before,
                                            sub, ctx.now)
    pm["customer"] = None
    ctx.services.events.emit(ctx.state, "payment_method.detached", pm, ctx.now,
                             previous={"customer": customer_id})
    return ctx.render(pm)


ROUTES: list[Route] = [
    route("GET", "/v1/customers/{customer}", retrieve, CustomerRetrieveParams),
    route("POST", "/v1/customers/{customer}", update, CustomerUpdateParams),
    route("GET", "/v1/customers/{customer}/payment_methods", list_customer_payment_methods,
          CustomerPaymentMethodListParams),
    route("GET", "/v1/payment_methods", list_payment_methods, PaymentMethodListParams),
    route("GET", "/v1/payment_methods/{payment_method}", retrieve_payment_method,
          PaymentMethodRetrieveParams),
    route("POST", "/v1/payment_methods/{payment_method}/attach", attach_payment_method,
          PaymentMethodAttachParams),
    route("POST", "/v1/payment_methods/{payment_method}/detach", detach_payment_method,
          PaymentMethodDetachParams),
]
