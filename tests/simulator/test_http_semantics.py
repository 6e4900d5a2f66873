"""Stripe's HTTP contract: auth, accounts, parameters, idempotency, errors, faults."""

from __future__ import annotations

import httpx
import pytest
import stripe

from backend.domain.billing import StripeAccount
from backend.simulator import BASE_URL, Declines, Simulator, Succeeds

from .conftest import opts


@pytest.fixture
def http(sim: Simulator) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=sim.transport(), base_url=BASE_URL)


def failed_invoice(sim: Simulator, account: StripeAccount, behaviour=None) -> tuple[str, str]:
    customer = sim.create_customer(account)
    card = sim.attach_card(account, customer, behaviour or Declines("insufficient_funds"))
    return sim.create_failed_invoice(account, sim.create_subscription(account, customer)), card


def auth(account: StripeAccount, key: str = "sk_test_abc", **extra: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}", "Stripe-Account": account.id, **extra}


async def test_every_response_has_a_request_id(http: httpx.AsyncClient, account: StripeAccount) -> None:
    ok = await http.get("/v1/invoices", headers=auth(account))
    missing = await http.get("/v1/invoices/in_nope", headers=auth(account))

    assert ok.headers["request-id"].startswith("req_")
    assert missing.headers["request-id"].startswith("req_")


async def test_missing_key_is_401_with_stripes_message(http: httpx.AsyncClient) -> None:
    response = await http.get("/v1/invoices")

    assert response.status_code == 401
    assert response.json()["error"]["message"].startswith("You did not provide an API key.")


async def test_malformed_key_is_401(client: stripe.StripeClient, sim: Simulator) -> None:
    bad = sim.stripe_client("pk_test_publishable")

    with pytest.raises(stripe.AuthenticationError):
        await bad.v1.invoices.list_async()


async def test_missing_object_is_404_resource_missing(client: stripe.StripeClient,
                                                      account: StripeAccount) -> None:
    with pytest.raises(stripe.InvalidRequestError) as caught:
        await client.v1.invoices.retrieve_async("in_missing", options=opts(account))

    assert caught.value.http_status == 404
    assert (caught.value.code, caught.value.param) == ("resource_missing", "id")
    assert str(caught.value.user_message) == "No such invoice: 'in_missing'"


async def test_unknown_parameter_is_rejected_by_name(client: stripe.StripeClient, sim: Simulator,
                                                     account: StripeAccount) -> None:
    invoice, _ = failed_invoice(sim, account)

    with pytest.raises(stripe.InvalidRequestError) as top:
        await client.v1.invoices.update_async(invoice, {"auto_advanced": False}, opts(account))  # type: ignore[typeddict-unknown-key]
    with pytest.raises(stripe.InvalidRequestError) as nested:
        await client.v1.invoices.list_async({"created": {"since": 1}}, opts(account))  # type: ignore[typeddict-item]

    assert (top.value.code, top.value.param) == ("parameter_unknown", "auto_advanced")
    assert nested.value.param == "created[since]"


async def test_another_accounts_objects_are_invisible(client: stripe.StripeClient, sim: Simulator,
                                                      account: StripeAccount) -> None:
    other = sim.install_account()
    invoice, _ = failed_invoice(sim, account)

    with pytest.raises(stripe.InvalidRequestError) as caught:
        await client.v1.invoices.retrieve_async(invoice, options=opts(other))
    listed = await client.v1.invoices.list_async({}, opts(other))

    assert caught.value.http_status == 404 and listed.data == []


async def test_test_and_live_mode_are_separate(sim: Simulator, account: StripeAccount) -> None:
    invoice, _ = failed_invoice(sim, account)
    live = sim.stripe_client("sk_live_recoup")
    sim.install_account(account.id, livemode=True)

    with pytest.raises(stripe.InvalidRequestError):
        await live.v1.invoices.retrieve_async(invoice, options=opts(account))


async def test_uninstalled_or_unknown_account_is_refused(client: stripe.StripeClient,
                                                         sim: Simulator, account: StripeAccount) -> None:
    sim.uninstall_account(account)

    with pytest.raises(stripe.PermissionError):
        await client.v1.invoices.list_async({}, opts(account))
    with pytest.raises(stripe.PermissionError):
        await client.v1.invoices.list_async({}, {"stripe_account": "acct_unknown"})


async def test_idempotent_replay_returns_stored_response_without_a_second_charge(
        http: httpx.AsyncClient, sim: Simulator, account: StripeAccount) -> None:
    invoice, card = failed_invoice(sim, account)
    sim.set_card_behaviour(account, card, Succeeds())
    headers = auth(account, **{"Idempotency-Key": "recoup:rc_1:pay:2"})
    charges_before = len(sim.charges(account))

    first = await http.post(f"/v1/invoices/{invoice}/pay", data={"off_session": "true"}, headers=headers)
    replay = await http.post(f"/v1/invoices/{invoice}/pay", data={"off_session": "true"}, headers=headers)

    assert first.status_code == replay.status_code == 200
    assert replay.json() == first.json()
    assert replay.headers["idempotent-replayed"] == "true"
    assert replay.headers["original-request"] == first.headers["request-id"]
    assert len(sim.charges(account)) == charges_before + 1


async def test_replayed_decline_is_the_same_402_and_charges_once(
        client: stripe.StripeClient, sim: Simulator, account: StripeAccount) -> None:
    invoice, _ = failed_invoice(sim, account)
    charges_before = len(sim.charges(account))

    errors = []
    for _ in range(2):
        with pytest.raises(stripe.CardError) as caught:
            await client.v1.invoices.pay_async(invoice, {}, opts(account, idempotency_key="k-decline"))
        errors.append(caught.value)

    assert errors[0].error.charge == errors[1].error.charge
    assert errors[1].headers["idempotent-replayed"] == "true"
    assert len(sim.charges(account)) == charges_before + 1


async def test_same_key_with_other_parameters_is_an_idempotency_error(
        client: stripe.StripeClient, sim: Simulator, account: StripeAccount) -> None:
    invoice, _ = failed_invoice(sim, account)
    await client.v1.invoices.update_async(invoice, {"metadata": {"a": "1"}}, opts(account, idempotency_key="k1"))

    with pytest.raises(stripe.IdempotencyError) as caught:
        await client.v1.invoices.update_async(invoice, {"metadata": {"a": "2"}}, opts(account, idempotency_key="k1"))

    assert "same parameters" in str(caught.value.user_message)


async def test_idempotency_keys_are_scoped_per_account(client: stripe.StripeClient,
                                                       sim: Simulator, account: StripeAccount) -> None:
    other = sim.install_account()
    mine, _ = failed_invoice(sim, account)
    theirs, _ = failed_invoice(sim, other)

    a = await client.v1.invoices.update_async(mine, {"metadata": {"x": "1"}}, opts(account, idempotency_key="shared"))
    b = await client.v1.invoices.update_async(theirs, {"metadata": {"x": "1"}}, opts(other, idempotency_key="shared"))

    assert (a.id, b.id) == (mine, theirs)


async def test_injected_429_has_stripes_body_and_is_not_cached(
        client: stripe.StripeClient, sim: Simulator, account: StripeAccount) -> None:
    invoice, _ = failed_invoice(sim, account)
    sim.faults.inject(429, account=account.id)

    with pytest.raises(stripe.RateLimitError) as caught:
        await client.v1.invoices.update_async(invoice, {"metadata": {"a": "1"}}, opts(account, idempotency_key="k429"))
    retried = await client.v1.invoices.update_async(invoice, {"metadata": {"a": "1"}},
                                                    opts(account, idempotency_key="k429"))

    assert caught.value.http_status == 429 and caught.value.json_body["error"]["code"] == "rate_limit"
    assert caught.value.headers["stripe-rate-limited-reason"] == "global-rate"
    assert retried.metadata["a"] == "1"


@pytest.mark.parametrize("status", [500, 503])
async def test_injected_5xx_is_retried_by_stripe_python(sim: Simulator, account: StripeAccount,
                                                         status: int) -> None:
    retrying = sim.stripe_client("sk_test_recoup", max_network_retries=2)
    sim.faults.inject(status, count=1, path_prefix="/v1/customers")
    customer = sim.create_customer(account)

    fetched = await retrying.v1.customers.retrieve_async(customer, options=opts(account))

    assert fetched.id == customer


async def test_5xx_surfaces_as_api_error_without_retries(client: stripe.StripeClient, sim: Simulator,
                                                         account: StripeAccount) -> None:
    sim.faults.inject(503)

    with pytest.raises(stripe.APIError) as caught:
        await client.v1.invoices.list_async({}, opts(account))

    assert caught.value.http_status == 503


async def test_enforced_rate_limit_per_account(client: stripe.StripeClient, sim: Simulator,
                                               account: StripeAccount) -> None:
    other = sim.install_account()
    ticks = iter([0.0, 0.1, 0.2, 0.3, 0.35, 1.5])
    sim.faults._monotonic = lambda: next(ticks)  # a hand-driven stopwatch for the limiter
    sim.faults.set_rate_limit(3)

    for _ in range(3):
        await client.v1.invoices.list_async({}, opts(account))
    with pytest.raises(stripe.RateLimitError):
        await client.v1.invoices.list_async({}, opts(account))
    await client.v1.invoices.list_async({}, opts(other))
    await client.v1.invoices.list_async({}, opts(account))  # a second later the window has moved


async def test_added_latency_delays_responses(client: stripe.StripeClient, sim: Simulator,
                                              account: StripeAccount) -> None:
    import time

    sim.faults.set_latency(0.05)
    started = time.monotonic()
    await client.v1.invoices.list_async({}, opts(account))

    assert time.monotonic() - started >= 0.05


async def test_unrecognized_url_is_404(http: httpx.AsyncClient, account: StripeAccount) -> None:
    response = await http.get("/v1/refunds", headers=auth(account))

    assert response.status_code == 404
    assert "Unrecognized request URL" in response.json()["error"]["message"]


async def test_form_encoding_with_bracketed_expand(http: httpx.AsyncClient, sim: Simulator,
                                                   account: StripeAccount) -> None:
    invoice, _ = failed_invoice(sim, account)

    response = await http.get(f"/v1/invoices/{invoice}?expand[]=customer&expand[]=payments",
                              headers=auth(account))

    body = response.json()
    assert body["customer"]["object"] == "customer"
    assert body["payments"]["data"][0]["object"] == "invoice_payment"


async def test_a_list_refuses_both_cursors_at_once_and_expands_each_invoices_subscription(
        sim: Simulator, account: StripeAccount, client: stripe.StripeClient) -> None:
    customer = sim.create_customer(account)
    sim.attach_card(account, customer, Declines("generic_decline"))
    subscription = sim.create_subscription(account, customer)
    failed = sim.create_failed_invoice(account, subscription)

    with pytest.raises(stripe.InvalidRequestError) as both:
        await client.v1.invoices.list_async({"starting_after": failed, "ending_before": failed}, opts(account))
    listed = await client.v1.invoices.list_async(
        {"status": "open", "expand": ["data.parent.subscription_details.subscription"]}, opts(account))

    assert "starting_after and ending_before" in str(both.value.user_message)
    details = listed.data[0].to_dict()["parent"]["subscription_details"]
    assert details["subscription"]["id"] == subscription and details["subscription"]["status"] == "past_due"
