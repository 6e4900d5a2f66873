"""POST /v1/payment_methods from Stripe's documented card tokens (`tok_visa`, …), as the CLI sends.

`stripe trigger`'s Checkout fixtures create their card with `type=card&card[token]=tok_visa`.
Each `tok_*` test token is the same test card as its `pm_card_*` PaymentMethod, so it gets
that card's behaviour. Raw card numbers are not modelled: test integrations use tokens.
"""

from __future__ import annotations

from typing import Any

from stripe.params import PaymentMethodCreateParams

from backend.simulator.card_tokens import CARD_TOKENS
from backend.simulator.errors import invalid_request, missing_parameter, resource_missing
from backend.simulator.forms import apply_metadata
from backend.simulator.routes_payments import payment_method_for
from backend.simulator.routing import Ctx, Route, route

_ADDRESS_FIELDS = ("city", "country", "line1", "line2", "postal_code", "state")


def create_payment_method(ctx: Ctx) -> dict[str, Any]:
    p = ctx.params
    if not p.get("type"):
        raise missing_parameter("type")
    if p["type"] != "card":
        raise invalid_request("The simulator creates card PaymentMethods only.", param="type")
    card = p.get("card")
    token = card.get("token") if isinstance(card, dict) else None
    if not token:
        raise missing_parameter("card[token]")
    test_card = f"pm_card_{str(token).removeprefix('tok_')}"
    if not str(token).startswith("tok_") or test_card not in CARD_TOKENS:
        raise resource_missing("token", str(token), param="card[token]")
    pm = payment_method_for(ctx, test_card)
    details = p.get("billing_details")
    if isinstance(details, dict):
        address = details.get("address")
        pm["billing_details"].update({
            "email": details.get("email") or None, "name": details.get("name") or None,
            "phone": details.get("phone") or None,
            "address": ({f: address.get(f) or None for f in _ADDRESS_FIELDS}
                        if isinstance(address, dict) else None),
        })
    pm["metadata"] = apply_metadata({}, p.get("metadata", {}))
    return ctx.render(pm)


ROUTES: list[Route] = [
    route("POST", "/v1/payment_methods", create_payment_method, PaymentMethodCreateParams),
]
