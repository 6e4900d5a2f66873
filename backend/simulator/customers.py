"""Customers who act on a merchant's message: some open the link and save a new card, most never do.

The card behaviours (`behaviours.py`) script what issuers answer; this module scripts people. A
`ResponseMix` decides, reproducibly from a seed, whether a customer ever acts on a payment message
and how long after the first one they do. `Customers` keeps each customer's decision, takes the
links their messages carry, and when the moment comes walks the merchant's real pages the way a
browser would: open the link (following the merchant's redirects), submit the page's form, land on
Stripe's hosted Checkout (played here: the simulator's setup session is completed with a new card),
and come back to the session's success URL. A message about a payment that needs authentication
leads to Stripe's hosted invoice page instead, where the customer confirms the payment (played
here too: the invoice is paid with the card that asked for authentication).
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from html import unescape
from typing import Protocol
from urllib.parse import urlsplit

import httpx

from backend.domain.billing import StripeAccount
from backend.simulator.behaviours import CardBehaviour, Succeeds

CHECKOUT_PREFIX = "https://checkout.stripe.com/c/pay/"
# Stripe's hosted invoice page, where a customer confirms a payment that needs authentication.
INVOICE_PAGE_PREFIX = "https://invoice.stripe.com/i/"
_STRIPE_PAGES = (CHECKOUT_PREFIX, INVOICE_PAGE_PREFIX)
_FORM = re.compile(r'<form[^>]*\baction="([^"]+)"[^>]*>(.*?)</form>', re.S)
_HIDDEN = re.compile(r'<input[^>]*type="hidden"[^>]*name="([^"]+)"[^>]*value="([^"]*)"')


@dataclass(frozen=True)
class CustomerResponse:
    """`acts_after`: how long after the first message the customer acts; None when they never do."""

    acts_after: timedelta | None
    new_card: CardBehaviour = field(default_factory=Succeeds)


@dataclass
class ResponseMix:
    """A stated share of customers act on a message, after a delay drawn evenly from a range.

    The defaults are the population P5 assumes (docs/benchmarks.md): 30 % act, between one hour
    and three days after the first message, and save a card that is approved; 70 % never act.
    """

    share: float = 0.30
    earliest: timedelta = timedelta(hours=1)
    latest: timedelta = timedelta(days=3)
    seed: int = 0

    def __post_init__(self) -> None:
        if not 0.0 <= self.share <= 1.0:
            raise ValueError("share must be between 0 and 1")
        if self.latest < self.earliest:
            raise ValueError("latest must not be before earliest")
        self._rng = random.Random(self.seed)

    def draw(self) -> CustomerResponse:
        # Two draws per customer whatever the outcome, so one customer's answer never shifts the next.
        acts, fraction = self._rng.random() < self.share, self._rng.random()
        if not acts:
            return CustomerResponse(acts_after=None)
        span = (self.latest - self.earliest).total_seconds()
        return CustomerResponse(acts_after=self.earliest + timedelta(seconds=round(span * fraction)))


class CheckoutCompleter(Protocol):
    def complete_checkout_session(self, account: StripeAccount, session_id: str,
                                  behaviour: CardBehaviour | None = None, *, brand: str = "visa",
                                  last4: str | None = None, set_default: bool = False) -> str: ...

    def confirm_invoice_payment(self, account: StripeAccount, invoice_id: str) -> str | None: ...

    def object(self, account: StripeAccount, object_id: str) -> dict[str, object]: ...


@dataclass
class _Customer:
    account: StripeAccount
    response: CustomerResponse
    link: str | None = None
    act_at: datetime | None = None
    done: bool = False


@dataclass(frozen=True)
class Visit:
    """What happened when a customer acted: the new card's id, the invoice they paid, or why neither."""

    email: str
    payment_method: str | None
    stopped_at: str | None = None
    paid_invoice: str | None = None  # confirmed on Stripe's hosted invoice page


class Customers:
    """The simulated people behind customer e-mail addresses."""

    def __init__(self, stripe: CheckoutCompleter) -> None:
        self._stripe = stripe
        self._people: dict[str, _Customer] = {}

    def enrol(self, account: StripeAccount, email: str, response: CustomerResponse) -> None:
        self._people[email.lower()] = _Customer(account, response)

    def receive(self, email: str, link: str, at: datetime) -> None:
        """A message reached `email` at `at`; `link` is where it asks the customer to go."""
        person = self._people.get(email.lower())
        if person is None or person.done:
            return
        person.link = link  # the newest link: an older one may have expired
        if person.act_at is None and person.response.acts_after is not None:
            person.act_at = at + person.response.acts_after

    def due(self, now: datetime) -> list[str]:
        return [email for email, p in self._people.items()
                if not p.done and p.act_at is not None and p.act_at <= now and p.link]

    async def act(self, now: datetime, open_browser: Callable[[], httpx.AsyncClient]) -> list[Visit]:
        """Every customer whose moment has come opens their newest link: saves a new card, or confirms the payment.

        Each customer uses a browser of their own (`open_browser`), so no cookie is shared.
        """
        visits = []
        for email in self.due(now):
            person = self._people[email]
            person.done = True
            async with open_browser() as browser:
                visits.append(await self._visit(email, person, browser))
        return visits

    async def _visit(self, email: str, person: _Customer, browser: httpx.AsyncClient) -> Visit:
        assert person.link is not None
        page = await _follow(browser, browser.build_request("GET", _local(person.link)))
        invoice_page = page.headers.get("location", "")
        if page.status_code in _REDIRECTS and invoice_page.startswith(INVOICE_PAGE_PREFIX):
            # A payment that needs authentication: the message sent the customer to Stripe's page
            # for the invoice, where they confirm it (played by the simulator).
            invoice_id = invoice_page.removeprefix(INVOICE_PAGE_PREFIX).split("?")[0].rstrip("/").split("/")[-1]
            charge = self._stripe.confirm_invoice_payment(person.account, invoice_id)
            return Visit(email, None, stopped_at=None if charge else "invoice page: nothing to pay",
                         paid_invoice=invoice_id if charge else None)
        form = _FORM.search(page.text) if page.status_code == 200 else None
        if form is None:
            return Visit(email, None, stopped_at=f"page {page.status_code}")
        fields = {name: unescape(value) for name, value in _HIDDEN.findall(form.group(2))}
        to_checkout = await browser.post(_local(unescape(form.group(1))), data=fields)
        location = to_checkout.headers.get("location", "")
        if to_checkout.status_code != 303 or not location.startswith(CHECKOUT_PREFIX):
            return Visit(email, None, stopped_at=f"form {to_checkout.status_code} {location[:60]}")
        session_id = location.removeprefix(CHECKOUT_PREFIX).split("?")[0]
        card = self._stripe.complete_checkout_session(person.account, session_id, person.response.new_card,
                                                      brand="mastercard")
        success = str(self._stripe.object(person.account, session_id)["success_url"])
        back = await _follow(browser, browser.build_request(
            "GET", _local(success.replace("{CHECKOUT_SESSION_ID}", session_id))))
        return Visit(email, card, stopped_at=None if back.status_code == 200 else f"return {back.status_code}")


def _local(url: str) -> str:
    """The merchant's pages are served to the browser client whatever host the links name."""
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


_REDIRECTS = (301, 302, 303, 307)


async def _follow(browser: httpx.AsyncClient, request: httpx.Request, hops: int = 5) -> httpx.Response:
    """Follow the merchant's own redirects (a tracked click leads to the card page), not Stripe's pages."""
    response = await browser.send(request)
    for _ in range(hops):
        location = response.headers.get("location")
        if response.status_code not in _REDIRECTS or not location or location.startswith(_STRIPE_PAGES):
            break
        response = await browser.send(browser.build_request("GET", _local(location)))
    return response
