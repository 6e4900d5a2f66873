"""The Stripe a contract test talks to, arranged through one interface.

Each world offers the same arrangement steps and records the gateway's requests, so one test
body can assert the same wire traffic and results against canned responses (respx) and any
other Stripe double given a World implementation.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

import httpx
import respx
from respx.models import AllMockedAssertionError

from backend.domain.billing import StripeAccount

from . import payloads
from .recording import RecordingTransport

API = "https://api.stripe.com"
TEST_KEY = "sk_test_recoup_contract"
LIVE_KEY = "sk_live_recoup_contract"


@dataclass(frozen=True)
class Ids:
    """The objects one arrangement step created."""

    customer: str = ""
    invoice: str = ""
    subscription: str = ""
    payment_methods: tuple[str, ...] = ()
    invoices: tuple[str, ...] = ()


class World(Protocol):
    account: StripeAccount
    http_client: httpx.AsyncClient
    api_base: str | None

    @property
    def requests(self) -> list[httpx.Request]: ...

    async def failed_invoice(self) -> Ids:
        """An open subscription invoice whose last payment failed with insufficient_funds."""
        ...

    async def payable_invoice(self) -> Ids:
        """An open invoice whose customer's card will be approved."""
        ...

    async def declining_invoice(self) -> Ids:
        """An open invoice whose customer's card the issuer declines for insufficient funds."""
        ...

    async def customer_with_cards(self, count: int) -> Ids: ...

    async def subscription(self) -> Ids:
        """A past_due subscription with one item."""
        ...

    async def open_invoices(self, count: int) -> Ids: ...

    async def stored_secret(self, name: str, payload: str) -> None: ...


@dataclass
class RespxWorld:
    """Canned Stripe responses served by a respx router, injected as the gateway's transport."""

    account: StripeAccount
    api_base: str | None = None
    router: respx.Router = field(default_factory=lambda: respx.Router(
        base_url=API, assert_all_called=False))

    def __post_init__(self) -> None:
        self._recorder = RecordingTransport(httpx.MockTransport(self._handle))
        self.http_client = httpx.AsyncClient(transport=self._recorder)

    async def _handle(self, request: httpx.Request) -> httpx.Response:
        try:
            return await self.router.async_handler(request)
        except AllMockedAssertionError:
            # Like Stripe for an id it does not know.
            return httpx.Response(404, headers={"Request-Id": "req_missing"}, json=payloads.error(
                "invalid_request_error", f"No such object: '{request.url.path.rsplit('/', 1)[-1]}'",
                code="resource_missing", param="id"))

    @property
    def requests(self) -> list[httpx.Request]:
        return self._recorder.requests

    def answer(self, method: str, path: str, body: Any, *, status: int = 200,
               **params: str) -> respx.Route:
        """Answer `method path` with JSON, ahead of the catch-all 404."""
        route = self.router.route(method=method, path=path, params=params or None)
        route.respond(status, json=body, headers={"Request-Id": f"req_{len(self.router.routes)}"})
        return route

    def answer_with(self, method: str, path: str, effect: Callable[..., Any] | list[Any]) -> respx.Route:
        """Answer `method path` with a respx side effect (a sequence or a function)."""
        route = self.router.route(method=method, path=path)
        route.side_effect = effect
        return route

    async def failed_invoice(self) -> Ids:
        failed = payloads.payment_intent(error=payloads.last_payment_error())
        body = payloads.invoice(payments=[payloads.invoice_payment(intent=failed)])
        self.answer("GET", "/v1/invoices/in_1", body)
        self.answer("POST", "/v1/invoices/in_1", payloads.invoice(
            auto_advance=False, metadata={"plan": "pro", "recoup_recovery": "r1"}))
        self.answer("POST", "/v1/invoices/in_1/void", payloads.invoice(
            status="void", next_payment_attempt=None))
        self.answer("POST", "/v1/invoices/in_1/mark_uncollectible", payloads.invoice(
            status="uncollectible", next_payment_attempt=None))
        self.answer("GET", "/v1/invoice_payments", payloads.list_of(
            [payloads.invoice_payment()], url="/v1/invoice_payments"))
        self.answer("GET", "/v1/invoices", payloads.list_of([body], url="/v1/invoices"))
        return Ids(customer="cus_1", invoice="in_1", subscription="sub_1",
                   payment_methods=("pm_visa",))

    async def payable_invoice(self) -> Ids:
        self.answer("POST", "/v1/invoices/in_1/pay", payloads.invoice(
            status="paid", amount_remaining=0, amount_paid=2000, next_payment_attempt=None))
        self.answer("POST", "/v1/customers/cus_1", payloads.customer())
        return Ids(customer="cus_1", invoice="in_1", payment_methods=("pm_visa",))

    async def declining_invoice(self) -> Ids:
        self.answer("POST", "/v1/invoices/in_1/pay", payloads.card_error(), status=402)
        self.answer("GET", "/v1/charges/ch_failed", payloads.charge())
        return Ids(customer="cus_1", invoice="in_1", payment_methods=("pm_visa",))

    async def customer_with_cards(self, count: int) -> Ids:
        cards = [payloads.card_payment_method(f"pm_{n}", last4=f"{4242 + n}") for n in range(count)]
        cards[0]["id"] = "pm_visa"  # the customer's invoice default in payloads.customer()
        self.answer("GET", "/v1/customers/cus_1", payloads.customer())
        self.answer("POST", "/v1/customers/cus_1", payloads.customer(invoice_settings={
            "default_payment_method": cards[-1]["id"]}))
        self.answer("GET", "/v1/customers/cus_1/payment_methods", payloads.list_of(
            cards, url="/v1/customers/cus_1/payment_methods"))
        self.answer("POST", "/v1/checkout/sessions", payloads.checkout_session())
        return Ids(customer="cus_1", payment_methods=tuple(card["id"] for card in cards))

    async def subscription(self) -> Ids:
        self.answer("GET", "/v1/subscriptions/sub_1", payloads.subscription())
        self.answer("POST", "/v1/subscriptions/sub_1", payloads.subscription(
            cancel_at_period_end=True, metadata={"recoup": "dunning"}))
        self.answer("DELETE", "/v1/subscriptions/sub_1", payloads.subscription(status="canceled"))
        return Ids(customer="cus_1", subscription="sub_1", payment_methods=("pm_visa",))

    async def open_invoices(self, count: int) -> Ids:
        ids = [f"in_{n:04d}" for n in range(count)]
        pages = [ids[start:start + 100] for start in range(0, count, 100)]
        responses = [httpx.Response(200, json=payloads.list_of(
            [payloads.invoice(iid) for iid in page], url="/v1/invoices",
            has_more=number < len(pages) - 1)) for number, page in enumerate(pages)]
        self.answer_with("GET", "/v1/invoices", responses)
        return Ids(invoices=tuple(ids))

    async def stored_secret(self, name: str, payload: str) -> None:
        self.answer("POST", "/v1/apps/secrets", payloads.secret(name, None))
        self.answer("GET", "/v1/apps/secrets/find", payloads.secret(name, payload), name=name)
