"""Decline classification and explanations."""

from __future__ import annotations

import pytest

from backend.domain.billing import CardDecline
from backend.domain.declines import (
    DeclineCategory,
    classify_decline,
    customer_explanation,
    is_retryable,
    merchant_explanation,
)

C = DeclineCategory
STRIPE_NON_RETRYABLE = ["incorrect_number", "lost_card", "pickup_card", "stolen_card",
                        "revocation_of_authorization", "revocation_of_all_authorizations",
                        "highest_risk_level"]
OUR_NEW_CARD_CODES = ["fraudulent", "expired_card", "invalid_account",
                      "new_account_information_available", "card_not_supported",
                      "currency_not_supported", "merchant_blacklist", "incorrect_cvc"]


def declined(decline_code: str | None = None, **fields: str) -> CardDecline:
    return CardDecline(code=fields.pop("code", "card_declined"), decline_code=decline_code, **fields)


@pytest.mark.parametrize("code", STRIPE_NON_RETRYABLE + OUR_NEW_CARD_CODES)
def test_hard_decline_needs_a_new_card(code: str) -> None:
    category = classify_decline(declined(code))

    assert category is C.NEEDS_NEW_CARD
    assert not is_retryable(category)


@pytest.mark.parametrize(("decline", "expected"), [
    (declined("insufficient_funds"), C.INSUFFICIENT_FUNDS),
    (declined("withdrawal_count_limit_exceeded"), C.INSUFFICIENT_FUNDS),
    (declined("card_velocity_exceeded"), C.INSUFFICIENT_FUNDS),
    (declined("do_not_honor"), C.GENERIC),
    (declined("generic_decline"), C.GENERIC),
    (declined("call_issuer"), C.GENERIC),
    (declined(None), C.GENERIC),
    (declined("processing_error"), C.TEMPORARY),
    (declined("issuer_not_available"), C.TEMPORARY),
    (declined("try_again_later"), C.TEMPORARY),
    (declined("reenter_transaction"), C.TEMPORARY),
    (declined("approve_with_id"), C.TEMPORARY),
    (declined("authentication_required"), C.NEEDS_AUTHENTICATION),
    (declined("a_code_stripe_adds_next_year"), C.OTHER),
], ids=lambda value: value if isinstance(value, str) else None)
def test_decline_code_picks_the_category(decline: CardDecline, expected: DeclineCategory) -> None:
    assert classify_decline(decline) is expected


@pytest.mark.parametrize(("code", "expected"), [
    ("expired_card", C.NEEDS_NEW_CARD),
    ("incorrect_cvc", C.NEEDS_NEW_CARD),
    ("authentication_required", C.NEEDS_AUTHENTICATION),
    ("processing_error", C.TEMPORARY),
    ("card_declined", C.GENERIC),
    ("api_key_expired", C.OTHER),
])
def test_error_code_decides_when_there_is_no_decline_code(code: str,
                                                          expected: DeclineCategory) -> None:
    assert classify_decline(CardDecline(code=code)) is expected


def test_an_empty_decline_is_other() -> None:
    assert classify_decline(CardDecline()) is C.OTHER


@pytest.mark.parametrize("code", ["insufficient_funds", "generic_decline", "processing_error",
                                  "a_code_stripe_adds_next_year"])
def test_advice_do_not_try_again_forces_a_new_card(code: str) -> None:
    decline = declined(code, advice_code="do_not_try_again")

    assert classify_decline(decline) is C.NEEDS_NEW_CARD


def test_advice_confirm_card_data_asks_for_a_new_card() -> None:
    assert classify_decline(declined("generic_decline", advice_code="confirm_card_data")) \
        is C.NEEDS_NEW_CARD


def test_stripe_blocking_after_too_many_retries_needs_a_new_card() -> None:
    # What Stripe returns after Visa's 15th retry: generic_decline, blocked, not sent to the network.
    decline = declined("generic_decline", outcome_type="blocked",
                       network_status="not_sent_to_network",
                       outcome_reason="previously_declined_do_not_retry")

    assert classify_decline(decline) is C.NEEDS_NEW_CARD


@pytest.mark.parametrize(("code", "expected"), [
    ("generic_decline", C.TEMPORARY),
    ("do_not_honor", C.TEMPORARY),
    ("a_code_stripe_adds_next_year", C.TEMPORARY),
    ("insufficient_funds", C.INSUFFICIENT_FUNDS),
    ("lost_card", C.NEEDS_NEW_CARD),
])
def test_advice_try_again_later_makes_only_vague_declines_temporary(
        code: str, expected: DeclineCategory) -> None:
    assert classify_decline(declined(code, advice_code="try_again_later")) is expected


@pytest.mark.parametrize(("category", "retryable"), [
    (C.INSUFFICIENT_FUNDS, True), (C.GENERIC, True), (C.TEMPORARY, True), (C.OTHER, True),
    (C.NEEDS_NEW_CARD, False), (C.NEEDS_AUTHENTICATION, False),
])
def test_only_soft_categories_are_retryable(category: DeclineCategory, retryable: bool) -> None:
    assert is_retryable(category) is retryable


@pytest.mark.parametrize("code", ["lost_card", "stolen_card", "fraudulent", "merchant_blacklist",
                                  "pickup_card"])
def test_suspected_fraud_is_shown_to_the_customer_as_a_generic_decline(code: str) -> None:
    text = customer_explanation(declined(code))

    assert text == customer_explanation(declined("generic_decline"))
    for word in ("lost", "stolen", "fraud", "block"):
        assert word not in text.lower()


@pytest.mark.parametrize(("code", "expected_word"), [
    ("insufficient_funds", "enough funds"),
    ("expired_card", "expired"),
    ("authentication_required", "confirm"),
])
def test_customer_hears_an_actionable_reason_when_it_is_safe(code: str, expected_word: str) -> None:
    assert expected_word in customer_explanation(declined(code))


def test_merchant_explanation_names_the_reason_and_the_raw_codes() -> None:
    decline = declined("lost_card", advice_code="do_not_try_again")

    text = merchant_explanation(decline)

    assert "reported lost" in text
    assert "decline code lost_card" in text
    assert "advice do_not_try_again" in text
    assert "\n" not in text


def test_merchant_explanation_says_when_stripe_blocked_a_retry() -> None:
    decline = declined("generic_decline", outcome_reason="previously_declined_do_not_retry")

    assert "Stripe blocked" in merchant_explanation(decline)


def test_merchant_explanation_of_an_unknown_code_falls_back_to_stripes_message() -> None:
    decline = declined("a_code_stripe_adds_next_year", message="Your card was declined.\nMore.")

    assert merchant_explanation(decline).startswith("Your card was declined. (")
