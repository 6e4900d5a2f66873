"""Declines come back as values; refusals and outages become the port's two exceptions."""

from __future__ import annotations

import httpx
import pytest

from backend.adapters.stripe import StripeSdkGateway
from backend.domain.billing import Declined, Paid
from backend.domain.declines import DeclineCategory, classify_decline
from backend.services.ports import StripeRequestRejected, StripeUnavailable

from . import payloads
from .conftest import RecordedSleeps
from .recording import line
from .wire import assert_sent_for
from .worlds import RespxWorld, World


async def test_a_declined_card_is_a_value_with_every_code(world: World, gateway: StripeSdkGateway) -> None:
    ids = await world.declining_invoice()

    outcome = await gateway.pay_invoice(world.account, ids.invoice, idempotency_key="recoup:r1:pay:1")

    assert isinstance(outcome, Declined)
    decline = outcome.decline
    assert (decline.code, decline.decline_code) == ("card_declined", "insufficient_funds")
    assert decline.advice_code == "try_again_later"
    assert (decline.network_advice_code, decline.network_decline_code) == ("01", "51")
    assert decline.payment_method_id == ids.payment_methods[0]
    assert decline.charge_id and decline.payment_intent_id
    assert outcome.request_id
    pay = world.requests[0]
    assert line(pay) == ("POST", f"/v1/invoices/{ids.invoice}/pay")
    assert_sent_for(pay, world.account, idempotency_key="recoup:r1:pay:1")


async def test_the_network_outcome_is_read_from_the_declined_charge(
        world: World, gateway: StripeSdkGateway) -> None:
    ids = await world.declining_invoice()

    outcome = await gateway.pay_invoice(world.account, ids.invoice, idempotency_key="k")

    assert isinstance(outcome, Declined)
    assert outcome.decline.network_status == "declined_by_network"
    assert outcome.decline.outcome_type == "issuer_declined"
    _, charge = world.requests
    assert line(charge) == ("GET", f"/v1/charges/{outcome.decline.charge_id}")
    assert_sent_for(charge, world.account)


async def test_network_codes_missing_from_the_error_are_read_from_the_charge(
        respx_world: RespxWorld, gateway: StripeSdkGateway) -> None:
    respx_world.answer("POST", "/v1/invoices/in_1/pay", payloads.card_error(
        decline_code="generic_decline", with_network_codes=False), status=402)
    respx_world.answer("GET", "/v1/charges/ch_failed", payloads.charge(
        network_status="not_sent_to_network", type="blocked",
        reason="previously_declined_do_not_retry", network_advice_code="03"))

    outcome = await gateway.pay_invoice(respx_world.account, "in_1", idempotency_key="k")

    assert isinstance(outcome, Declined)
    assert outcome.decline.decline_code == "generic_decline"
    assert outcome.decline.network_advice_code == "03"
    assert outcome.decline.outcome_type == "blocked"
    assert outcome.decline.outcome_reason == "previously_declined_do_not_retry"


async def test_a_decline_stands_when_its_charge_cannot_be_read(
        respx_world: RespxWorld, gateway: StripeSdkGateway) -> None:
    respx_world.answer("POST", "/v1/invoices/in_1/pay", payloads.card_error(), status=402)
    respx_world.answer("GET", "/v1/charges/ch_failed", payloads.error(
        "invalid_request_error", "The app lacks charge_read."), status=403)

    outcome = await gateway.pay_invoice(respx_world.account, "in_1", idempotency_key="k")

    assert isinstance(outcome, Declined)
    assert outcome.decline.decline_code == "insufficient_funds"
    assert outcome.decline.network_status is None


async def test_an_invalid_request_is_rejected_with_code_and_param(
        respx_world: RespxWorld, gateway: StripeSdkGateway) -> None:
    respx_world.answer("POST", "/v1/invoices/in_1/pay", payloads.error(
        "invalid_request_error", "Invoice is already paid", code="invoice_not_open",
        param="invoice"), status=400)

    with pytest.raises(StripeRequestRejected) as rejected:
        await gateway.pay_invoice(respx_world.account, "in_1", idempotency_key="k")

    assert (rejected.value.code, rejected.value.param) == ("invoice_not_open", "invoice")
    assert rejected.value.http_status == 400
    assert rejected.value.request_id
    assert len(respx_world.requests) == 1


async def test_a_missing_permission_is_rejected(respx_world: RespxWorld, gateway: StripeSdkGateway) -> None:
    respx_world.answer("GET", "/v1/customers/cus_1", payloads.error(
        "invalid_request_error", "This application does not have the required permissions",
        code="insufficient_permissions"), status=403)

    with pytest.raises(StripeRequestRejected) as rejected:
        await gateway.retrieve_customer(respx_world.account, "cus_1")

    assert rejected.value.http_status == 403
    assert rejected.value.code == "insufficient_permissions"


async def test_a_rate_limited_payment_waits_and_succeeds_with_the_same_key(
        respx_world: RespxWorld, gateway: StripeSdkGateway, sleeps: RecordedSleeps) -> None:
    route = respx_world.answer_with("POST", "/v1/invoices/in_1/pay", [
        httpx.Response(429, json=payloads.error("invalid_request_error", "Too many requests",
                                                code="rate_limit")),
        httpx.Response(200, json=payloads.invoice(status="paid", amount_remaining=0)),
    ])

    outcome = await gateway.pay_invoice(respx_world.account, "in_1", idempotency_key="recoup:r1:pay:1")

    assert isinstance(outcome, Paid)
    assert route.call_count == 2
    keys = {request.headers["Idempotency-Key"] for request in respx_world.requests}
    assert keys == {"recoup:r1:pay:1"}
    assert len(sleeps.waits) == 1 and sleeps.waits[0] >= 0.5


async def test_stripe_should_retry_false_is_not_retried(
        respx_world: RespxWorld, gateway: StripeSdkGateway, sleeps: RecordedSleeps) -> None:
    respx_world.answer_with("POST", "/v1/invoices/in_1/pay", [httpx.Response(
        500, headers={"Stripe-Should-Retry": "false"},
        json=payloads.error("api_error", "Something went wrong"))])

    with pytest.raises(StripeUnavailable):
        await gateway.pay_invoice(respx_world.account, "in_1", idempotency_key="k")

    assert len(respx_world.requests) == 1
    assert sleeps.waits == []


async def test_a_rate_limit_marked_do_not_retry_is_not_retried(
        respx_world: RespxWorld, gateway: StripeSdkGateway) -> None:
    respx_world.answer_with("GET", "/v1/invoices/in_1", [httpx.Response(
        429, headers={"Stripe-Should-Retry": "false"},
        json=payloads.error("invalid_request_error", "Too many requests", code="rate_limit"))])

    with pytest.raises(StripeUnavailable):
        await gateway.retrieve_invoice(respx_world.account, "in_1")

    assert len(respx_world.requests) == 1


async def test_a_lock_timeout_stripe_asks_to_retry_is_retried(
        respx_world: RespxWorld, gateway: StripeSdkGateway) -> None:
    respx_world.answer_with("POST", "/v1/invoices/in_1", [
        httpx.Response(429, headers={"Stripe-Should-Retry": "true"}, json=payloads.error(
            "invalid_request_error", "This object cannot be accessed right now", code="lock_timeout")),
        httpx.Response(200, json=payloads.invoice()),
    ])

    await gateway.update_invoice(respx_world.account, "in_1", idempotency_key="k", metadata={"a": "b"})

    assert len(respx_world.requests) == 2


@pytest.mark.parametrize("failure", [
    httpx.Response(503, json=payloads.error("api_error", "Service unavailable")),
    httpx.Response(429, json=payloads.error("invalid_request_error", "Too many requests",
                                            code="rate_limit")),
    httpx.ConnectTimeout("timed out"),
], ids=["503", "429", "timeout"])
async def test_persistent_failure_becomes_unavailable_after_the_retries(
        respx_world: RespxWorld, gateway: StripeSdkGateway, sleeps: RecordedSleeps,
        failure: httpx.Response | Exception) -> None:
    respx_world.answer_with("POST", "/v1/invoices/in_1/pay", lambda request: _raise_or(failure))

    with pytest.raises(StripeUnavailable):
        await gateway.pay_invoice(respx_world.account, "in_1", idempotency_key="recoup:r1:pay:1")

    assert len(respx_world.requests) == 4  # the first try and three retries
    assert {request.headers["Idempotency-Key"] for request in respx_world.requests} == {"recoup:r1:pay:1"}
    assert len(sleeps.waits) == 3
    assert all(0.5 <= wait <= 5.0 for wait in sleeps.waits)  # stripe-python's jittered back-off bounds


async def test_a_timeout_then_success_is_one_payment(
        respx_world: RespxWorld, gateway: StripeSdkGateway) -> None:
    respx_world.answer_with("POST", "/v1/invoices/in_1/pay", [
        httpx.ReadTimeout("no answer"),
        httpx.Response(200, json=payloads.invoice(status="paid", amount_remaining=0)),
    ])

    outcome = await gateway.pay_invoice(respx_world.account, "in_1", idempotency_key="recoup:r1:pay:1")

    assert isinstance(outcome, Paid)
    assert [request.headers["Idempotency-Key"] for request in respx_world.requests] == [
        "recoup:r1:pay:1", "recoup:r1:pay:1"]


def _raise_or(failure: httpx.Response | Exception) -> httpx.Response:
    if isinstance(failure, Exception):
        raise failure
    return failure


async def test_the_first_read_of_a_failed_invoice_includes_the_charges_do_not_retry_outcome(
        respx_world: RespxWorld, gateway: StripeSdkGateway) -> None:
    intent = payloads.payment_intent("pi_1", error=payloads.last_payment_error(charge_id="ch_failed",
                                                                               decline_code="generic_decline"))
    respx_world.answer("GET", "/v1/invoices/in_1", payloads.invoice(payments=[
        payloads.invoice_payment("inpay_1", intent=intent)]))
    respx_world.answer("GET", "/v1/charges/ch_failed", payloads.charge(
        network_status="not_sent_to_network", type="blocked", reason="previously_declined_do_not_retry"))

    invoice = await gateway.retrieve_invoice(respx_world.account, "in_1")

    assert invoice.latest_decline is not None
    assert invoice.latest_decline.decline_code == "generic_decline"
    assert invoice.latest_decline.outcome_reason == "previously_declined_do_not_retry"
    assert classify_decline(invoice.latest_decline) is DeclineCategory.NEEDS_NEW_CARD
