"""The ports the use cases need; adapters implement them."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from typing import Protocol

from backend.domain.billing import (
    Card,
    CheckoutSession,
    Customer,
    Invoice,
    InvoicePayment,
    PayOutcome,
    SettledCharge,
    StripeAccount,
    Subscription,
)
from backend.domain.takeover import InvoicePage


class Clock(Protocol):
    def now(self) -> datetime:
        """Return the current time as an aware UTC datetime."""
        ...


class StripeUnavailable(Exception):
    """Stripe could not be reached or kept failing (429/5xx/timeouts) after retries: try later."""


class StripeRequestRejected(Exception):
    """Stripe refused the request itself (invalid_request_error, permission, missing object): do not retry."""

    def __init__(self, message: str, *, code: str | None = None, param: str | None = None,
                 http_status: int | None = None, request_id: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.param = param
        self.http_status = http_status
        self.request_id = request_id


class StripeGateway(Protocol):
    """Everything Recoup does to Stripe, on behalf of one installed account.

    Every write takes an idempotency key derived from Recoup's own durable ids.
    """

    async def retrieve_invoice(self, account: StripeAccount, invoice_id: str) -> Invoice: ...

    async def pay_invoice(self, account: StripeAccount, invoice_id: str, *, idempotency_key: str,
                          payment_method: str | None = None) -> PayOutcome: ...

    async def update_invoice(self, account: StripeAccount, invoice_id: str, *, idempotency_key: str,
                             metadata: dict[str, str] | None = None,
                             auto_advance: bool | None = None) -> Invoice: ...

    async def void_invoice(self, account: StripeAccount, invoice_id: str, *,
                           idempotency_key: str) -> Invoice: ...

    async def mark_invoice_uncollectible(self, account: StripeAccount, invoice_id: str, *,
                                         idempotency_key: str) -> Invoice: ...

    def list_invoices(self, account: StripeAccount, *, status: str | None = None,
                      collection_method: str | None = None, subscription_id: str | None = None,
                      customer_id: str | None = None, created_gte: datetime | None = None,
                      created_lt: datetime | None = None) -> AsyncIterator[Invoice]: ...

    async def list_invoice_page(self, account: StripeAccount, *, status: str, collection_method: str,
                                created_gte: datetime, created_lt: datetime,
                                starting_after: str | None = None) -> InvoicePage:
        """One page (up to 100) of invoices, newest first, each with its subscription's status."""
        ...

    async def retrieve_charge(self, account: StripeAccount, charge_id: str) -> SettledCharge: ...

    async def list_invoice_payments(self, account: StripeAccount,
                                    invoice_id: str) -> list[InvoicePayment]: ...

    async def retrieve_subscription(self, account: StripeAccount,
                                    subscription_id: str) -> Subscription: ...

    async def update_subscription(self, account: StripeAccount, subscription_id: str, *,
                                  idempotency_key: str, metadata: dict[str, str] | None = None,
                                  cancel_at_period_end: bool | None = None,
                                  cancel_at: datetime | None = None,
                                  proration_behavior: str | None = None,
                                  cancellation_comment: str | None = None,
                                  default_payment_method: str | None = None) -> Subscription: ...

    async def cancel_subscription(self, account: StripeAccount, subscription_id: str, *,
                                  idempotency_key: str, prorate: bool = False,
                                  invoice_now: bool = False,
                                  comment: str | None = None) -> Subscription: ...

    async def retrieve_customer(self, account: StripeAccount, customer_id: str) -> Customer: ...

    async def set_customer_default_payment_method(self, account: StripeAccount, customer_id: str,
                                                  payment_method_id: str, *,
                                                  idempotency_key: str) -> Customer: ...

    async def list_card_payment_methods(self, account: StripeAccount,
                                        customer_id: str) -> list[Card]: ...

    async def create_setup_checkout_session(self, account: StripeAccount, customer_id: str, *,
                                            success_url: str, cancel_url: str,
                                            idempotency_key: str, currency: str | None = None,
                                            metadata: dict[str, str] | None = None) -> CheckoutSession: ...

    async def retrieve_checkout_session(self, account: StripeAccount, session_id: str) -> CheckoutSession: ...

    async def put_secret(self, account: StripeAccount, name: str, payload: str, *,
                         idempotency_key: str) -> None: ...

    async def find_secret(self, account: StripeAccount, name: str) -> str | None: ...
