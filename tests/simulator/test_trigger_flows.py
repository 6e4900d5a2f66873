"""The calls `stripe trigger` makes, replayed from its fixture format, emit their events here too.

Each file in trigger_fixtures/ follows the Stripe CLI's published fixture format
(`{"_meta": {...}, "fixtures": [{"name", "path", "method", "params", "expected_error_type"?}]}`,
with `${name:field}` referring to an earlier response), so a developer can drive the simulator
with the same requests and test cards they would send to a sandbox.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import httpx
import pytest
from stripe._encode import _api_encode

from backend.domain.billing import StripeAccount
from backend.simulator import BASE_URL, Simulator

from .object_shapes import shape_problems

FIXTURES = Path(__file__).parent / "trigger_fixtures"
_REFERENCE = re.compile(r"\$\{(\w+):([\w.]+)\}")


def resolve(value: Any, responses: dict[str, dict[str, Any]]) -> Any:
    """Replace `${name:field.path}` with the value from an earlier fixture's response."""
    if isinstance(value, dict):
        return {k: resolve(v, responses) for k, v in value.items()}
    if isinstance(value, list):
        return [resolve(v, responses) for v in value]
    if isinstance(value, str):
        def lookup(match: re.Match[str]) -> str:
            node: Any = responses[match.group(1)]
            for part in match.group(2).split("."):
                node = node[part]
            return str(node)
        return _REFERENCE.sub(lookup, value)
    return value


async def replay(http: httpx.AsyncClient, account: StripeAccount, fixture_file: Path) -> None:
    fixtures = json.loads(fixture_file.read_text())["fixtures"]
    responses: dict[str, dict[str, Any]] = {}
    for fixture in fixtures:
        params = resolve(fixture.get("params", {}), responses)
        path = resolve(fixture["path"], responses)
        response = await http.request(
            fixture["method"].upper(), path, data=dict(_api_encode(params)),
            headers={"Authorization": "Bearer sk_test_cli", "Stripe-Account": account.id})
        body = response.json()
        expected = fixture.get("expected_error_type")
        if expected:
            assert body["error"]["type"] == expected, (fixture["name"], body)
        else:
            assert response.status_code == 200, (fixture["name"], body)
            responses[fixture["name"]] = body


@pytest.mark.parametrize("fixture_file", sorted(FIXTURES.glob("*.json")), ids=lambda p: p.stem)
async def test_each_trigger_flow_runs_and_emits_its_event(sim: Simulator, account: StripeAccount,
                                                          fixture_file: Path) -> None:
    http = httpx.AsyncClient(transport=sim.transport(), base_url=BASE_URL)

    await replay(http, account, fixture_file)

    assert fixture_file.stem in sim.event_types(account)


@pytest.mark.parametrize(("token", "code", "decline_code"), [
    ("pm_card_chargeDeclined", "card_declined", "generic_decline"),
    ("pm_card_visa_chargeDeclinedInsufficientFunds", "card_declined", "insufficient_funds"),
    ("pm_card_visa_chargeDeclinedLostCard", "card_declined", "lost_card"),
    ("pm_card_visa_chargeDeclinedStolenCard", "card_declined", "stolen_card"),
    ("pm_card_chargeDeclinedExpiredCard", "expired_card", "expired_card"),
    ("pm_card_chargeDeclinedIncorrectCvc", "incorrect_cvc", "incorrect_cvc"),
    ("pm_card_chargeDeclinedProcessingError", "processing_error", "processing_error"),
    ("pm_card_chargeDeclinedVelocityLimitExceeded", "card_declined", "card_velocity_exceeded"),
])
async def test_decline_test_cards_are_refused_with_their_codes(
        sim: Simulator, account: StripeAccount, token: str, code: str, decline_code: str) -> None:
    http = httpx.AsyncClient(transport=sim.transport(), base_url=BASE_URL)
    customer = sim.create_customer(account)

    response = await http.post(f"/v1/payment_methods/{token}/attach", data={"customer": customer},
                               headers={"Authorization": "Bearer sk_test_cli", "Stripe-Account": account.id})

    error = response.json()["error"]
    assert response.status_code == 402 and error["type"] == "card_error"
    assert (error["code"], error["decline_code"]) == (code, decline_code)
    assert sim.state(account).all("payment_method") == []


async def test_charge_customer_fail_attaches_and_then_declines(
        sim: Simulator, account: StripeAccount) -> None:
    http = httpx.AsyncClient(transport=sim.transport(), base_url=BASE_URL)

    await replay(http, account, FIXTURES / "invoice.payment_failed.json")

    (card,) = sim.state(account).all("payment_method")
    (charge,) = sim.charges(account)
    assert card["card"]["last4"] == "0341" and card["customer"] is not None
    assert charge["status"] == "failed" and charge["outcome"]["type"] == "issuer_declined"


async def test_a_subscription_started_through_the_api_is_active_once_paid(
        sim: Simulator, account: StripeAccount) -> None:
    http = httpx.AsyncClient(transport=sim.transport(), base_url=BASE_URL)

    await replay(http, account, FIXTURES / "customer.subscription.created.json")

    (sub,) = sim.state(account).all("subscription")
    invoice = sim.object(account, sub["latest_invoice"])
    assert sub["status"] == "active" and invoice["status"] == "paid"
    assert invoice["billing_reason"] == "subscription_create" and invoice["amount_paid"] == 1500


async def test_objects_the_trigger_flows_create_have_stripes_shape(
        sim: Simulator, account: StripeAccount) -> None:
    http = httpx.AsyncClient(transport=sim.transport(), base_url=BASE_URL)
    # Every flow back to back is a burst a sandbox would answer with 429s; pace is not the point.
    sim.faults.set_rate_limit(None)
    sim.faults.set_endpoint_rate_limit(None)

    for fixture_file in sorted(FIXTURES.glob("*.json")):
        await replay(http, account, fixture_file)

    objects = list(sim.state(account).objects.values())
    assert {"product", "price", "invoiceitem", "subscription", "invoice"} <= {o["object"] for o in objects}
    assert sorted({p for obj in objects for p in shape_problems(obj)}) == []


async def test_a_refunded_charge_cannot_be_refunded_twice(sim: Simulator, account: StripeAccount) -> None:
    http = httpx.AsyncClient(transport=sim.transport(), base_url=BASE_URL)
    await replay(http, account, FIXTURES / "charge.refunded.json")
    (charge,) = sim.charges(account)

    again = await http.post("/v1/refunds", data={"charge": charge["id"]},
                            headers={"Authorization": "Bearer sk_test_cli", "Stripe-Account": account.id})

    assert charge["refunded"] is True and charge["amount_refunded"] == 100
    assert again.status_code == 400 and again.json()["error"]["code"] == "charge_already_refunded"


async def test_a_card_saved_with_a_setup_intent_is_attached_to_the_customer(
        sim: Simulator, account: StripeAccount) -> None:
    http = httpx.AsyncClient(transport=sim.transport(), base_url=BASE_URL)

    await replay(http, account, FIXTURES / "setup_intent.succeeded.json")

    (seti,) = sim.state(account).all("setup_intent")
    (card,) = sim.state(account).all("payment_method")
    assert seti["status"] == "succeeded" and card["customer"] == seti["customer"]
    assert "payment_method.attached" in sim.event_types(account)


async def test_the_cli_s_pre_endive_payment_method_types_is_refused_by_name(
        sim: Simulator, account: StripeAccount) -> None:
    http = httpx.AsyncClient(transport=sim.transport(), base_url=BASE_URL)

    response = await http.post("/v1/setup_intents", data={"payment_method_types[0]": "card"},
                               headers={"Authorization": "Bearer sk_test_cli", "Stripe-Account": account.id})

    assert response.json()["error"]["code"] == "parameter_unknown"
    assert response.json()["error"]["param"] == "payment_method_types"


async def test_the_cli_s_checkout_flow_pays_the_session_and_sends_it_completed(
        sim: Simulator, account: StripeAccount) -> None:
    http = httpx.AsyncClient(transport=sim.transport(), base_url=BASE_URL)

    await replay(http, account, FIXTURES / "checkout.session.completed.json")

    (session,) = sim.state(account).all("checkout.session")
    payment_intent = sim.object(account, session["payment_intent"])
    (event,) = sim.events.select(type_="checkout.session.completed")
    assert (session["mode"], session["status"], session["payment_status"]) == ("payment", "complete", "paid")
    assert payment_intent["status"] == "succeeded" and payment_intent["amount"] == session["amount_total"] == 3000
    assert session["customer_details"]["email"] == "stripe@example.com"
    assert event["data"]["object"]["id"] == session["id"]
    assert shape_problems(event["data"]["object"]) == []


async def test_a_payment_page_confirmed_for_another_amount_is_refused_and_charges_nothing(
        sim: Simulator, account: StripeAccount) -> None:
    http = httpx.AsyncClient(transport=sim.transport(), base_url=BASE_URL)
    headers = {"Authorization": "Bearer sk_test_cli", "Stripe-Account": account.id}
    created = await http.post("/v1/checkout/sessions", headers=headers, data={
        "mode": "payment", "success_url": "https://example.test/ok",
        "line_items[0][price_data][currency]": "usd", "line_items[0][price_data][unit_amount]": "1500",
        "line_items[0][price_data][product_data][name]": "t-shirt", "line_items[0][quantity]": "2"})

    response = await http.post(f"/v1/payment_pages/{created.json()['id']}/confirm", headers=headers,
                               data={"payment_method": "pm_card_visa", "expected_amount": "1500"})

    assert response.status_code == 400 and response.json()["error"]["param"] == "expected_amount"
    assert sim.charges(account) == [] and "checkout.session.completed" not in sim.event_types(account)


async def test_the_cli_s_pre_2022_checkout_line_items_are_refused_by_name(
        sim: Simulator, account: StripeAccount) -> None:
    http = httpx.AsyncClient(transport=sim.transport(), base_url=BASE_URL)

    response = await http.post("/v1/checkout/sessions", data={
        "success_url": "https://httpbin.org/post", "line_items[0][name]": "t-shirt",
        "line_items[0][amount]": "1500", "line_items[0][currency]": "usd", "line_items[0][quantity]": "2"},
        headers={"Authorization": "Bearer sk_test_cli", "Stripe-Account": account.id})

    assert response.json()["error"]["code"] == "parameter_unknown"
    assert response.json()["error"]["param"] == "line_items[0][name]"


async def test_a_card_token_the_api_does_not_know_is_refused_by_name(
        sim: Simulator, account: StripeAccount) -> None:
    http = httpx.AsyncClient(transport=sim.transport(), base_url=BASE_URL)

    response = await http.post("/v1/payment_methods", data={"type": "card", "card[token]": "tok_nonsense"},
                               headers={"Authorization": "Bearer sk_test_cli", "Stripe-Account": account.id})

    assert response.status_code == 404 and response.json()["error"]["param"] == "card[token]"
    assert sim.state(account).all("payment_method") == []
