"""The app asks installers for exactly the permissions its backend uses, each explained in full.

The set is derived from the code: every Stripe endpoint the gateway sends (`endpoints.py`),
every object it expands, and every event type Recoup handles.
"""

from __future__ import annotations

import ast
import json
from pathlib import Path

from backend.adapters.stripe import endpoints, gateway, params
from backend.adapters.stripe.events import HANDLED_EVENT_TYPES

ROOT = Path(__file__).resolve().parent.parent
MANIFEST = ROOT / "stripe-app" / "stripe-app.json"

# Stripe's permission name for each API resource the gateway calls.
RESOURCE_PERMISSION = {
    "invoices": "invoice",
    "invoice_payments": "invoice",
    "subscriptions": "subscription",
    "customers": "customer",
    "customers.payment_methods": "payment_method",
    "checkout.sessions": "checkout_session",
    "charges": "charge",
    "apps.secrets": "secret",
}
READ_METHODS = {"retrieve", "list", "find"}
# The Secret Store has one permission for reading and writing (there is no secret_read).
ONLY_WRITE = {"secret"}
# Objects an expansion pulls into a response need their own read permission.
EXPANDED_PERMISSION = {"payment_intent": "payment_intent_read"}
# Event types need event_read plus the read permission of the object they carry.
EVENT_PERMISSION = [
    ("account.application.", None),
    ("invoice.", "invoice_read"),
    ("customer.subscription.", "subscription_read"),
    ("customer.", "customer_read"),
    ("checkout.session.", "checkout_session_read"),
    ("payment_method.", "payment_method_read"),
    ("charge.dispute.", "dispute_read"),
    ("charge.", "charge_read"),
]
# What each write must be named for in its permission's purpose, so an installer sees every use.
PURPOSE_MUST_SAY = {
    ("invoices", "pay"): "retry payment",
    ("invoices", "update"): "automatic collection",
    ("invoices", "void_invoice"): "void",
    ("invoices", "mark_uncollectible"): "uncollectible",
    ("subscriptions", "update"): "subscription",
    ("subscriptions", "cancel"): "cancel",
    ("customers", "update"): "default",
    ("checkout.sessions", "create"): "new card",
    ("apps.secrets", "create"): "store",
    ("apps.secrets", "find"): "read them",
}


def gateway_operations() -> set[tuple[str, str]]:
    """Every (resource, action) the gateway sends: each `endpoints.<NAME>` the gateway's code names."""
    tree = ast.parse(Path(gateway.__file__).read_text())
    named = {node.attr for node in ast.walk(tree)
             if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "endpoints"}
    sent = [getattr(endpoints, name) for name in named]
    assert all(isinstance(endpoint, endpoints.Endpoint) for endpoint in sent)
    return {(endpoint.resource, endpoint.action) for endpoint in sent}


def _permission_for(resource: str, method: str) -> str:
    assert resource in RESOURCE_PERMISSION, f"the gateway now calls {resource}: map it to a permission"
    name = RESOURCE_PERMISSION[resource]
    reads = method in READ_METHODS and name not in ONLY_WRITE
    return f"{name}_read" if reads else f"{name}_write"


def _event_permission(event_type: str) -> str | None:
    for prefix, permission in EVENT_PERMISSION:
        if event_type.startswith(prefix):
            return permission
    raise AssertionError(f"Recoup now handles {event_type}: say which permission it needs")


def required_permissions() -> set[str]:
    needed = {_permission_for(resource, method) for resource, method in gateway_operations()}
    for path in params.INVOICE_EXPAND:
        if (expanded := path.rsplit(".", 1)[-1]) in EXPANDED_PERMISSION:
            needed.add(EXPANDED_PERMISSION[expanded])
    needed.add("event_read")
    needed |= {p for t in HANDLED_EVENT_TYPES if (p := _event_permission(t)) is not None}
    return needed


def manifest_permissions() -> dict[str, str]:
    manifest = json.loads(MANIFEST.read_text())
    return {entry["permission"]: entry["purpose"] for entry in manifest["permissions"]}


def test_the_app_asks_for_exactly_what_the_backend_uses() -> None:
    assert set(manifest_permissions()) == required_permissions()


def test_the_derivation_sees_the_calls_that_move_money() -> None:
    operations = gateway_operations()

    assert ("invoices", "pay") in operations
    assert ("customers.payment_methods", "list") in operations
    assert "invoice.payment_failed" in HANDLED_EVENT_TYPES


def test_every_write_is_named_in_its_permissions_purpose() -> None:
    purposes = manifest_permissions()

    for resource, method in gateway_operations():
        permission = _permission_for(resource, method)
        if not permission.endswith("_write"):
            continue
        assert (resource, method) in PURPOSE_MUST_SAY, f"explain {resource}.{method} in {permission}'s purpose"
        assert PURPOSE_MUST_SAY[resource, method] in purposes[permission].lower(), (resource, method)
