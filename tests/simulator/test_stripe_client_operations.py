"""stripe-python 16.1's StripeClient, unchanged, against the in-process simulator."""

from __future__ import annotations

import pytest
import stripe

from backend.domain.billing import StripeAccount
from backend.simulator import Declines, Simulator, Succeeds

from .conftest import opts


@pytest.fixture
def failed(sim: Simulator, account: StripeAccount) -> dict[str, str]:
    customer = sim.create_customer(account, email="ada@example.test", name="Ada", country="GB")
    card = sim.attach_card(account, customer, Declines("insufficient_funds", advice_code="try_again_later"))
    sub = sim.create_subscription(account, customer, amount=2500, metadata={"plan": "pro"})
    invoice = sim.create_failed_invoice(account, sub)
    return {"customer": customer, "card": card, "subscription": sub, "invoice": invoice}


async def test_retrieve_invoice_has_basil_shape_and_expands_payments(
        client: stripe.StripeClient, account: StripeAccount, failed: dict[str, str]) -> None:
    invoice = await client.v1.invoices.retrieve_async(
        failed["invoice"], {"expand": ["payments.data.payment.payment_intent",
                                       "parent.subscription_details.subscription"]}, opts(account))

    assert invoice.status == "open"
    assert invoice.attempt_count == 1 and invoice.attempted is True
    assert invoice.billing_reason == "subscription_cycle"
    assert invoice.parent.subscription_details.subscription.id == failed["subscription"]
    assert "subscription" not in invoice and "payment_intent" not in invoice and "paid" not in invoice
    intent = invoice.payments.data[0].payment.payment_intent
    assert intent.status == "requires_payment_method"
    assert intent.last_payment_error.decline_code == "insufficient_funds"
    assert intent.last_payment_error.advice_code == "try_again_later"
    assert intent.last_payment_error.payment_method.id == failed["card"]


async def test_payments_are_includable_only(client: stripe.StripeClient, account: StripeAccount,
                                            failed: dict[str, str]) -> None:
    invoice = await client.v1.invoices.retrieve_async(failed["invoice"], options=opts(account))

    assert "payments" not in invoice


async def test_pay_with_a_new_card_pays_the_invoice(
        sim: Simulator, client: stripe.StripeClient, account: StripeAccount,
        failed: dict[str, str]) -> None:
    good = sim.attach_card(account, failed["customer"], Succeeds(), brand="mastercard", default=False)

    paid = await client.v1.invoices.pay_async(
        failed["invoice"], {"payment_method": good, "off_session": True},
        opts(account, idempotency_key="recoup:1:pay:1"))

    assert paid.status == "paid" and paid.amount_remaining == 0 and paid.amount_paid == 2500
    assert paid.attempt_count == 1  # a manual pay after the first attempt does not count
    assert sim.object(account, failed["subscription"])["status"] == "active"


async def test_pay_decline_raises_card_error_with_decline_detail(
        client: stripe.StripeClient, account: StripeAccount, failed: dict[str, str]) -> None:
    with pytest.raises(stripe.CardError) as caught:
        await client.v1.invoices.pay_async(failed["invoice"], {}, opts(account))

    error = caught.value
    assert error.http_status == 402 and error.code == "card_declined"
    assert error.error.decline_code == "insufficient_funds"
    assert error.error.advice_code == "try_again_later"
    assert error.error.charge.startswith("ch_")
    assert error.error.payment_intent.id.startswith("pi_")
    assert error.error.payment_method.id == failed["card"]
    assert error.request_id.startswith("req_")


async def test_paying_a_paid_invoice_is_rejected(sim: Simulator, client: stripe.StripeClient,
                                                 account: StripeAccount, failed: dict[str, str]) -> None:
    sim.set_card_behaviour(account, failed["card"], Succeeds())
    await client.v1.invoices.pay_async(failed["invoice"], {}, opts(account))

    with pytest.raises(stripe.InvalidRequestError) as caught:
        await client.v1.invoices.pay_async(failed["invoice"], {}, opts(account))

    assert caught.value.http_status == 400
    assert "already paid" in str(caught.value.user_message)


async def test_update_metadata_and_auto_advance(client: stripe.StripeClient, account: StripeAccount,
                                                failed: dict[str, str]) -> None:
    updated = await client.v1.invoices.update_async(
        failed["invoice"], {"metadata": {"recoup_case": "rc_1"}, "auto_advance": False},
        opts(account, idempotency_key="tag-1"))

    assert updated.metadata.to_dict() == {"recoup_case": "rc_1"}
    assert updated.auto_advance is False and updated.next_payment_attempt is None


async def test_void_and_mark_uncollectible(sim: Simulator, client: stripe.StripeClient,
                                           account: StripeAccount, failed: dict[str, str]) -> None:
    second = sim.create_failed_invoice(account, failed["subscription"])

    voided = await client.v1.invoices.void_invoice_async(failed["invoice"], options=opts(account))
    marked = await client.v1.invoices.mark_uncollectible_async(second, options=opts(account))

    assert voided.status == "void" and voided.status_transitions.voided_at is not None
    assert marked.status == "uncollectible"
    with pytest.raises(stripe.InvalidRequestError):
        await client.v1.invoices.pay_async(failed["invoice"], {}, opts(account))


async def test_list_filters_and_auto_pagination(sim: Simulator, client: stripe.StripeClient,
                                                account: StripeAccount) -> None:
    created = []
    for n in range(7):
        customer = sim.create_customer(account, email=f"c{n}@example.test")
        sim.attach_card(account, customer, Declines("do_not_honor"))
        created.append(sim.create_failed_invoice(account, sim.create_subscription(account, customer)))
    now = int(sim.clock.now().timestamp())

    page = await client.v1.invoices.list_async(
        {"status": "open", "collection_method": "charge_automatically",
         "created": {"gte": now - 60, "lt": now + 60}, "limit": 3}, opts(account))
    seen = [inv.id async for inv in page.auto_paging_iter()]

    assert page.has_more is True and len(page.data) == 3
    assert sorted(seen) == sorted(created)


async def test_list_invoice_payments_by_invoice_and_by_payment_intent(
        client: stripe.StripeClient, account: StripeAccount, failed: dict[str, str]) -> None:
    by_invoice = await client.v1.invoice_payments.list_async({"invoice": failed["invoice"]}, opts(account))
    intent = by_invoice.data[0].payment.payment_intent

    by_intent = await client.v1.invoice_payments.list_async(
        {"payment": {"type": "payment_intent", "payment_intent": intent}}, opts(account))

    assert [p.invoice for p in by_intent.data] == [failed["invoice"]]
    assert by_invoice.data[0].status == "open" and by_invoice.data[0].is_default is True


async def test_subscription_update_and_cancel(client: stripe.StripeClient, account: StripeAccount,
                                              failed: dict[str, str]) -> None:
    updated = await client.v1.subscriptions.update_async(
        failed["subscription"], {"metadata": {"dunning_complete": "1700000000"},
                                 "cancel_at_period_end": True, "proration_behavior": "none"},
        opts(account))
    canceled = await client.v1.subscriptions.cancel_async(
        failed["subscription"], {"cancellation_details": {"comment": "dunning ended", "feedback": "other"},
                                 "prorate": False, "invoice_now": False}, opts(account))

    assert updated.metadata["plan"] == "pro" and updated.metadata["dunning_complete"] == "1700000000"
    assert updated.cancel_at == updated["items"].data[0].current_period_end
    assert canceled.status == "canceled"
    assert canceled.cancellation_details.comment == "dunning ended"
    assert canceled.cancellation_details.reason == "cancellation_requested"


async def test_customer_default_card_and_payment_method_lists(
        sim: Simulator, client: stripe.StripeClient, account: StripeAccount,
        failed: dict[str, str]) -> None:
    second = sim.attach_card(account, failed["customer"], brand="amex", default=False)

    customer = await client.v1.customers.update_async(
        failed["customer"], {"invoice_settings": {"default_payment_method": second}},
        opts(account, idempotency_key="cus-default-1"))
    nested = await client.v1.customers.payment_methods.list_async(
        failed["customer"], {"type": "card"}, opts(account))
    flat = await client.v1.payment_methods.list_async(
        {"customer": failed["customer"], "type": "card"}, opts(account))

    assert customer.invoice_settings.default_payment_method == second
    assert customer.address.country == "GB"
    assert [pm.id for pm in nested.data] == [second, failed["card"]]
    assert [pm.card.brand for pm in flat.data] == ["amex", "visa"]


async def test_checkout_session_create_and_complete(
        sim: Simulator, client: stripe.StripeClient, account: StripeAccount,
        failed: dict[str, str]) -> None:
    session = await client.v1.checkout.sessions.create_async(
        {"mode": "setup", "customer": failed["customer"], "currency": "usd",
         "success_url": "https://recoup.test/ok", "cancel_url": "https://recoup.test/no",
         "metadata": {"recovery": "rc_1"}}, opts(account))

    card = sim.complete_checkout_session(account, session.id, Succeeds(), brand="mastercard")

    assert session.url.startswith("https://checkout.stripe.com/") and session.mode == "setup"
    assert sim.object(account, session.id)["status"] == "complete"
    assert sim.object(account, session.setup_intent)["payment_method"] == card
    assert "checkout.session.completed" in sim.event_types(account)


async def test_checkout_rejects_the_pre_endive_parameter_name(
        client: stripe.StripeClient, account: StripeAccount, failed: dict[str, str]) -> None:
    with pytest.raises(stripe.InvalidRequestError) as caught:
        await client.v1.checkout.sessions.create_async(
            {"mode": "setup", "customer": failed["customer"], "currency": "usd",
             "success_url": "https://recoup.test/ok", "payment_method_types": ["card"]}, opts(account))

    assert caught.value.code == "parameter_unknown" and caught.value.param == "payment_method_types"


async def test_secret_store_create_and_find(client: stripe.StripeClient, account: StripeAccount) -> None:
    await client.v1.apps.secrets.create_async(
        {"name": "settings", "payload": '{"enabled": true}', "scope": {"type": "account"}},
        opts(account))

    found = await client.v1.apps.secrets.find_async(
        {"name": "settings", "scope": {"type": "account"}, "expand": ["payload"]}, opts(account))
    hidden = await client.v1.apps.secrets.find_async(
        {"name": "settings", "scope": {"type": "account"}}, opts(account))

    assert found.payload == '{"enabled": true}'
    assert hidden.payload is None
    with pytest.raises(stripe.InvalidRequestError) as caught:
        await client.v1.apps.secrets.find_async(
            {"name": "missing", "scope": {"type": "account"}}, opts(account))
    assert caught.value.http_status == 404


async def test_retrieve_subscription_and_customer(client: stripe.StripeClient, account: StripeAccount,
                                                  failed: dict[str, str]) -> None:
    sub = await client.v1.subscriptions.retrieve_async(failed["subscription"], options=opts(account))
    customer = await client.v1.customers.retrieve_async(failed["customer"], options=opts(account))

    assert sub.status == "past_due" and sub.latest_invoice == failed["invoice"]
    assert sub["items"].data[0].current_period_end > sub["items"].data[0].current_period_start
    assert customer.email == "ada@example.test"
    assert customer.invoice_settings.default_payment_method == failed["card"]


async def test_a_plain_stripe_client_can_be_pointed_at_the_simulator(
        sim: Simulator, account: StripeAccount) -> None:
    from backend.simulator import BASE_URL, stripe_http_client

    client = stripe.StripeClient("sk_test_plain", http_client=stripe_http_client(sim),
                                 base_addresses={"api": BASE_URL})

    listed = await client.v1.invoices.list_async({"limit": 1}, {"stripe_account": account.id})

    assert listed.object == "list" and listed.data == []
