"""The exact requests the gateway sends for every operation, and what it makes of the answers."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from backend.adapters.stripe import StripeSdkGateway
from backend.domain.billing import InvoiceStatus, Paid
from backend.services.ports import StripeRequestRejected

from .recording import form, line, query
from .wire import assert_sent_for
from .worlds import World


async def test_retrieve_invoice_expands_payments_to_find_the_decline_and_reads_its_charge(
        world: World, gateway: StripeSdkGateway) -> None:
    ids = await world.failed_invoice()

    invoice = await gateway.retrieve_invoice(world.account, ids.invoice)

    request, charge = world.requests
    assert line(request) == ("GET", f"/v1/invoices/{ids.invoice}")
    assert line(charge) == ("GET", f"/v1/charges/{invoice.latest_decline.charge_id if invoice.latest_decline else ''}")
    assert query(request) == {"expand[0]": "payments",
                              "expand[1]": "payments.data.payment.payment_intent"}
    assert_sent_for(request, world.account)
    assert invoice.id == ids.invoice
    assert invoice.status is InvoiceStatus.OPEN
    assert invoice.subscription_id == ids.subscription
    assert invoice.customer_id == ids.customer
    assert invoice.latest_decline is not None
    assert invoice.latest_decline.decline_code == "insufficient_funds"
    assert invoice.latest_payment_method_id == ids.payment_methods[0]


async def test_pay_invoice_charges_off_session_with_the_callers_key(
        world: World, gateway: StripeSdkGateway) -> None:
    ids = await world.payable_invoice()

    outcome = await gateway.pay_invoice(world.account, ids.invoice, idempotency_key="recoup:r1:pay:1")

    [request] = world.requests
    assert line(request) == ("POST", f"/v1/invoices/{ids.invoice}/pay")
    assert form(request) == {"off_session": "true"}
    assert_sent_for(request, world.account, idempotency_key="recoup:r1:pay:1")
    assert isinstance(outcome, Paid)
    assert outcome.invoice.status is InvoiceStatus.PAID
    assert outcome.request_id


async def test_pay_invoice_with_another_card_names_it(world: World, gateway: StripeSdkGateway) -> None:
    ids = await world.payable_invoice()

    await gateway.pay_invoice(world.account, ids.invoice, idempotency_key="recoup:r1:pay:2",
                              payment_method=ids.payment_methods[0])

    [request] = world.requests
    assert form(request) == {"off_session": "true", "payment_method": ids.payment_methods[0]}


async def test_update_invoice_sends_metadata_and_auto_advance(
        world: World, gateway: StripeSdkGateway) -> None:
    ids = await world.failed_invoice()

    updated = await gateway.update_invoice(world.account, ids.invoice, idempotency_key="recoup:r1:tag",
                                           metadata={"recoup_recovery": "r1"}, auto_advance=False)

    [request] = world.requests
    assert line(request) == ("POST", f"/v1/invoices/{ids.invoice}")
    assert form(request) == {"metadata[recoup_recovery]": "r1", "auto_advance": "false"}
    assert_sent_for(request, world.account, idempotency_key="recoup:r1:tag")
    assert updated.metadata["recoup_recovery"] == "r1"
    assert updated.auto_advance is False


@pytest.mark.parametrize(("operation", "suffix", "status"), [
    ("void_invoice", "void", InvoiceStatus.VOID),
    ("mark_invoice_uncollectible", "mark_uncollectible", InvoiceStatus.UNCOLLECTIBLE)])
async def test_ending_an_invoice_posts_to_its_action(
        world: World, gateway: StripeSdkGateway, operation: str, suffix: str,
        status: InvoiceStatus) -> None:
    ids = await world.failed_invoice()

    ended = await getattr(gateway, operation)(world.account, ids.invoice,
                                              idempotency_key=f"recoup:r1:{suffix}")

    [request] = world.requests
    assert line(request) == ("POST", f"/v1/invoices/{ids.invoice}/{suffix}")
    assert form(request) == {}
    assert_sent_for(request, world.account, idempotency_key=f"recoup:r1:{suffix}")
    assert ended.status is status


async def test_list_invoices_sends_every_filter(world: World, gateway: StripeSdkGateway) -> None:
    ids = await world.failed_invoice()
    since = datetime(2025, 11, 1, tzinfo=UTC)
    until = datetime(2026, 2, 1, tzinfo=UTC)

    found = [invoice.id async for invoice in gateway.list_invoices(
        world.account, status="open", collection_method="charge_automatically",
        subscription_id=ids.subscription, customer_id=ids.customer, created_gte=since,
        created_lt=until)]

    [request] = world.requests
    assert line(request) == ("GET", "/v1/invoices")
    assert query(request) == {
        "limit": "100", "status": "open", "collection_method": "charge_automatically",
        "subscription": ids.subscription, "customer": ids.customer,
        "created[gte]": str(int(since.timestamp())), "created[lt]": str(int(until.timestamp()))}
    assert_sent_for(request, world.account)
    assert found == [ids.invoice]


async def test_list_invoices_pages_through_all_results_as_the_same_account(
        world: World, gateway: StripeSdkGateway) -> None:
    ids = await world.open_invoices(250)

    found = [invoice.id async for invoice in gateway.list_invoices(world.account, status="open")]

    assert sorted(found) == sorted(ids.invoices)
    assert len(world.requests) == 3
    cursors = [query(request).get("starting_after") for request in world.requests]
    assert cursors == [None, found[99], found[199]]
    for request in world.requests:
        assert_sent_for(request, world.account)


async def test_list_invoice_payments_filters_by_invoice(world: World, gateway: StripeSdkGateway) -> None:
    ids = await world.failed_invoice()

    payments = await gateway.list_invoice_payments(world.account, ids.invoice)

    [request] = world.requests
    assert line(request) == ("GET", "/v1/invoice_payments")
    assert query(request) == {"invoice": ids.invoice, "limit": "100"}
    assert_sent_for(request, world.account)
    assert [payment.invoice_id for payment in payments] == [ids.invoice]
    assert payments[0].payment_intent_id


async def test_retrieve_subscription_reads_the_period_end_from_its_items(
        world: World, gateway: StripeSdkGateway) -> None:
    ids = await world.subscription()

    subscription = await gateway.retrieve_subscription(world.account, ids.subscription)

    [request] = world.requests
    assert line(request) == ("GET", f"/v1/subscriptions/{ids.subscription}")
    assert query(request) == {}
    assert_sent_for(request, world.account)
    assert subscription.customer_id == ids.customer
    assert subscription.current_period_end is not None


async def test_update_subscription_sends_only_what_changes(world: World, gateway: StripeSdkGateway) -> None:
    ids = await world.subscription()
    cancel_at = datetime(2026, 2, 1, tzinfo=UTC)

    await gateway.update_subscription(
        world.account, ids.subscription, idempotency_key="recoup:r1:sub",
        metadata={"dunning_complete": "1767225600"}, cancel_at_period_end=False,
        cancel_at=cancel_at, proration_behavior="none", cancellation_comment="Recoup: dunning ended",
        default_payment_method=ids.payment_methods[0])

    [request] = world.requests
    assert line(request) == ("POST", f"/v1/subscriptions/{ids.subscription}")
    assert form(request) == {
        "metadata[dunning_complete]": "1767225600", "cancel_at_period_end": "false",
        "cancel_at": str(int(cancel_at.timestamp())), "proration_behavior": "none",
        "cancellation_details[comment]": "Recoup: dunning ended",
        "default_payment_method": ids.payment_methods[0]}
    assert_sent_for(request, world.account, idempotency_key="recoup:r1:sub")


async def test_cancel_subscription_is_a_keyed_delete_with_query_parameters(
        world: World, gateway: StripeSdkGateway) -> None:
    ids = await world.subscription()

    cancelled = await gateway.cancel_subscription(world.account, ids.subscription,
                                                  idempotency_key="recoup:r1:cancel",
                                                  comment="Recoup: dunning ended")

    [request] = world.requests
    assert line(request) == ("DELETE", f"/v1/subscriptions/{ids.subscription}")
    assert query(request) == {"prorate": "false", "invoice_now": "false",
                              "cancellation_details[comment]": "Recoup: dunning ended"}
    assert request.content == b""
    assert_sent_for(request, world.account, idempotency_key="recoup:r1:cancel")
    assert cancelled.status == "canceled"


async def test_retrieve_customer_reads_country_and_default_card(
        world: World, gateway: StripeSdkGateway) -> None:
    ids = await world.customer_with_cards(1)

    customer = await gateway.retrieve_customer(world.account, ids.customer)

    [request] = world.requests
    assert line(request) == ("GET", f"/v1/customers/{ids.customer}")
    assert_sent_for(request, world.account)
    assert customer.country == "DE"
    assert customer.default_payment_method == ids.payment_methods[0]


async def test_set_default_payment_method_writes_invoice_settings(
        world: World, gateway: StripeSdkGateway) -> None:
    ids = await world.customer_with_cards(2)

    customer = await gateway.set_customer_default_payment_method(
        world.account, ids.customer, ids.payment_methods[1], idempotency_key="recoup:r1:default")

    [request] = world.requests
    assert line(request) == ("POST", f"/v1/customers/{ids.customer}")
    assert form(request) == {"invoice_settings[default_payment_method]": ids.payment_methods[1]}
    assert_sent_for(request, world.account, idempotency_key="recoup:r1:default")
    assert customer.default_payment_method == ids.payment_methods[1]


async def test_list_card_payment_methods_asks_for_cards_only(
        world: World, gateway: StripeSdkGateway) -> None:
    ids = await world.customer_with_cards(2)

    cards = await gateway.list_card_payment_methods(world.account, ids.customer)

    [request] = world.requests
    assert line(request) == ("GET", f"/v1/customers/{ids.customer}/payment_methods")
    assert query(request) == {"type": "card", "limit": "100"}
    assert_sent_for(request, world.account)
    assert sorted(card.id for card in cards) == sorted(ids.payment_methods)


async def test_setup_checkout_session_collects_a_card_in_setup_mode(
        world: World, gateway: StripeSdkGateway) -> None:
    ids = await world.customer_with_cards(1)

    session = await gateway.create_setup_checkout_session(
        world.account, ids.customer, success_url="https://recoup.example/done",
        cancel_url="https://recoup.example/cancel", idempotency_key="recoup:r1:checkout",
        currency="eur", metadata={"recoup_recovery": "r1"})

    [request] = world.requests
    assert line(request) == ("POST", "/v1/checkout/sessions")
    assert form(request) == {
        "mode": "setup", "customer": ids.customer, "success_url": "https://recoup.example/done",
        "cancel_url": "https://recoup.example/cancel", "allowed_payment_method_types[0]": "card",
        "currency": "eur", "metadata[recoup_recovery]": "r1"}
    assert_sent_for(request, world.account, idempotency_key="recoup:r1:checkout")
    assert session.url.startswith("https://")


async def test_put_secret_writes_an_account_scoped_secret(world: World, gateway: StripeSdkGateway) -> None:
    await world.stored_secret("twilio", "{}")

    await gateway.put_secret(world.account, "twilio", '{"sid": "AC1"}', idempotency_key="recoup:s1")

    [request] = world.requests
    assert line(request) == ("POST", "/v1/apps/secrets")
    assert form(request) == {"name": "twilio", "payload": '{"sid": "AC1"}', "scope[type]": "account"}
    assert_sent_for(request, world.account, idempotency_key="recoup:s1")


async def test_find_secret_expands_the_payload(world: World, gateway: StripeSdkGateway) -> None:
    await world.stored_secret("twilio", '{"sid": "AC1"}')

    payload = await gateway.find_secret(world.account, "twilio")

    [request] = world.requests
    assert line(request) == ("GET", "/v1/apps/secrets/find")
    assert query(request) == {"name": "twilio", "scope[type]": "account", "expand[0]": "payload"}
    assert_sent_for(request, world.account)
    assert payload == '{"sid": "AC1"}'


async def test_find_secret_that_does_not_exist_is_none(world: World, gateway: StripeSdkGateway) -> None:
    assert await gateway.find_secret(world.account, "never-stored") is None


async def test_missing_invoice_is_rejected_with_stripes_details(
        world: World, gateway: StripeSdkGateway) -> None:
    with pytest.raises(StripeRequestRejected) as rejected:
        await gateway.retrieve_invoice(world.account, "in_does_not_exist")

    assert rejected.value.code == "resource_missing"
    assert rejected.value.http_status == 404
    assert rejected.value.param == "id"
    assert rejected.value.request_id
    assert len(world.requests) == 1
