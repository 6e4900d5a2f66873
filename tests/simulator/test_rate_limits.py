"""Stripe's rate limits, on by default: per account and mode, per endpoint, and per object."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from backend.domain.billing import StripeAccount
from backend.simulator import BASE_URL, Declines, Simulator

from .conftest import opts


@pytest.fixture
def http(sim: Simulator) -> httpx.AsyncClient:
    sim.faults._monotonic = lambda: 100.0  # every request lands in the same second
    return httpx.AsyncClient(transport=sim.transport(), base_url=BASE_URL)


def headers(account: StripeAccount, key: str = "sk_test_abc") -> dict[str, str]:
    return {"Authorization": f"Bearer {key}", "Stripe-Account": account.id}


async def burst(http: httpx.AsyncClient, account: StripeAccount, paths: list[str],
                key: str = "sk_test_abc") -> list[int]:
    return [(await http.get(path, headers=headers(account, key))).status_code for path in paths]


async def test_a_sandbox_account_gets_25_requests_a_second(
        http: httpx.AsyncClient, account: StripeAccount) -> None:
    paths = ["/v1/invoices", "/v1/payment_methods"] * 13  # 26, no endpoint above its own 25

    statuses = await burst(http, account, paths)
    last = await http.get("/v1/invoices", headers=headers(account))

    assert statuses[:25] == [200] * 25 and statuses[25] == 429
    assert last.headers["stripe-rate-limited-reason"] == "global-rate"
    assert last.json()["error"]["code"] == "rate_limit"


async def test_live_mode_allows_100_but_each_endpoint_25(
        http: httpx.AsyncClient, sim: Simulator, account: StripeAccount) -> None:
    sim.install_account(account.id, livemode=True)
    endpoints = ["/v1/invoices", "/v1/payment_methods", "/v1/invoice_payments",
                 "/v1/customers/cus_missing"]

    across = await burst(http, account, [p for p in endpoints for _ in range(25)], "sk_live_abc")
    one_more = await http.get("/v1/invoices", headers=headers(account, "sk_live_abc"))

    assert set(across) <= {200, 404} and 429 not in across
    assert one_more.status_code == 429
    assert one_more.headers["stripe-rate-limited-reason"] == "global-rate"


async def test_one_endpoint_is_limited_before_the_account(
        http: httpx.AsyncClient, sim: Simulator, account: StripeAccount) -> None:
    sim.install_account(account.id, livemode=True)

    statuses = await burst(http, account, ["/v1/invoices"] * 26, "sk_live_abc")
    limited = await http.get("/v1/invoices", headers=headers(account, "sk_live_abc"))
    other = await http.get("/v1/payment_methods", headers=headers(account, "sk_live_abc"))

    assert statuses[25] == 429
    assert limited.headers["stripe-rate-limited-reason"] == "endpoint-rate"
    assert other.status_code == 200


async def test_accounts_do_not_share_a_budget(http: httpx.AsyncClient, sim: Simulator,
                                              account: StripeAccount) -> None:
    other = sim.install_account()
    await burst(http, account, ["/v1/invoices", "/v1/payment_methods"] * 13)

    assert (await http.get("/v1/invoices", headers=headers(other))).status_code == 200


async def test_two_writes_to_one_invoice_at_once_give_lock_timeout(
        sim: Simulator, account: StripeAccount) -> None:
    customer = sim.create_customer(account)
    sim.attach_card(account, customer, Declines("do_not_honor"))
    invoice = sim.create_failed_invoice(account, sim.create_subscription(account, customer))
    sim.faults.set_latency(0.05)
    http = httpx.AsyncClient(transport=sim.transport(), base_url=BASE_URL)

    first, second = await asyncio.gather(
        http.post(f"/v1/invoices/{invoice}", data={"metadata[a]": "1"}, headers=headers(account)),
        http.post(f"/v1/invoices/{invoice}", data={"metadata[b]": "2"}, headers=headers(account)))

    assert first.status_code == 200
    assert second.status_code == 429 and second.json()["error"]["code"] == "lock_timeout"
    assert second.headers["stripe-should-retry"] == "true"
    assert sim.object(account, invoice)["metadata"] == {"a": "1"}


async def test_stripe_python_retries_a_lock_timeout(sim: Simulator, account: StripeAccount) -> None:
    customer = sim.create_customer(account)
    sim.faults.set_latency(0.05)
    retrying = sim.stripe_client("sk_test_recoup", max_network_retries=3)

    await asyncio.gather(
        retrying.v1.customers.update_async(customer, {"metadata": {"a": "1"}}, opts(account)),
        retrying.v1.customers.update_async(customer, {"metadata": {"b": "2"}}, opts(account)))

    assert sim.object(account, customer)["metadata"] == {"a": "1", "b": "2"}


async def test_a_concurrency_limit_names_itself(sim: Simulator, account: StripeAccount) -> None:
    sim.faults.concurrency_limit = 1
    sim.faults.set_latency(0.05)
    http = httpx.AsyncClient(transport=sim.transport(), base_url=BASE_URL)

    first, second = await asyncio.gather(http.get("/v1/invoices", headers=headers(account)),
                                         http.get("/v1/payment_methods", headers=headers(account)))

    assert first.status_code == 200 and second.status_code == 429
    assert second.headers["stripe-rate-limited-reason"] == "global-concurrency"

