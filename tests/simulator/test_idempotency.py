"""Idempotency-Key as Stripe keeps it: one run per key, its outcome stored, errors included."""

from __future__ import annotations

import asyncio

import httpx
import pytest
import stripe

from backend.domain.billing import StripeAccount
from backend.simulator import BASE_URL, Declines, Simulator, Succeeds

from .conftest import opts


@pytest.fixture
def http(sim: Simulator) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=sim.transport(), base_url=BASE_URL)


def failed_invoice(sim: Simulator, account: StripeAccount) -> tuple[str, str]:
    customer = sim.create_customer(account)
    card = sim.attach_card(account, customer, Declines("insufficient_funds"))
    return sim.create_failed_invoice(account, sim.create_subscription(account, customer)), card


def auth(account: StripeAccount, key: str) -> dict[str, str]:
    return {"Authorization": "Bearer sk_test_abc", "Stripe-Account": account.id,
            "Idempotency-Key": key}


async def test_a_key_whose_first_request_still_runs_gets_409_in_use_and_charges_once(
        http: httpx.AsyncClient, sim: Simulator, account: StripeAccount) -> None:
    invoice, card = failed_invoice(sim, account)
    sim.set_card_behaviour(account, card, Succeeds())
    sim.faults.set_latency(0.05)  # the first request is still being processed when the second lands
    charges_before = len(sim.charges(account))
    pay = f"/v1/invoices/{invoice}/pay"

    first, second = await asyncio.gather(
        http.post(pay, headers=auth(account, "recoup:rc_1:pay:1")),
        http.post(pay, headers=auth(account, "recoup:rc_1:pay:1")))
    after = await http.post(pay, headers=auth(account, "recoup:rc_1:pay:1"))

    assert first.status_code == 200
    assert second.status_code == 409
    assert second.json()["error"]["type"] == "idempotency_error"
    assert second.json()["error"]["code"] == "idempotency_key_in_use"
    assert after.status_code == 200 and after.headers["idempotent-replayed"] == "true"
    assert len(sim.charges(account)) == charges_before + 1


async def test_409_in_use_is_not_stored_so_stripe_python_retries_it(
        sim: Simulator, account: StripeAccount, http: httpx.AsyncClient) -> None:
    invoice, card = failed_invoice(sim, account)
    sim.set_card_behaviour(account, card, Succeeds())
    sim.faults.set_latency(0.05)
    retrying = sim.stripe_client("sk_test_recoup", max_network_retries=3)

    first, second = await asyncio.gather(
        http.post(f"/v1/invoices/{invoice}/pay", headers=auth(account, "same")),
        retrying.v1.invoices.pay_async(invoice, {}, opts(account, idempotency_key="same")))

    assert first.status_code == 200
    assert second.status == "paid" and second.id == invoice
    assert second.last_response is not None
    assert second.last_response.headers["idempotent-replayed"] == "true"


async def test_a_500_after_the_charge_is_stored_and_replayed_with_should_retry_false(
        http: httpx.AsyncClient, sim: Simulator, account: StripeAccount) -> None:
    invoice, card = failed_invoice(sim, account)
    sim.set_card_behaviour(account, card, Succeeds())
    sim.faults.inject(500, path_prefix=f"/v1/invoices/{invoice}/pay", after_effect=True)
    charges_before = len(sim.charges(account))

    first = await http.post(f"/v1/invoices/{invoice}/pay", headers=auth(account, "k-crash"))
    replay = await http.post(f"/v1/invoices/{invoice}/pay", headers=auth(account, "k-crash"))

    assert first.status_code == replay.status_code == 500
    assert first.json()["error"]["type"] == "api_error"
    assert sim.object(account, invoice)["status"] == "paid"  # the charge went through
    assert replay.headers["idempotent-replayed"] == "true"
    assert replay.headers["stripe-should-retry"] == "false"
    assert replay.json() == first.json()
    assert len(sim.charges(account)) == charges_before + 1


async def test_stripe_python_stops_retrying_a_stored_500(sim: Simulator, account: StripeAccount) -> None:
    invoice, card = failed_invoice(sim, account)
    sim.set_card_behaviour(account, card, Succeeds())
    sim.faults.inject(500, path_prefix="/v1/invoices", after_effect=True)
    retrying = sim.stripe_client("sk_test_recoup", max_network_retries=2)
    requests_before = sim.pipeline.request_count

    with pytest.raises(stripe.APIError) as caught:
        await retrying.v1.invoices.pay_async(invoice, {}, opts(account, idempotency_key="k-once"))

    assert caught.value.http_status == 500
    assert sim.pipeline.request_count - requests_before == 2  # the first try and one replay
    assert len([c for c in sim.charges(account) if c["status"] == "succeeded"]) == 2  # signup + this


async def test_a_500_before_the_effect_stores_nothing_and_the_retry_charges(
        http: httpx.AsyncClient, sim: Simulator, account: StripeAccount) -> None:
    invoice, card = failed_invoice(sim, account)
    sim.set_card_behaviour(account, card, Succeeds())
    sim.faults.inject(500, path_prefix=f"/v1/invoices/{invoice}/pay")

    first = await http.post(f"/v1/invoices/{invoice}/pay", headers=auth(account, "k-before"))
    unchanged = sim.object(account, invoice)["status"]
    retry = await http.post(f"/v1/invoices/{invoice}/pay", headers=auth(account, "k-before"))

    assert first.status_code == 500 and unchanged == "open"
    assert retry.status_code == 200 and "idempotent-replayed" not in retry.headers
    assert retry.json()["status"] == "paid"


@pytest.mark.parametrize(("length", "status"), [(255, 200), (256, 400)])
async def test_keys_over_255_characters_are_refused(http: httpx.AsyncClient, sim: Simulator,
                                                    account: StripeAccount, length: int,
                                                    status: int) -> None:
    invoice, _ = failed_invoice(sim, account)

    response = await http.post(f"/v1/invoices/{invoice}", data={"metadata[a]": "1"},
                               headers=auth(account, "k" * length))

    assert response.status_code == status
    assert (sim.object(account, invoice)["metadata"] == {"a": "1"}) is (status == 200)
    if status == 400:
        assert response.json()["error"]["type"] == "invalid_request_error"


async def test_errors_name_their_request_in_the_dashboard_log(
        http: httpx.AsyncClient, account: StripeAccount) -> None:
    response = await http.get("/v1/invoices/in_missing",
                              headers={"Authorization": "Bearer sk_test_abc",
                                       "Stripe-Account": account.id})

    request_id = response.headers["request-id"]
    assert response.json()["error"]["request_log_url"] == (
        f"https://dashboard.stripe.com/test/logs/{request_id}")
