"""Stripe JSON of API 2026-10-28.endive becomes Recoup's billing values."""

from __future__ import annotations

from datetime import UTC, datetime

from backend.adapters.stripe.declines import decline_from_error, with_charge_outcome
from backend.adapters.stripe.parsing import (
    parse_card,
    parse_customer,
    parse_invoice,
    parse_invoice_payment,
    parse_subscription,
)
from backend.domain.billing import InvoiceStatus

from . import payloads


def test_an_invoice_takes_its_subscription_from_the_parent() -> None:
    invoice = parse_invoice(payloads.invoice())

    assert invoice.subscription_id == "sub_1"
    assert invoice.status is InvoiceStatus.OPEN
    assert (invoice.amount_due, invoice.amount_remaining, invoice.currency) == (2000, 2000, "eur")
    assert invoice.created == datetime(2025, 12, 1, tzinfo=UTC)
    assert invoice.next_payment_attempt == datetime(2026, 1, 1, tzinfo=UTC)
    assert invoice.metadata == {"plan": "pro"}
    assert invoice.latest_decline is None  # payments were not expanded


def test_an_expanded_subscription_parent_still_gives_its_id() -> None:
    raw = payloads.invoice()
    raw["parent"]["subscription_details"]["subscription"] = payloads.subscription()

    assert parse_invoice(raw).subscription_id == "sub_1"


def test_a_one_off_invoice_has_no_subscription() -> None:
    assert parse_invoice(payloads.invoice(subscription=None)).subscription_id is None


def test_the_latest_decline_comes_from_the_newest_failed_payment() -> None:
    older = payloads.payment_intent("pi_old", created=payloads.CREATED,
                                    error=payloads.last_payment_error(charge_id="ch_old",
                                                                      decline_code="do_not_honor"))
    newer_card = payloads.card_payment_method("pm_master", brand="mastercard")
    newer = payloads.payment_intent("pi_new", created=payloads.CREATED + 60,
                                    error=payloads.last_payment_error(charge_id="ch_new", pm=newer_card))
    raw = payloads.invoice(payments=[
        payloads.invoice_payment("inpay_old", intent=older, created=payloads.CREATED),
        payloads.invoice_payment("inpay_new", intent=newer, created=payloads.CREATED + 60)])

    invoice = parse_invoice(raw)

    assert invoice.latest_decline is not None
    assert invoice.latest_decline.decline_code == "insufficient_funds"
    assert invoice.latest_decline.payment_intent_id == "pi_new"
    assert invoice.latest_decline.charge_id == "ch_new"
    assert invoice.latest_decline.network_advice_code == "01"
    assert invoice.latest_payment_method_id == "pm_master"


def test_an_expanded_latest_charge_adds_the_network_outcome() -> None:
    intent = payloads.payment_intent(error=payloads.last_payment_error(), latest_charge=payloads.charge(
        type="blocked", network_status="not_sent_to_network", reason="previously_declined_do_not_retry"))
    raw = payloads.invoice(payments=[payloads.invoice_payment(intent=intent)])

    decline = parse_invoice(raw).latest_decline

    assert decline is not None
    assert (decline.network_status, decline.outcome_type, decline.outcome_reason) == (
        "not_sent_to_network", "blocked", "previously_declined_do_not_retry")


def test_an_invoice_with_only_the_required_fields_parses() -> None:
    raw = {"id": "in_min", "object": "invoice", "customer": "cus_1", "status": "draft",
           "currency": "usd", "created": payloads.CREATED}

    invoice = parse_invoice(raw)

    assert (invoice.attempt_count, invoice.auto_advance, invoice.metadata) == (0, False, {})
    assert invoice.next_payment_attempt is None
    assert invoice.collection_method == "charge_automatically"
    assert invoice.billing_reason is None


def test_a_subscription_renews_when_its_last_item_does() -> None:
    raw = payloads.subscription()
    later = dict(raw["items"]["data"][0], id="si_2", current_period_end=payloads.PERIOD_END + 86_400)
    raw["items"]["data"].append(later)

    subscription = parse_subscription(raw)

    assert subscription.current_period_end == datetime(2026, 1, 2, tzinfo=UTC)
    assert subscription.latest_invoice_id == "in_1"
    assert subscription.default_payment_method == "pm_visa"


def test_a_subscription_without_items_has_no_period_end() -> None:
    raw = payloads.subscription()
    del raw["items"]

    assert parse_subscription(raw).current_period_end is None


def test_a_customer_reads_country_default_method_and_locales() -> None:
    customer = parse_customer(payloads.customer())

    assert (customer.country, customer.default_payment_method) == ("DE", "pm_visa")
    assert customer.preferred_locales == ("de-DE", "en")


def test_a_customer_without_address_or_settings_parses() -> None:
    customer = parse_customer({"id": "cus_2", "object": "customer", "address": None,
                               "invoice_settings": None, "preferred_locales": None})

    assert (customer.country, customer.default_payment_method, customer.preferred_locales) == (
        None, None, ())


def test_a_card_payment_method_becomes_a_card_and_others_do_not() -> None:
    card = parse_card(payloads.card_payment_method("pm_amex", brand="amex", last4="8431"))

    assert card is not None
    assert (card.brand, card.last4, card.exp_month, card.exp_year) == ("amex", "8431", 12, 2030)
    assert parse_card({"id": "pm_sepa", "object": "payment_method", "type": "sepa_debit"}) is None


def test_an_invoice_payment_names_its_payment_intent_expanded_or_not() -> None:
    plain = parse_invoice_payment(payloads.invoice_payment())
    expanded = parse_invoice_payment(payloads.invoice_payment(intent=payloads.payment_intent("pi_9")))

    assert (plain.payment_intent_id, expanded.payment_intent_id) == ("pi_1", "pi_9")
    assert plain.amount_paid is None and plain.is_default


def test_a_card_error_keeps_its_codes_when_the_charge_adds_the_outcome() -> None:
    decline = decline_from_error(payloads.card_error()["error"])

    explained = with_charge_outcome(decline, payloads.charge(advice_code="do_not_try_again"))

    assert explained.advice_code == "try_again_later"  # the error's own word wins
    assert explained.network_status == "declined_by_network"
    assert explained.payment_intent_id == "pi_1"
    assert explained.payment_method_id == "pm_visa"
