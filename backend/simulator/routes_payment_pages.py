"""Payment-mode Checkout Sessions, completed the way `stripe trigger checkout.session.completed` does.

The Stripe CLI's fixture for that event creates a payment-mode session, then reads and confirms
it through `/v1/payment_pages/{session}` and `/v1/payment_pages/{session}/confirm`: the
endpoints Checkout's hosted page calls, which Stripe does not document. The simulator answers
them only as far as that fixture needs: the read returns the Checkout Session (the fixture uses
only its `id`), and the confirm charges the session's total with the given card through a
PaymentIntent and completes the session.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any, NotRequired, TypedDict

from backend.simulator import shapes
from backend.simulator.errors import invalid_request, missing_parameter
from backend.simulator.forms import to_int
from backend.simulator.routes_payments import _confirm, payment_method_for
from backend.simulator.routing import Ctx, Route, route


class PaymentPageRetrieveParams(TypedDict):
    """What the CLI sends to read a payment page: nothing beyond the usual `expand`."""

    expand: NotRequired[list[str]]


class PaymentPageConfirmParams(TypedDict):
    """What the CLI's fixture sends to confirm a payment page."""

    payment_method: NotRequired[str]
    expected_amount: NotRequired[int]
    expand: NotRequired[list[str]]


def _line_total(item: dict[str, Any]) -> tuple[int, str]:
    data = item.get("price_data")
    if not isinstance(data, dict):
        raise invalid_request("The simulator prices payment-mode line items from price_data only.",
                              param="line_items")
    for name in ("currency", "unit_amount"):
        if name not in data:
            raise missing_parameter(f"line_items[0][price_data][{name}]")
    quantity = to_int(item.get("quantity", 1), "quantity")
    return to_int(data["unit_amount"], "unit_amount") * quantity, str(data["currency"]).lower()


def create_payment_session(ctx: Ctx) -> dict[str, Any]:
    """POST /v1/checkout/sessions with mode=payment: an open session for a one-off amount."""
    p = ctx.params
    items = p.get("line_items")
    if not isinstance(items, list) or not items:
        raise missing_parameter("line_items")
    totals = [_line_total(item) for item in items]
    currencies = {currency for _, currency in totals}
    if len(currencies) != 1:
        raise invalid_request("All line items must use the same currency.", param="line_items")
    amount = sum(total for total, _ in totals)
    customer = str(p["customer"]) if p.get("customer") else None
    if customer:
        ctx.state.get(customer, "customer", param="customer")
    prefix = "cs_live" if ctx.state.livemode else "cs_test"
    session_id = ctx.services.ids.new(prefix, 58)
    allowed = p.get("allowed_payment_method_types")
    session = ctx.state.put({
        "id": session_id, "object": "checkout.session",
        "allowed_payment_method_types": list(allowed) if allowed else None,
        "amount_subtotal": amount, "amount_total": amount,
        "automatic_tax": {"enabled": False, "liability": None, "provider": None, "status": None},
        "billing_address_collection": None, "cancel_url": p.get("cancel_url"),
        "client_reference_id": p.get("client_reference_id"), "created": shapes.ts(ctx.now),
        "currency": currencies.pop(), "custom_fields": [],
        "custom_text": {"after_submit": None, "shipping_address": None, "submit": None,
                        "terms_of_service_acceptance": None},
        "customer": customer, "customer_creation": None if customer else "if_required",
        "customer_details": None, "customer_email": p.get("customer_email"),
        "expires_at": shapes.ts(ctx.now + timedelta(hours=24)), "invoice": None,
        "livemode": ctx.state.livemode, "locale": None,
        "metadata": dict(p.get("metadata") or {}), "mode": "payment", "origin_context": None,
        "payment_intent": None, "payment_link": None, "payment_method_collection": "if_required",
        "payment_method_types": list(allowed or ["card"]), "payment_status": "unpaid",
        "redirect_on_completion": None, "setup_intent": None, "shipping_options": [],
        "status": "open", "submit_type": None, "subscription": None,
        "success_url": p.get("success_url"),
        "total_details": {"amount_discount": 0, "amount_shipping": 0, "amount_tax": 0},
        "ui_mode": "hosted_page", "url": f"https://checkout.stripe.com/c/pay/{session_id}",
    })
    return ctx.render(session)


def retrieve_payment_page(ctx: Ctx, session: str) -> dict[str, Any]:
    """GET /v1/payment_pages/{session}: the page's session, whose `id` the fixture reads."""
    return ctx.render(ctx.state.get(session, "checkout.session", param="session"))


def confirm_payment_page(ctx: Ctx, session: str) -> dict[str, Any]:
    """POST /v1/payment_pages/{session}/confirm: pay the session's total with the given card."""
    cs = ctx.state.get(session, "checkout.session", param="session")
    if cs["mode"] != "payment" or cs["status"] != "open":
        raise invalid_request(f"This Checkout Session is {cs['status']} in {cs['mode']} mode, so "
                              "its payment page cannot be confirmed.", param="session")
    if not ctx.params.get("payment_method"):
        raise missing_parameter("payment_method")
    expected = ctx.params.get("expected_amount")
    if expected is not None and to_int(expected, "expected_amount") != cs["amount_total"]:
        raise invalid_request(f"expected_amount ({expected}) does not match the session's total "
                              f"({cs['amount_total']}).", param="expected_amount")
    pm = payment_method_for(ctx, str(ctx.params["payment_method"]))
    pi = ctx.state.put(shapes.payment_intent(
        ctx.services.ids.new("pi"), created=ctx.now, livemode=ctx.state.livemode,
        amount=int(cs["amount_total"]), currency=str(cs["currency"]), customer=cs["customer"]))
    pi.update({"description": None, "setup_future_usage": None, "payment_method": pm["id"],
               "status": "requires_confirmation"})
    cs["payment_intent"] = pi["id"]
    ctx.services.events.emit(ctx.state, "payment_intent.created", pi, ctx.now)
    _confirm(ctx, pi, off_session=False)  # a decline answers the 402 and leaves the session open
    if pi["status"] != "succeeded":
        return ctx.render(cs)  # 3-D Secure pending: the page waits for the customer
    email = pm["billing_details"]["email"] or cs["customer_email"]
    cs.update({"status": "complete", "payment_status": "paid",
               "customer_details": {"address": None, "business_name": None, "email": email,
                                    "individual_name": None, "name": None, "phone": None,
                                    "tax_exempt": "none", "tax_ids": []}})
    ctx.services.events.emit(ctx.state, "checkout.session.completed", cs, ctx.now)
    return ctx.render(cs)


ROUTES: list[Route] = [
    route("GET", "/v1/payment_pages/{session}", retrieve_payment_page, PaymentPageRetrieveParams),
    route("POST", "/v1/payment_pages/{session}/confirm", confirm_payment_page,
          PaymentPageConfirmParams),
]
