"""Invoice endpoints: retrieve, update, pay, void, mark_uncollectible, list, invoice_payments."""

from __future__ import annotations

from typing import Any

from stripe.params import (
    InvoiceListParams,
    InvoiceMarkUncollectibleParams,
    InvoicePaymentListParams,
    InvoicePayParams,
    InvoiceRetrieveParams,
    InvoiceUpdateParams,
    InvoiceVoidInvoiceParams,
)

from backend.simulator import shapes
from backend.simulator.collection import subscription_of
from backend.simulator.errors import StripeError, invalid_request, missing_parameter
from backend.simulator.expand import created_filter, matches_range, paginate
from backend.simulator.forms import apply_metadata, to_bool
from backend.simulator.json_copy import json_copy
from backend.simulator.routing import Ctx, Route, route


def retrieve(ctx: Ctx, invoice: str) -> dict[str, Any]:
    return ctx.render(ctx.state.get(invoice, "invoice"))


def update(ctx: Ctx, invoice: str) -> dict[str, Any]:
    inv = ctx.state.get(invoice, "invoice")
    params = ctx.params
    if inv["status"] in ("void", "paid", "uncollectible") and set(params) - {"metadata", "expand"}:
        raise invalid_request(f"You can only update metadata on a {inv['status']} invoice.")
    before = json_copy(inv)
    if "metadata" in params:
        inv["metadata"] = apply_metadata(inv["metadata"], params["metadata"])
    if "auto_advance" in params:
        inv["auto_advance"] = to_bool(params["auto_advance"], "auto_advance")
        # Turning automatic collection off is how a merchant stops Stripe's own retries.
        ctx.services.collector.schedule_retry(ctx.state, inv)
    for field in ("description", "footer"):
        if field in params:
            inv[field] = params[field] or None
    if "default_payment_method" in params:
        pm = params["default_payment_method"] or None
        if pm:
            ctx.state.get(pm, "payment_method", param="default_payment_method")
        inv["default_payment_method"] = pm
    ctx.services.events.emit_update(ctx.state, "invoice.updated", before, inv, ctx.now)
    return ctx.render(inv)


def pay(ctx: Ctx, invoice: str) -> dict[str, Any]:
    inv = ctx.state.get(invoice, "invoice")
    if inv["status"] == "paid":
        raise invalid_request("Invoice is already paid")
    if inv["status"] == "void":
        raise invalid_request("This invoice is void and can no longer be paid.")
    if inv["status"] == "draft":
        ctx.services.collector.finalize(ctx.state, inv, ctx.now)
    if to_bool(ctx.params.get("paid_out_of_band", False), "paid_out_of_band"):
        ctx.services.collector.pay_out_of_band(ctx.state, inv, ctx.now)
        return ctx.render(inv)
    # Invoice Pay charges off-session unless told otherwise (InvoicePayParams: default true).
    off_session = to_bool(ctx.params.get("off_session", True), "off_session")
    decline = ctx.services.collector.attempt(
        ctx.state, inv, ctx.now, automatic=False, payment_method=ctx.params.get("payment_method"))
    if decline is not None:
        if decline.requires_action and not off_session:
            raise _requires_action(ctx, inv)
        raise _card_error(ctx, inv)
    return ctx.render(inv)


def _card_error(ctx: Ctx, inv: dict[str, Any]) -> StripeError:
    """402 carrying the decline and, like Stripe, the PaymentIntent and PaymentMethod objects."""
    pi = ctx.state.get(str(ctx.state.invoices[inv["id"]].payment_intent), "payment_intent")
    error = json_copy(pi["last_payment_error"] or {})
    error["payment_intent"] = json_copy(pi)
    error.setdefault("type", "card_error")
    return StripeError(402, error)


def _requires_action(ctx: Ctx, inv: dict[str, Any]) -> StripeError:
    """On-session payment that needs 3-D Secure: the customer must confirm the PaymentIntent."""
    pi = ctx.state.get(str(ctx.state.invoices[inv["id"]].payment_intent), "payment_intent")
    return StripeError(402, {
        "type": "card_error", "code": "invoice_payment_intent_requires_action",
        "doc_url": "https://stripe.com/docs/error-codes/invoice-payment-intent-requires-action",
        "message": ("This payment requires additional user action before it can be completed "
                    "successfully. Payment can be completed using the PaymentIntent associated "
                    "with the invoice. For more details see: "
                    "https://stripe.com/docs/billing/subscriptions/overview#requires-action"),
        "payment_intent": json_copy(pi),
    })


def void(ctx: Ctx, invoice: str) -> dict[str, Any]:
    inv = ctx.state.get(invoice, "invoice")
    if inv["status"] not in ("open", "uncollectible"):
        raise invalid_request(f"You can only void an open or uncollectible invoice; this invoice "
                              f"is {inv['status']}.")
    before = json_copy(inv)
    inv.update({"status": "void", "next_payment_attempt": None, "auto_advance": False})
    inv["status_transitions"]["voided_at"] = shapes.ts(ctx.now)
    _cancel_payment(ctx, inv)
    ctx.services.events.emit_update(ctx.state, "invoice.updated", before, inv, ctx.now)
    ctx.services.events.emit(ctx.state, "invoice.voided", inv, ctx.now)
    return ctx.render(inv)


def mark_uncollectible(ctx: Ctx, invoice: str) -> dict[str, Any]:
    inv = ctx.state.get(invoice, "invoice")
    if inv["status"] != "open":
        raise invalid_request(f"You can only mark an open invoice as uncollectible; this invoice "
                              f"is {inv['status']}.")
    ctx.services.collector.mark_uncollectible(ctx.state, inv, ctx.now, reason=None)
    return ctx.render(inv)


def _cancel_payment(ctx: Ctx, inv: dict[str, Any]) -> None:
    meta = ctx.state.invoices[inv["id"]]
    if meta.payment_intent:
        pi = ctx.state.get(meta.payment_intent, "payment_intent")
        pi.update({"status": "canceled", "canceled_at": shapes.ts(ctx.now),
                   "cancellation_reason": "void_invoice"})
    if meta.invoice_payment:
        payment = ctx.state.get(meta.invoice_payment, "invoice_payment")
        payment["status"] = "canceled"
        payment["status_transitions"]["canceled_at"] = shapes.ts(ctx.now)


def list_invoices(ctx: Ctx) -> dict[str, Any]:
    p = ctx.params
    created = created_filter(p["created"]) if "created" in p else []
    due = created_filter(p["due_date"], "due_date") if "due_date" in p else []
    items = [inv for inv in ctx.state.all("invoice")
             if (not p.get("status") or inv["status"] == p["status"])
             and (not p.get("collection_method") or inv["collection_method"] == p["collection_method"])
             and (not p.get("customer") or inv["customer"] == p["customer"])
             and (not p.get("subscription") or subscription_of(inv) == p["subscription"])
             and matches_range(inv["created"], created)
             and (not due or matches_range(inv["due_date"], due))]
    return paginate(ctx.state, items, p, "/v1/invoices", ctx.expand)


def list_invoice_payments(ctx: Ctx) -> dict[str, Any]:
    p = ctx.params
    payment = p.get("payment") or {}
    if payment and not payment.get("type"):
        raise missing_parameter("payment[type]")
    candidates = ctx.state.payments_of(p["invoice"]) if p.get("invoice") else ctx.state.all("invoice_payment")
    items = [ip for ip in candidates
             if (not p.get("invoice") or ip["invoice"] == p["invoice"])
             and (not p.get("status") or ip["status"] == p["status"])
             and (not payment or (ip["payment"]["type"] == payment["type"]
                                  and all(ip["payment"].get(k) == v for k, v in payment.items())))]
    return paginate(ctx.state, items, p, "/v1/invoice_payments", ctx.expand)


ROUTES: list[Route] = [
    route("GET", "/v1/invoices", list_invoices, InvoiceListParams),
    route("GET", "/v1/invoice_payments", list_invoice_payments, InvoicePaymentListParams),
    route("GET", "/v1/invoices/{invoice}", retrieve, InvoiceRetrieveParams),
    route("POST", "/v1/invoices/{invoice}", update, InvoiceUpdateParams),
    route("POST", "/v1/invoices/{invoice}/pay", pay, InvoicePayParams),
    route("POST", "/v1/invoices/{invoice}/void", void, InvoiceVoidInvoiceParams),
    route("POST", "/v1/invoices/{invoice}/mark_uncollectible", mark_uncollectible,
          InvoiceMarkUncollectibleParams),
]
