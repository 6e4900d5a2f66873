"""Parameter values checked as Stripe checks them, with Stripe's codes and no invented ones."""

from __future__ import annotations

import httpx
import pytest

from backend.domain.billing import StripeAccount
from backend.simulator import BASE_URL, Declines, Simulator

from .conftest import opts


@pytest.fixture
def http(sim: Simulator) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=sim.transport(), base_url=BASE_URL)


def failed_invoice(sim: Simulator, account: StripeAccount) -> tuple[str, str]:
    customer = sim.create_customer(account)
    sim.attach_card(account, customer, Declines("insufficient_funds"))
    sub = sim.create_subscription(account, customer)
    return sim.create_failed_invoice(account, sub), sub


def auth(account: StripeAccount) -> dict[str, str]:
    return {"Authorization": "Bearer sk_test_abc", "Stripe-Account": account.id}


@pytest.mark.parametrize(("path", "form", "param", "code", "message"), [
    ("/v1/invoices/{invoice}", {"description": ""}, "description", "parameter_invalid_empty",
     "You passed an empty string for 'description'."),
    ("/v1/invoices/{invoice}", {"auto_advance": "maybe"}, "auto_advance", None,
     "Invalid boolean: maybe"),
    ("/v1/invoices/{invoice}", {"days_until_due": "soon"}, "days_until_due",
     "parameter_invalid_integer", "Invalid integer: soon"),
    ("/v1/invoices/{invoice}/pay", {"off_session": "yes"}, "off_session", None,
     "Invalid boolean: yes"),
    ("/v1/subscriptions/{sub}", {"proration_behavior": "sometimes"}, "proration_behavior", None,
     "Invalid proration_behavior: must be one of always_invoice, create_prorations, or none"),
    ("/v1/subscriptions/{sub}", {"cancellation_details[feedback]": "bored"},
     "cancellation_details[feedback]", None, "Invalid cancellation_details[feedback]: must be one of"),
])
async def test_values_that_do_not_fit_are_refused_and_change_nothing(
        http: httpx.AsyncClient, sim: Simulator, account: StripeAccount, path: str,
        form: dict[str, str], param: str, code: str | None, message: str) -> None:
    invoice, sub = failed_invoice(sim, account)
    before = (sim.object(account, invoice), sim.object(account, sub))
    charges = len(sim.charges(account))

    response = await http.post(path.format(invoice=invoice, sub=sub), data=form, headers=auth(account))

    error = response.json()["error"]
    assert response.status_code == 400
    assert error["type"] == "invalid_request_error" and error["param"] == param
    assert error.get("code") == code
    assert error["message"].startswith(message)
    assert (sim.object(account, invoice), sim.object(account, sub)) == before
    assert len(sim.charges(account)) == charges


@pytest.mark.parametrize("form", [
    {"metadata[recoup]": ""},  # unsets one key
    {"metadata": ""},  # unsets every key
    {"cancel_at": ""},  # clears a scheduled cancellation
])
async def test_empty_strings_unset_what_stripe_lets_you_unset(
        http: httpx.AsyncClient, sim: Simulator, account: StripeAccount, form: dict[str, str]) -> None:
    _, sub = failed_invoice(sim, account)

    response = await http.post(f"/v1/subscriptions/{sub}", data=form, headers=auth(account))

    assert response.status_code == 200


async def test_pay_charges_the_payment_method_it_is_given(
        sim: Simulator, account: StripeAccount, client) -> None:  # type: ignore[no-untyped-def]
    invoice, _ = failed_invoice(sim, account)
    customer = sim.object(account, invoice)["customer"]
    spare = sim.attach_card(account, customer, default=False)

    paid = await client.v1.invoices.pay_async(invoice, {"payment_method": spare}, opts(account))

    assert paid.status == "paid"
    assert sim.charges(account, customer=customer)[0]["payment_method"] == spare
