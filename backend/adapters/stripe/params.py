"""Request parameters for the pinned API version, typed with stripe-python's own TypedDicts."""

from __future__ import annotations

from datetime import datetime

from stripe.params import (
    InvoiceListParams,
    InvoiceListParamsCreated,
    InvoiceUpdateParams,
    SubscriptionCancelParams,
    SubscriptionUpdateParams,
)
from stripe.params.apps import SecretCreateParams, SecretFindParams
from stripe.params.checkout import SessionCreateParams

from backend.adapters.stripe.fields import unix_seconds

# Stripe's maximum page size.
PAGE_SIZE = 100

# `payments` is an includable field, absent unless expanded; its PaymentIntents carry
# last_payment_error (Basil removed Invoice.payment_intent and Invoice.charge).
INVOICE_EXPAND = ["payments", "payments.data.payment.payment_intent"]
# Four levels, Stripe's deepest expansion: the subscription behind each invoice of a list page.
LISTED_INVOICE_SUBSCRIPTION = "data.parent.subscription_details.subscription"


def invoice_list(*, status: str | None, collection_method: str | None,
                 subscription_id: str | None, customer_id: str | None,
                 created_gte: datetime | None, created_lt: datetime | None) -> InvoiceListParams:
    """Build the filters of GET /v1/invoices."""
    params: InvoiceListParams = {"limit": PAGE_SIZE}
    if status is not None:
        params["status"] = status
    if collection_method is not None:
        params["collection_method"] = collection_method
    if subscription_id is not None:
        params["subscription"] = subscription_id
    if customer_id is not None:
        params["customer"] = customer_id
    created: InvoiceListParamsCreated = {}
    if created_gte is not None:
        created["gte"] = unix_seconds(created_gte)
    if created_lt is not None:
        created["lt"] = unix_seconds(created_lt)
    if created:
        params["created"] = created
    return params


def invoice_update(*, metadata: dict[str, str] | None,
                   auto_advance: bool | None) -> InvoiceUpdateParams:
    """Build POST /v1/invoices/{id}: metadata keys merge into the existing ones."""
    params: InvoiceUpdateParams = {}
    if metadata is not None:
        params["metadata"] = metadata
    if auto_advance is not None:
        params["auto_advance"] = auto_advance
    return params


def subscription_update(*, metadata: dict[str, str] | None, cancel_at_period_end: bool | None,
                        cancel_at: datetime | None, proration_behavior: str | None,
                        cancellation_comment: str | None,
                        default_payment_method: str | None) -> SubscriptionUpdateParams:
    """Build POST /v1/subscriptions/{id} from the fields the caller set."""
    params: SubscriptionUpdateParams = {}
    if metadata is not None:
        params["metadata"] = metadata
    if cancel_at_period_end is not None:
        params["cancel_at_period_end"] = cancel_at_period_end
    if cancel_at is not None:
        params["cancel_at"] = unix_seconds(cancel_at)
    if proration_behavior is not None:
        params["proration_behavior"] = proration_behavior
    if cancellation_comment is not None:
        params["cancellation_details"] = {"comment": cancellation_comment}
    if default_payment_method is not None:
        params["default_payment_method"] = default_payment_method
    return params


def subscription_cancel(*, prorate: bool, invoice_now: bool,
                        comment: str | None) -> SubscriptionCancelParams:
    """Build DELETE /v1/subscriptions/{id}; the SDK sends these in the query string."""
    params: SubscriptionCancelParams = {"prorate": prorate, "invoice_now": invoice_now}
    if comment is not None:
        params["cancellation_details"] = {"comment": comment}
    return params


def setup_checkout_session(*, customer_id: str, success_url: str, cancel_url: str,
                           currency: str | None,
                           metadata: dict[str, str] | None) -> SessionCreateParams:
    """Build POST /v1/checkout/sessions for collecting a new card in setup mode.

    2026-09-30.endive removed `payment_method_types`; `allowed_payment_method_types` narrows the
    dynamic list to cards, and with it set, setup mode no longer requires `currency`.
    """
    params: SessionCreateParams = {
        "mode": "setup",
        "customer": customer_id,
        "success_url": success_url,
        "cancel_url": cancel_url,
        "allowed_payment_method_types": ["card"],
    }
    if currency is not None:
        params["currency"] = currency
    if metadata is not None:
        params["metadata"] = metadata
    return params


def secret_create(name: str, payload: str) -> SecretCreateParams:
    """Build POST /v1/apps/secrets in the account scope shared by the app's backend and UI."""
    return {"name": name, "payload": payload, "scope": {"type": "account"}}


def secret_find(name: str) -> SecretFindParams:
    """Build GET /v1/apps/secrets/find; the payload is only returned when expanded."""
    return {"name": name, "scope": {"type": "account"}, "expand": ["payload"]}
