"""Simulated customers: who acts on a message, when, and how they save a new card through Checkout."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import httpx
import stripe
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from backend.adapters.clock import ManualClock
from backend.domain.billing import StripeAccount
from backend.simulator import Simulator
from backend.simulator.behaviours import RequiresAuthentication
from backend.simulator.customers import CustomerResponse, Customers, ResponseMix
from tests.simulator.conftest import opts

SITE = "https://merchant.test"


def test_the_same_seed_draws_the_same_people() -> None:
    first, second = _draws(ResponseMix(seed=3), 200), _draws(ResponseMix(seed=3), 200)

    assert first == second
    assert first != _draws(ResponseMix(seed=4), 200)


def test_the_stated_share_acts_within_the_stated_delay_and_the_rest_never_do() -> None:
    mix = ResponseMix(share=0.3, earliest=timedelta(hours=2), latest=timedelta(days=2), seed=1)

    drawn = _draws(mix, 4000)

    acting = [r.acts_after for r in drawn if r.acts_after is not None]
    assert 0.27 < len(acting) / len(drawn) < 0.33
    assert all(timedelta(hours=2) <= delay <= timedelta(days=2) for delay in acting)
    assert max(acting) - min(acting) > timedelta(days=1)  # spread over the range, not one moment
    assert all(r.acts_after is None for r in _draws(ResponseMix(share=0.0, seed=1), 500))


def test_a_customer_acts_after_the_delay_from_the_first_message_on_the_newest_link(
        sim: Simulator, clock: ManualClock, account: StripeAccount) -> None:
    customers = Customers(sim)
    customers.enrol(account, "ada@example.test", CustomerResponse(acts_after=timedelta(hours=10)))
    customers.enrol(account, "bob@example.test", CustomerResponse(acts_after=None))
    first = clock.now()

    customers.receive("ada@example.test", f"{SITE}/old", first)
    customers.receive("bob@example.test", f"{SITE}/bob", first)
    customers.receive("ada@example.test", f"{SITE}/new", first + timedelta(hours=8))

    assert customers.due(first + timedelta(hours=9)) == []
    assert customers.due(first + timedelta(hours=10)) == ["ada@example.test"]
    assert customers.due(first + timedelta(days=60)) == ["ada@example.test"]  # Bob never acts


async def test_an_acting_customer_goes_through_the_merchants_page_and_checkout_to_a_new_card(
        sim: Simulator, clock: ManualClock, account: StripeAccount, client: stripe.StripeClient) -> None:
    customer = sim.create_customer(account, email="ada@example.test")
    app = _merchant_site(client, account, customer)
    customers = Customers(sim)
    customers.enrol(account, "Ada@Example.test", CustomerResponse(acts_after=timedelta(hours=1)))
    customers.receive("ada@example.test", f"{SITE}/t/c/click", clock.now())
    clock.advance(timedelta(hours=1))

    [visit] = await customers.act(clock.now(), lambda: httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                                                         base_url=SITE))

    assert visit.stopped_at is None and visit.payment_method is not None
    assert sim.object(account, visit.payment_method)["customer"] == customer
    assert app.state.returned == 1  # came back to the success URL, once
    assert "checkout.session.completed" in sim.event_types(account)
    assert await customers.act(clock.now() + timedelta(days=1), lambda: httpx.AsyncClient()) == []  # acts once


async def test_a_page_with_nothing_to_pay_stops_the_customer_without_a_card(
        sim: Simulator, clock: ManualClock, account: StripeAccount) -> None:
    async def paid(_request: Request) -> Response:
        return HTMLResponse("<p>This invoice is already paid</p>", status_code=410)

    app = Starlette(routes=[Route("/r/tok", paid)])
    customers = Customers(sim)
    customers.enrol(account, "ada@example.test", CustomerResponse(acts_after=timedelta(0)))
    customers.receive("ada@example.test", f"{SITE}/r/tok", clock.now())

    [visit] = await customers.act(clock.now(), lambda: httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                                                         base_url=SITE))

    assert visit.payment_method is None and visit.stopped_at == "page 410"


async def test_a_customer_asked_to_confirm_a_payment_pays_the_invoice_on_stripes_hosted_page(
        sim: Simulator, clock: ManualClock, account: StripeAccount) -> None:
    customer = sim.create_customer(account, email="ada@example.test")
    card = sim.attach_card(account, customer, RequiresAuthentication())
    invoice = sim.create_failed_invoice(account, sim.create_subscription(account, customer))
    assert sim.object(account, invoice)["status"] == "open"
    customers = Customers(sim)
    customers.enrol(account, "ada@example.test", CustomerResponse(acts_after=timedelta(0)))
    customers.receive("ada@example.test", f"{SITE}/t/c/invoice", clock.now())

    [visit] = await customers.act(clock.now(), _browser(_invoice_link(sim, account, invoice)))

    assert visit.paid_invoice == invoice and visit.payment_method is None and visit.stopped_at is None
    paid = sim.object(account, invoice)
    assert paid["status"] == "paid" and paid["amount_remaining"] == 0
    charge = sim.object(account, sim.paying_charge(account, invoice))
    assert charge["status"] == "succeeded" and charge["payment_method"] == card  # the card that asked for 3-D Secure
    assert "invoice.paid" in sim.event_types(account)


async def test_a_confirmation_page_for_an_invoice_already_paid_charges_nothing(
        sim: Simulator, clock: ManualClock, account: StripeAccount) -> None:
    customer = sim.create_customer(account, email="ada@example.test")
    sim.attach_card(account, customer, RequiresAuthentication())
    invoice = sim.create_failed_invoice(account, sim.create_subscription(account, customer))
    sim.pay_invoice_out_of_band(account, invoice)
    charges_before = len(sim.charges(account, customer=customer))
    customers = Customers(sim)
    customers.enrol(account, "ada@example.test", CustomerResponse(acts_after=timedelta(0)))
    customers.receive("ada@example.test", f"{SITE}/t/c/invoice", clock.now())

    [visit] = await customers.act(clock.now(), _browser(_invoice_link(sim, account, invoice)))

    assert visit.paid_invoice is None and visit.stopped_at == "invoice page: nothing to pay"
    assert len(sim.charges(account, customer=customer)) == charges_before


def _invoice_link(sim: Simulator, account: StripeAccount, invoice: str) -> Starlette:
    """A merchant's tracked click that sends the customer to the invoice's page on Stripe."""

    async def click(_request: Request) -> Response:
        return RedirectResponse(str(sim.object(account, invoice)["hosted_invoice_url"]), 303)

    return Starlette(routes=[Route("/t/c/invoice", click)])


def _browser(app: Starlette) -> Callable[[], httpx.AsyncClient]:
    return lambda: httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=SITE)


def _draws(mix: ResponseMix, n: int) -> list[CustomerResponse]:
    return [mix.draw() for _ in range(n)]


def _merchant_site(client: stripe.StripeClient, account: StripeAccount, customer: str) -> Starlette:
    """A merchant's card-update flow in miniature: tracked click, page with a CSRF form, Checkout, return."""

    async def click(_request: Request) -> Response:
        return RedirectResponse(f"{SITE}/r/tok", 303)

    async def page(_request: Request) -> Response:
        response = HTMLResponse('<form method="post" action="/r/tok/checkout">'
                                '<input type="hidden" name="csrf_token" value="c&amp;1"><button>Go</button></form>')
        response.set_cookie("csrf", "c&1")
        return response

    async def checkout(request: Request) -> Response:
        form = await request.form()
        if form.get("csrf_token") != "c&1" or request.cookies.get("csrf") != "c&1":
            return Response(status_code=403)
        session = await client.v1.checkout.sessions.create_async(
            {"mode": "setup", "customer": customer, "currency": "usd",
             "success_url": f"{SITE}/r/tok/done?session_id={{CHECKOUT_SESSION_ID}}",
             "cancel_url": f"{SITE}/r/tok"}, opts(account))
        return RedirectResponse(str(session.url), 303)

    async def done(request: Request) -> Response:
        session = await client.v1.checkout.sessions.retrieve_async(request.query_params["session_id"],
                                                                   options=opts(account))
        request.app.state.returned += 1
        return HTMLResponse("saved" if session.status == "complete" else "no", status_code=200)

    app = Starlette(routes=[Route("/t/c/click", click), Route("/r/tok", page),
                            Route("/r/tok/checkout", checkout, methods=["POST"]), Route("/r/tok/done", done)])
    app.state.returned = 0
    return app
