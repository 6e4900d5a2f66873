"""Every Stripe API operation the gateway sends: its HTTP method and path, and what permits it.

The gateway sends these through stripe-python's `raw_request_async` and reads Stripe's JSON as it
comes, rather than through the typed service methods, which build a StripeObject tree for every
answer only for the gateway to turn it back into dicts: for an invoice with its payments expanded
that costs about a hundred times the JSON parse, and a retry reads four invoices. The SDK still
does everything else (keys, Stripe-Account, the pinned version, retries, errors), and the
parameters are still built as the SDK's TypedDicts (`params.py`).

`resource` and `action` are the names the SDK's services use (`client.v1.invoices.pay_async`), so
the permissions the app asks for can be derived from the operations the gateway uses
(tests/test_stripe_app_permissions.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal
from urllib.parse import quote_plus


@dataclass(frozen=True)
class Endpoint:
    resource: str  # "invoices", "customers.payment_methods"
    action: str  # "retrieve", "list", "pay", ...
    http_method: Literal["get", "post", "delete"]
    path: str  # "{}" for each id, in order

    def url(self, *ids: str) -> str:
        """The path with its ids quoted the way stripe-python quotes them."""
        return self.path.format(*(quote_plus(i) for i in ids))


INVOICE = Endpoint("invoices", "retrieve", "get", "/v1/invoices/{}")
INVOICES = Endpoint("invoices", "list", "get", "/v1/invoices")
PAY_INVOICE = Endpoint("invoices", "pay", "post", "/v1/invoices/{}/pay")
UPDATE_INVOICE = Endpoint("invoices", "update", "post", "/v1/invoices/{}")
VOID_INVOICE = Endpoint("invoices", "void_invoice", "post", "/v1/invoices/{}/void")
MARK_INVOICE_UNCOLLECTIBLE = Endpoint("invoices", "mark_uncollectible", "post", "/v1/invoices/{}/mark_uncollectible")
INVOICE_PAYMENTS = Endpoint("invoice_payments", "list", "get", "/v1/invoice_payments")
CHARGE = Endpoint("charges", "retrieve", "get", "/v1/charges/{}")
SUBSCRIPTION = Endpoint("subscriptions", "retrieve", "get", "/v1/subscriptions/{}")
UPDATE_SUBSCRIPTION = Endpoint("subscriptions", "update", "post", "/v1/subscriptions/{}")
CANCEL_SUBSCRIPTION = Endpoint("subscriptions", "cancel", "delete", "/v1/subscriptions/{}")
CUSTOMER = Endpoint("customers", "retrieve", "get", "/v1/customers/{}")
UPDATE_CUSTOMER = Endpoint("customers", "update", "post", "/v1/customers/{}")
CUSTOMER_PAYMENT_METHODS = Endpoint("customers.payment_methods", "list", "get", "/v1/customers/{}/payment_methods")
CREATE_CHECKOUT_SESSION = Endpoint("checkout.sessions", "create", "post", "/v1/checkout/sessions")
CHECKOUT_SESSION = Endpoint("checkout.sessions", "retrieve", "get", "/v1/checkout/sessions/{}")
CREATE_SECRET = Endpoint("apps.secrets", "create", "post", "/v1/apps/secrets")
FIND_SECRET = Endpoint("apps.secrets", "find", "get", "/v1/apps/secrets/find")
