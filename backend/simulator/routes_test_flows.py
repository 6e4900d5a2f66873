"""The creating calls `stripe trigger` makes for invoice events: customers, invoice items, invoices."""

from __future__ import annotations

from typing import Any

from stripe.params import (
    CustomerCreateParams,
    InvoiceCreateParams,
    InvoiceFinalizeInvoiceParams,
    InvoiceItemCreateParams,
)

from backend.simulator import shapes
from backend.simulator.errors import invalid_request, missing_parameter
from backend.simulator.forms import apply_metadata, to_bool, to_int
from backend.simulator.routes_customers import require_attached
from backend.simulator.routing import Ctx, Route, route


def create_customer(ctx: Ctx) -> dict[str, Any]:
    p = ctx.params
    cus = ctx.state.put(shapes.customer(
        ctx.services.ids.new("cus", 14), created=ctx.now, livemode=ctx.state.livemode,
        email=p.get("email") or None, name=p.get("name") or None, country=None,
        metadata=apply_metadata({}, p.get("metadata", {}))))
    cus["description"] = p.get("description") or None
    ctx.services.events.emit(ctx.state, "customer.created", cus, ctx.now)
    settings = p.get("invoice_settings") or {}
    default = settings.get("default_payment_method") if isinstance(settings, dict) else None
    if default:
        require_attached(ctx.state, str(default), cus["id"], "invoice_settings[default_payment_method]")
        cus["invoice_settings"]["default_payment_method"] = default
    return ctx.render(cus)


def create_invoice_item(ctx: Ctx) -> dict[str, Any]:
    p = ctx.params
    for name in ("customer", "currency", "amount"):
        if name not in p:
            raise missing_parameter(name)
    customer = ctx.state.get(str(p["customer"]), "customer", param="customer")
    item = ctx.state.put({
        "id": ctx.services.ids.new("ii"), "object": "invoiceitem",
        "amount": to_int(p["amount"], "amount"), "currency": str(p["currency"]).lower(),
        "customer": customer["id"], "customer_account": None, "date": shapes.ts(ctx.now),
        "description": p.get("description") or None, "discountable": True, "discounts": [],
        "invoice": None, "livemode": ctx.state.livemode,
        "metadata": apply_metadata({}, p.get("metadata", {})), "net_amount": None,
        "parent": None, "period": {"start": shapes.ts(ctx.now), "end": shapes.ts(ctx.now)},
        "pricing": None, "proration": False, "quantity": 1, "tax_rates": [], "test_clock": None,
    })
    ctx.services.events.emit(ctx.state, "invoiceitem.created", item, ctx.now)
    return ctx.render(item)


def create_invoice(ctx: Ctx) -> dict[str, Any]:
    """A one-off invoice; pending items join it with `pending_invoice_items_behavior=include`."""
    p = ctx.params
    if "customer" not in p:
        raise missing_parameter("customer")
    customer = ctx.state.get(str(p["customer"]), "customer", param="customer")
    pending = [i for i in ctx.state.all("invoiceitem")
               if i["customer"] == customer["id"] and i["invoice"] is None]
    include = p.get("pending_invoice_items_behavior", "exclude") == "include"
    items = pending if include else []
    currency = str(p.get("currency") or (items[0]["currency"] if items else "usd"))
    inv = ctx.services.timeline.create_invoice(
        ctx.state, customer["id"], sum(int(i["amount"]) for i in items), currency, ctx.now,
        billing_reason="manual", subscription=None)
    for item in items:
        item["invoice"] = inv["id"]
    inv["description"] = p.get("description") or None
    # An invoice made through the API waits for the merchant unless auto_advance says otherwise.
    auto_advance = to_bool(p.get("auto_advance", False), "auto_advance")
    inv["auto_advance"] = auto_advance
    if p.get("collection_method") == "send_invoice":
        inv["collection_method"] = "send_invoice"
    if not auto_advance:
        ctx.state.invoices[inv["id"]].finalize_at = None
        inv["automatically_finalizes_at"] = None
    if p.get("default_payment_method"):
        require_attached(ctx.state, str(p["default_payment_method"]), customer["id"],
                         "default_payment_method")
        inv["default_payment_method"] = p["default_payment_method"]
    return ctx.render(inv)


def finalize_invoice(ctx: Ctx, invoice: str) -> dict[str, Any]:
    inv = ctx.state.get(invoice, "invoice")
    if inv["status"] != "draft":
        raise invalid_request("This invoice is already finalized, you can't re-finalize a "
                              "non-draft invoice.", code="invoice_not_editable")
    if "auto_advance" in ctx.params:
        inv["auto_advance"] = to_bool(ctx.params["auto_advance"], "auto_advance")
    ctx.services.collector.finalize(ctx.state, inv, ctx.now)
    return ctx.render(inv)


ROUTES: list[Route] = [
    route("POST", "/v1/customers", create_customer, CustomerCreateParams),
    route("POST", "/v1/invoiceitems", create_invoice_item, InvoiceItemCreateParams),
    route("POST", "/v1/invoices", create_invoice, InvoiceCreateParams),
    route("POST", "/v1/invoices/{invoice}/finalize", finalize_invoice, InvoiceFinalizeInvoiceParams),
]
