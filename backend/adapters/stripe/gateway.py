"""The production StripeGateway: stripe-python 16.1's async StripeClient on httpx."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import datetime
from types import TracebackType

import httpx
import stripe

from backend.adapters.stripe import endpoints, params
from backend.adapters.stripe.calls import StripeCalls, after, json_of
from backend.adapters.stripe.clients import ModeClients
from backend.adapters.stripe.declines import decline_from_error, lacks_outcome, with_charge_outcome
from backend.adapters.stripe.errors import translate
from backend.adapters.stripe.http_client import Sleep
from backend.adapters.stripe.parsing import (
    parse_card,
    parse_checkout_session,
    parse_customer,
    parse_invoice,
    parse_invoice_payment,
    parse_listed_invoice,
    parse_settled_charge,
    parse_subscription,
)
from backend.adapters.stripe.rate_limits import AccountRateLimiter, RateLimits
from backend.domain.billing import (
    Card,
    CardDecline,
    CheckoutSession,
    Customer,
    Declined,
    Invoice,
    InvoicePayment,
    Paid,
    PayOutcome,
    SettledCharge,
    StripeAccount,
    Subscription,
)
from backend.domain.takeover import InvoicePage
from backend.services.audit_records import StripeWriteSink
from backend.services.ports import StripeRequestRejected, StripeUnavailable


class StripeSdkGateway:
    """Everything Recoup does to Stripe, on behalf of installed accounts, in either mode."""

    def __init__(self, *, test_key: str | None, live_key: str | None, api_base: str | None = None,
                 max_network_retries: int = 3, rate_limits: RateLimits | None = None,
                 http_client: httpx.AsyncClient | None = None, timeout: float = 80.0,
                 sleep: Sleep = asyncio.sleep) -> None:
        clients = ModeClients(
            test_key=test_key, live_key=live_key, api_base=api_base,
            max_network_retries=max_network_retries,
            limiter=AccountRateLimiter(rate_limits or RateLimits()),
            sleep=sleep, timeout=timeout, http_client=http_client,
        )
        self._clients = clients
        self._calls = StripeCalls(clients, rate_limit_retries=max_network_retries, sleep=sleep)

    def report_writes_to(self, sink: StripeWriteSink) -> None:
        """Send a report of every write request (and Stripe's answer to it) to `sink`: the audit trail."""
        self._clients.report_writes_to(sink)

    async def aclose(self) -> None:
        """Close the HTTP connections the gateway opened (an injected client stays open)."""
        await self._clients.aclose()

    async def __aenter__(self) -> StripeSdkGateway:
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        await self.aclose()

    # Invoices

    async def retrieve_invoice(self, account: StripeAccount, invoice_id: str) -> Invoice:
        raw = await self._calls.fetch(account, endpoints.INVOICE, invoice_id, query={"expand": params.INVOICE_EXPAND})
        invoice = parse_invoice(raw)
        decline = invoice.latest_decline
        if decline is None or not lacks_outcome(decline):
            return invoice
        # Expansion stops four levels deep, so the charge behind payments.data.payment.payment_intent
        # never comes with the invoice: read it, or "do not try again" advice is missed at first sight.
        return replace(invoice, latest_decline=await self._with_outcome(account, decline))

    async def pay_invoice(self, account: StripeAccount, invoice_id: str, *, idempotency_key: str,
                          payment_method: str | None = None) -> PayOutcome:
        pay: stripe.params.InvoicePayParams = {"off_session": True}
        if payment_method is not None:
            pay["payment_method"] = payment_method
        try:
            paid = await self._calls.raw(account, endpoints.PAY_INVOICE, invoice_id, query=pay,
                                         idempotency_key=idempotency_key)
        except stripe.CardError as error:
            return Declined(await self._explain(account, error), error.request_id)
        except stripe.StripeError as error:
            raise translate(error) from error
        return Paid(parse_invoice(json_of(paid)), paid.request_id)

    async def update_invoice(self, account: StripeAccount, invoice_id: str, *, idempotency_key: str,
                             metadata: dict[str, str] | None = None,
                             auto_advance: bool | None = None) -> Invoice:
        update = params.invoice_update(metadata=metadata, auto_advance=auto_advance)
        raw = await self._calls.fetch(account, endpoints.UPDATE_INVOICE, invoice_id, query=update,
                                      idempotency_key=idempotency_key)
        return parse_invoice(raw)

    async def void_invoice(self, account: StripeAccount, invoice_id: str, *,
                           idempotency_key: str) -> Invoice:
        raw = await self._calls.fetch(account, endpoints.VOID_INVOICE, invoice_id, idempotency_key=idempotency_key)
        return parse_invoice(raw)

    async def mark_invoice_uncollectible(self, account: StripeAccount, invoice_id: str, *,
                                         idempotency_key: str) -> Invoice:
        raw = await self._calls.fetch(account, endpoints.MARK_INVOICE_UNCOLLECTIBLE, invoice_id,
                                      idempotency_key=idempotency_key)
        return parse_invoice(raw)

    async def list_invoices(self, account: StripeAccount, *, status: str | None = None,
                            collection_method: str | None = None, subscription_id: str | None = None,
                            customer_id: str | None = None, created_gte: datetime | None = None,
                            created_lt: datetime | None = None) -> AsyncIterator[Invoice]:
        filters = params.invoice_list(
            status=status, collection_method=collection_method, subscription_id=subscription_id,
            customer_id=customer_id, created_gte=created_gte, created_lt=created_lt)

        async for raw in self._calls.pages(account, endpoints.INVOICES, query=filters):
            yield parse_invoice(raw)

    async def list_invoice_page(self, account: StripeAccount, *, status: str, collection_method: str,
                                created_gte: datetime, created_lt: datetime,
                                starting_after: str | None = None) -> InvoicePage:
        query = params.invoice_list(
            status=status, collection_method=collection_method, subscription_id=None, customer_id=None,
            created_gte=created_gte, created_lt=created_lt)
        # The subscription comes expanded so that a cancelled or paused one costs no extra request.
        query["expand"] = [params.LISTED_INVOICE_SUBSCRIPTION]
        raw = await self._calls.fetch(account, endpoints.INVOICES, query=after(query, starting_after))
        return InvoicePage(invoices=[parse_listed_invoice(item) for item in raw.get("data") or []],
                           has_more=bool(raw.get("has_more")))

    async def retrieve_charge(self, account: StripeAccount, charge_id: str) -> SettledCharge:
        raw = await self._calls.fetch(account, endpoints.CHARGE, charge_id)
        return parse_settled_charge(raw)

    async def list_invoice_payments(self, account: StripeAccount,
                                    invoice_id: str) -> list[InvoicePayment]:
        query: stripe.params.InvoicePaymentListParams = {"invoice": invoice_id, "limit": params.PAGE_SIZE}
        return [parse_invoice_payment(raw) async for raw in self._calls.pages(account, endpoints.INVOICE_PAYMENTS,
                                                                               query=query)]

    # Subscriptions

    async def retrieve_subscription(self, account: StripeAccount,
                                    subscription_id: str) -> Subscription:
        raw = await self._calls.fetch(account, endpoints.SUBSCRIPTION, subscription_id)
        return parse_subscription(raw)

    async def update_subscription(self, account: StripeAccount, subscription_id: str, *,
                                  idempotency_key: str, metadata: dict[str, str] | None = None,
                                  cancel_at_period_end: bool | None = None,
                                  cancel_at: datetime | None = None,
                                  proration_behavior: str | None = None,
                                  cancellation_comment: str | None = None,
                                  default_payment_method: str | None = None) -> Subscription:
        update = params.subscription_update(
            metadata=metadata, cancel_at_period_end=cancel_at_period_end, cancel_at=cancel_at,
            proration_behavior=proration_behavior, cancellation_comment=cancellation_comment,
            default_payment_method=default_payment_method)
        raw = await self._calls.fetch(account, endpoints.UPDATE_SUBSCRIPTION, subscription_id, query=update,
                                      idempotency_key=idempotency_key)
        return parse_subscription(raw)

    async def cancel_subscription(self, account: StripeAccount, subscription_id: str, *,
                                  idempotency_key: str, prorate: bool = False,
                                  invoice_now: bool = False,
                                  comment: str | None = None) -> Subscription:
        cancel = params.subscription_cancel(prorate=prorate, invoice_now=invoice_now, comment=comment)
        # A DELETE gets no automatic Idempotency-Key from the SDK, so the caller's key is essential here.
        raw = await self._calls.fetch(account, endpoints.CANCEL_SUBSCRIPTION, subscription_id, query=cancel,
                                      idempotency_key=idempotency_key)
        return parse_subscription(raw)

    # Customers and cards

    async def retrieve_customer(self, account: StripeAccount, customer_id: str) -> Customer:
        raw = await self._calls.fetch(account, endpoints.CUSTOMER, customer_id)
        return parse_customer(raw)

    async def set_customer_default_payment_method(self, account: StripeAccount, customer_id: str,
                                                  payment_method_id: str, *,
                                                  idempotency_key: str) -> Customer:
        update: stripe.params.CustomerUpdateParams = {
            "invoice_settings": {"default_payment_method": payment_method_id}}
        raw = await self._calls.fetch(account, endpoints.UPDATE_CUSTOMER, customer_id, query=update,
                                      idempotency_key=idempotency_key)
        return parse_customer(raw)

    async def list_card_payment_methods(self, account: StripeAccount,
                                        customer_id: str) -> list[Card]:
        query: stripe.params.CustomerPaymentMethodListParams = {"type": "card", "limit": params.PAGE_SIZE}
        cards = [parse_card(raw) async for raw in self._calls.pages(account, endpoints.CUSTOMER_PAYMENT_METHODS,
                                                                    customer_id, query=query)]
        return [card for card in cards if card is not None]

    async def create_setup_checkout_session(self, account: StripeAccount, customer_id: str, *,
                                            success_url: str, cancel_url: str,
                                            idempotency_key: str, currency: str | None = None,
                                            metadata: dict[str, str] | None = None) -> CheckoutSession:
        create = params.setup_checkout_session(
            customer_id=customer_id, success_url=success_url, cancel_url=cancel_url,
            currency=currency, metadata=metadata)
        raw = await self._calls.fetch(account, endpoints.CREATE_CHECKOUT_SESSION, query=create,
                                      idempotency_key=idempotency_key)
        return parse_checkout_session(raw)

    async def retrieve_checkout_session(self, account: StripeAccount, session_id: str) -> CheckoutSession:
        raw = await self._calls.fetch(account, endpoints.CHECKOUT_SESSION, session_id)
        return parse_checkout_session(raw)

    # Secret Store

    async def put_secret(self, account: StripeAccount, name: str, payload: str, *,
                         idempotency_key: str) -> None:
        create = params.secret_create(name, payload)
        await self._calls.fetch(account, endpoints.CREATE_SECRET, query=create, idempotency_key=idempotency_key)

    async def find_secret(self, account: StripeAccount, name: str) -> str | None:
        try:
            raw = await self._calls.fetch(account, endpoints.FIND_SECRET, query=params.secret_find(name))
        except StripeRequestRejected as rejected:
            if rejected.code == "resource_missing":
                return None
            raise
        payload = raw.get("payload")
        return payload if isinstance(payload, str) else None

    async def _explain(self, account: StripeAccount, error: stripe.CardError) -> CardDecline:
        """Read the decline from the card error, plus the charge's outcome when it is missing."""
        body = error.error.to_dict() if error.error is not None else {}
        decline = decline_from_error(body)
        if not lacks_outcome(decline) or decline.charge_id is None:
            return decline
        return await self._with_outcome(account, decline)

    async def _with_outcome(self, account: StripeAccount, decline: CardDecline) -> CardDecline:
        """Add the declined charge's network outcome to a decline read from an error."""
        charge_id = decline.charge_id
        if charge_id is None:
            return decline
        try:
            charge = await self._calls.fetch(account, endpoints.CHARGE, charge_id)
        except (StripeUnavailable, StripeRequestRejected):
            # The decline has happened whatever the lookup does; report it without the outcome
            # rather than lose the attempt.
            return decline
        return with_charge_outcome(decline, charge)
