"""Decline classification: which recovery plan a failed card payment calls for, and how to explain it."""

from __future__ import annotations

from enum import StrEnum
from typing import NamedTuple

from backend.domain.billing import CardDecline


class DeclineCategory(StrEnum):
    INSUFFICIENT_FUNDS = "insufficient_funds"
    NEEDS_NEW_CARD = "needs_new_card"
    NEEDS_AUTHENTICATION = "needs_authentication"
    GENERIC = "generic"
    TEMPORARY = "temporary"
    OTHER = "other"


class _Rule(NamedTuple):
    category: DeclineCategory
    merchant: str
    # None: show the customer only the generic wording (see _CUSTOMER_GENERIC).
    customer: str | None


_C = DeclineCategory
_NEW_CARD_FOR_CUSTOMER = "Your card can no longer be charged. Please add a new card."

# Stripe publishes no full hard/soft split. The NEEDS_NEW_CARD rows are Stripe's non-retryable list
# (Smart Retries page) plus the codes whose "next step" is "use another card" or that no retry can fix.
# lost_card, stolen_card, fraudulent and merchant_blacklist must reach the customer only as a generic
# decline (Stripe's decline-code table); pickup_card, restricted_card, security_violation and
# highest_risk_level hint at the same suspicion, so they are hidden the same way.
_RULES: dict[str, _Rule] = {
    "incorrect_number": _Rule(_C.NEEDS_NEW_CARD, "The card number is incorrect.",
                              "The card number on file is incorrect. Please add your card again."),
    "invalid_number": _Rule(_C.NEEDS_NEW_CARD, "The card number is not valid.",
                            "The card number on file is not valid. Please add your card again."),
    "lost_card": _Rule(_C.NEEDS_NEW_CARD, "The card was reported lost.", None),
    "stolen_card": _Rule(_C.NEEDS_NEW_CARD, "The card was reported stolen.", None),
    "pickup_card": _Rule(_C.NEEDS_NEW_CARD,
                         "The issuer asked to retain the card (possibly lost or stolen).", None),
    "fraudulent": _Rule(_C.NEEDS_NEW_CARD, "The payment was declined as suspected fraud.", None),
    "merchant_blacklist": _Rule(_C.NEEDS_NEW_CARD,
                                "The card is on this account's block list.", None),
    "highest_risk_level": _Rule(_C.NEEDS_NEW_CARD, "Radar blocked the payment as highest risk.", None),
    "restricted_card": _Rule(_C.NEEDS_NEW_CARD,
                             "The card cannot be used for this payment (restricted by the issuer).",
                             None),
    "security_violation": _Rule(_C.NEEDS_NEW_CARD,
                                "The issuer declined the card for a security reason.", None),
    "revocation_of_authorization": _Rule(
        _C.NEEDS_NEW_CARD, "The customer revoked the authorization for this recurring payment.",
        "You stopped recurring payments to this merchant on this card. Please add a card."),
    "revocation_of_all_authorizations": _Rule(
        _C.NEEDS_NEW_CARD, "The customer revoked all recurring authorizations on the card.",
        "You stopped recurring payments on this card. Please add a card."),
    "stop_payment_order": _Rule(_C.NEEDS_NEW_CARD, "The customer placed a stop-payment order.",
                                "You stopped payments on this card. Please add a card."),
    "expired_card": _Rule(_C.NEEDS_NEW_CARD, "The card has expired.",
                          "Your card has expired. Please add a new card."),
    "invalid_expiry_month": _Rule(_C.NEEDS_NEW_CARD, "The card's expiry month is not valid.",
                                  _NEW_CARD_FOR_CUSTOMER),
    "invalid_expiry_year": _Rule(_C.NEEDS_NEW_CARD, "The card's expiry year is not valid.",
                                 _NEW_CARD_FOR_CUSTOMER),
    "incorrect_cvc": _Rule(_C.NEEDS_NEW_CARD, "The card's security code is incorrect.",
                           "Your card's security code was not accepted. Please add your card again."),
    "invalid_cvc": _Rule(_C.NEEDS_NEW_CARD, "The card's security code is not valid.",
                         "Your card's security code was not accepted. Please add your card again."),
    "invalid_account": _Rule(_C.NEEDS_NEW_CARD, "The card or its account is not valid.",
                             _NEW_CARD_FOR_CUSTOMER),
    "new_account_information_available": _Rule(
        _C.NEEDS_NEW_CARD, "The issuer has new details for this card; the card on file is outdated.",
        "Your bank has issued new card details. Please add your current card."),
    "card_not_supported": _Rule(_C.NEEDS_NEW_CARD, "The card does not support this kind of purchase.",
                                "This card does not support this payment. Please use another card."),
    "currency_not_supported": _Rule(_C.NEEDS_NEW_CARD,
                                    "The card does not support the invoice's currency.",
                                    "This card does not support this currency. Please use another card."),
    "pin_try_exceeded": _Rule(_C.NEEDS_NEW_CARD, "The PIN tries were exceeded.",
                              _NEW_CARD_FOR_CUSTOMER),
    "do_not_try_again": _Rule(_C.NEEDS_NEW_CARD, "The issuer said not to try this card again.",
                              _NEW_CARD_FOR_CUSTOMER),
    "testmode_decline": _Rule(_C.NEEDS_NEW_CARD, "A Stripe test card was used in live mode.",
                              _NEW_CARD_FOR_CUSTOMER),
    "authentication_required": _Rule(
        _C.NEEDS_AUTHENTICATION, "The issuer requires the customer to authenticate (3-D Secure).",
        "Your bank needs you to confirm this payment."),
    "insufficient_funds": _Rule(_C.INSUFFICIENT_FUNDS, "The card has insufficient funds.",
                                "Your card did not have enough funds for this payment."),
    "withdrawal_count_limit_exceeded": _Rule(
        _C.INSUFFICIENT_FUNDS, "The card exceeded its balance or withdrawal limit.",
        "Your card reached its spending limit."),
    "card_velocity_exceeded": _Rule(
        _C.INSUFFICIENT_FUNDS, "The card exceeded its balance, credit or transaction limit.",
        "Your card reached its spending limit."),
    "do_not_honor": _Rule(_C.GENERIC, "The issuer declined without giving a reason (do not honor).",
                          None),
    "generic_decline": _Rule(_C.GENERIC, "The issuer declined without giving a reason.", None),
    "card_declined": _Rule(_C.GENERIC, "The card was declined without a decline code.", None),
    "call_issuer": _Rule(_C.GENERIC, "The issuer declined and asks the customer to call it.",
                         "Your bank declined the payment. Please contact your bank."),
    "no_action_taken": _Rule(_C.GENERIC, "The issuer declined without giving a reason.", None),
    "not_permitted": _Rule(_C.GENERIC, "The issuer does not permit this payment.", None),
    "service_not_allowed": _Rule(_C.GENERIC, "The issuer does not allow this kind of payment.", None),
    "transaction_not_allowed": _Rule(_C.GENERIC, "The issuer does not allow this transaction.", None),
    "duplicate_transaction": _Rule(_C.GENERIC, "The issuer saw an identical payment very recently.",
                                   None),
    "card_decline_rate_limit_exceeded": _Rule(
        _C.GENERIC, "Stripe is rate-limiting this card after too many declines.", None),
    "processing_error": _Rule(_C.TEMPORARY, "An error occurred while processing the card.",
                              "A temporary error stopped the payment."),
    "issuer_not_available": _Rule(_C.TEMPORARY, "The issuer could not be reached.",
                                  "Your bank could not be reached."),
    "try_again_later": _Rule(_C.TEMPORARY, "The issuer asked to try again later.",
                             "Your bank asked for the payment to be tried again later."),
    "reenter_transaction": _Rule(_C.TEMPORARY, "The issuer could not process the payment.",
                                 "A temporary error stopped the payment."),
    "approve_with_id": _Rule(_C.TEMPORARY, "The issuer could not authorize the payment yet.",
                             "A temporary error stopped the payment."),
}

# Outcome reasons that mean the same card must not be charged again: Stripe returns
# previously_declined_do_not_retry once Visa's retry limit is reached and authorization looks unlikely.
_DO_NOT_RETRY_REASONS = frozenset({"previously_declined_do_not_retry", "highest_risk_level"})
# Advice codes (Charge.outcome.advice_code): confirm_card_data means the details on file are wrong, so
# another attempt with the same details cannot succeed.
_NEW_CARD_ADVICE = frozenset({"do_not_try_again", "confirm_card_data"})
_CUSTOMER_GENERIC = "Your card was declined. Please use another card or contact your bank."
_RETRYABLE = frozenset({_C.INSUFFICIENT_FUNDS, _C.GENERIC, _C.TEMPORARY, _C.OTHER})


def classify_decline(decline: CardDecline) -> DeclineCategory:
    """Return the recovery category a decline belongs to."""
    if decline.advice_code in _NEW_CARD_ADVICE or decline.outcome_reason in _DO_NOT_RETRY_REASONS:
        return _C.NEEDS_NEW_CARD
    category = _category_from_codes(decline)
    # try_again_later advice upgrades only the vague categories: a hard code still needs a new card,
    # and insufficient funds keep their payday plan, which already waits for the balance to change.
    if decline.advice_code == "try_again_later" and category in (_C.GENERIC, _C.OTHER):
        return _C.TEMPORARY
    return category


def is_retryable(category: DeclineCategory) -> bool:
    """Return whether charging the same card again can succeed for this category."""
    return category in _RETRYABLE


def merchant_explanation(decline: CardDecline) -> str:
    """Return one line for the merchant's panel: what happened, with the raw codes."""
    rule = _rule_for(decline)
    text = rule.merchant if rule else _unknown_text(decline)
    if decline.outcome_reason == "previously_declined_do_not_retry":
        text = "Stripe blocked the attempt: this card was declined too often for this payment."
    details = [f"{label} {value}" for label, value in (
        ("code", decline.code), ("decline code", decline.decline_code),
        ("advice", decline.advice_code), ("network advice", decline.network_advice_code),
    ) if value]
    return f"{text} ({'; '.join(details)})" if details else text


def customer_explanation(decline: CardDecline) -> str:
    """Return the sentence a customer may see; suspicion of fraud is never revealed."""
    rule = _rule_for(decline)
    if rule is None or rule.customer is None:
        return _CUSTOMER_GENERIC
    return rule.customer


def _category_from_codes(decline: CardDecline) -> DeclineCategory:
    rule = _rule_for(decline)
    return rule.category if rule is not None else _C.OTHER


def _rule_for(decline: CardDecline) -> _Rule | None:
    # The decline code is the issuer's specific reason; the error code is Stripe's broader one
    # (card_declined, expired_card, incorrect_cvc, processing_error, authentication_required, ...).
    if decline.decline_code in _RULES:
        return _RULES[decline.decline_code]
    if decline.decline_code is not None and decline.code == "card_declined":
        return None  # the issuer named a reason we do not know: not the same as a plain decline
    return _RULES.get(decline.code) if decline.code is not None else None


def _unknown_text(decline: CardDecline) -> str:
    if decline.message:
        return decline.message.strip().splitlines()[0]
    return "The card was declined for a reason Stripe did not name."
