"""The creating calls `stripe trigger` makes for invoice events: customers, invoice items, invoices."""

from __future__ import annotations

from typing import Any

from stripe.params import (
    CustomerCreateParams,
    InvoiceCreateParams,
    InvoiceFinalizeInvoiceParams,
    InvoiceItemCreateParams,
    PriceCreateParams,
    ProductCreateParams,
    SubscriptionCreateParams,
)

from backend.simulator import shapes
from backend.simulator.errors import invalid_request, missing_parameter
from backend.simulator.forms import apply_metadata, to_bool, to_int
from backend.simulator.routes_customers import attach_payment_method, require_attached
from backend.simulator.routing import Ctx, Route, route
from backend.simulator.state import SubscriptionState
from backend.simulator.timeline import add_interval


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
    if p.get("payment_method"):
        # `payment_method` attaches at creation; a default naming the same token means that card.
        token = str(p["payment_method"])
        attached = attach_payment_method(_with_params(ctx, {"customer": cus["id"]}), token)
        default = attached["id"] if default == token else default
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
        "pricing": None, "proration": False, "quantity": 1, "quantity_decimal": "1",
        "tax_rates": [], "test_clock": None,
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


def _with_params(ctx: Ctx, params: dict[str, Any]) -> Ctx:
    return Ctx(ctx.state, ctx.now, params, [], ctx.services)


def create_product(ctx: Ctx) -> dict[str, Any]:
    p = ctx.params
    if not p.get("name"):
        raise missing_parameter("name")
    product = ctx.state.put({
        "id": ctx.services.ids.new("prod", 14), "object": "product", "active": True,
        "created": shapes.ts(ctx.now), "default_price": None,
        "description": p.get("description") or None, "images": [],
        "livemode": ctx.state.livemode, "marketing_features": [],
        "metadata": apply_metadata({}, p.get("metadata", {})), "name": p["name"],
        "package_dimensions": None, "shippable": None, "statement_descriptor": None,
        "tax_code": None, "type": "service", "unit_label": None, "updated": shapes.ts(ctx.now),
        "url": None,
    })
    ctx.services.events.emit(ctx.state, "product.created", product, ctx.now)
    return ctx.render(product)


def create_price(ctx: Ctx) -> dict[str, Any]:
    p = ctx.params
    for name in ("currency", "product"):
        if name not in p:
            raise missing_parameter(name)
    product = ctx.state.get(str(p["product"]), "product", param="product")
    recurring = p.get("recurring") if isinstance(p.get("recurring"), dict) else None
    price = ctx.state.put(shapes.price(
        ctx.services.ids.new("price"), created=ctx.now, livemode=ctx.state.livemode,
        amount=to_int(p.get("unit_amount", 0), "unit_amount"), currency=str(p["currency"]).lower(),
        interval=str(recurring["interval"]) if recurring else "month", product=product["id"]))
    if recurring is None:
        price.update({"recurring": None, "type": "one_time"})
    ctx.services.events.emit(ctx.state, "price.created", price, ctx.now)
    return ctx.render(price)


def create_subscription(ctx: Ctx) -> dict[str, Any]:
    """Start a subscription on one recurring price and charge its first invoice at once."""
    p = ctx.params
    if "customer" not in p:
        raise missing_parameter("customer")
    customer = ctx.state.get(str(p["customer"]), "customer", param="customer")
    items = p.get("items") or []
    if not isinstance(items, list) or len(items) != 1 or not isinstance(items[0], dict):
        raise invalid_request("The simulator models subscriptions with exactly one item.",
                              param="items")
    price = ctx.state.get(str(items[0].get("price")), "price", param="items[0][price]")
    if price["recurring"] is None:
        raise invalid_request("The price specified is set to `type=one_time` but this field "
                              "only accepts prices with `type=recurring`.", param="items[0][price]")
    default = p.get("default_payment_method") or None
    if default:
        require_attached(ctx.state, str(default), customer["id"], "default_payment_method")
    interval = str(price["recurring"]["interval"])
    end = add_interval(ctx.now, interval)
    sub = ctx.state.put(shapes.subscription(
        ctx.services.ids.new("sub"), created=ctx.now, livemode=ctx.state.livemode,
        customer=customer["id"], item_id=ctx.services.ids.new("si", 14), price_id=price["id"],
        product_id=str(price["product"]), amount=int(price["unit_amount"] or 0),
        currency=price["currency"], interval=interval, period_start=ctx.now, period_end=end,
        default_payment_method=default, metadata=apply_metadata({}, p.get("metadata", {}))))
    # Until its first invoice is paid a new subscription is incomplete.
    sub["status"] = "incomplete"
    ctx.state.subscriptions[sub["id"]] = SubscriptionState(int(price["unit_amount"] or 0),
                                                           price["currency"], interval)
    ctx.services.events.emit(ctx.state, "customer.subscription.created", sub, ctx.now)
    inv = ctx.services.timeline.create_invoice(
        ctx.state, customer["id"], int(price["unit_amount"] or 0), price["currency"], ctx.now,
        billing_reason="subscription_create", subscription=sub, period=(ctx.now, end))
    sub["latest_invoice"] = inv["id"]
    ctx.services.collector.finalize(ctx.state, inv, ctx.now)
    ctx.services.collector.attempt(ctx.state, inv, ctx.now, automatic=True)
    return ctx.render(sub)


ROUTES: list[Route] = [
    route("POST", "/v1/products", create_product, ProductCreateParams),
    route("POST", "/v1/prices", create_price, PriceCreateParams),
    route("POST", "/v1/subscriptions", create_subscription, SubscriptionCreateParams),
    route("POST", "/v1/customers", create_customer, CustomerCreateParams),
    route("POST", "/v1/invoiceitems", create_invoice_item, InvoiceItemCreateParams),
    route("POST", "/v1/invoices", create_invoice, InvoiceCreateParams),
    route("POST", "/v1/invoices/{invoice}/finalize", finalize_invoice, InvoiceFinalizeInvoiceParams),
]
