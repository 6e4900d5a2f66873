"""Stripe's documented test PaymentMethod tokens (`pm_card_*`) and what each card does."""

from __future__ import annotations

from dataclasses import dataclass

from backend.simulator.behaviours import (
    CardBehaviour,
    Declines,
    ExpiredCard,
    LostCard,
    ProcessingError,
    RequiresAuthentication,
    StolenCard,
    Succeeds,
)


@dataclass(frozen=True)
class TokenCard:
    brand: str
    last4: str
    behaviour: CardBehaviour
    # Stripe's testing docs single out pm_card_chargeCustomerFail as the card that attaches and
    # then fails its charges, which says the other decline cards are refused when attached.
    attaches: bool = True
    setup_needs_action: bool = False


def _declines_at_attach(decline_code: str, last4: str, code: str = "card_declined") -> TokenCard:
    return TokenCard("visa", last4, Declines(decline_code, code=code), attaches=False)


CARD_TOKENS: dict[str, TokenCard] = {
    "pm_card_visa": TokenCard("visa", "4242", Succeeds()),
    "pm_card_visa_debit": TokenCard("visa", "5556", Succeeds()),
    "pm_card_mastercard": TokenCard("mastercard", "4444", Succeeds()),
    "pm_card_amex": TokenCard("amex", "8431", Succeeds()),
    "pm_card_discover": TokenCard("discover", "1117", Succeeds()),
    "pm_card_chargeCustomerFail": TokenCard("visa", "0341", Declines("generic_decline")),
    "pm_card_authenticationRequired": TokenCard("visa", "3184", RequiresAuthentication()),
    "pm_card_authenticationRequiredOnSetup": TokenCard("visa", "3155", Succeeds(),
                                                       setup_needs_action=True),
    "pm_card_createDispute": TokenCard("visa", "0259", Succeeds()),
    "pm_card_chargeDeclined": _declines_at_attach("generic_decline", "0002"),
    "pm_card_visa_chargeDeclined": _declines_at_attach("generic_decline", "0002"),
    "pm_card_visa_chargeDeclinedInsufficientFunds": _declines_at_attach("insufficient_funds", "9995"),
    "pm_card_chargeDeclinedInsufficientFunds": _declines_at_attach("insufficient_funds", "9995"),
    "pm_card_visa_chargeDeclinedLostCard": TokenCard("visa", "9987", LostCard(), attaches=False),
    "pm_card_chargeDeclinedLostCard": TokenCard("visa", "9987", LostCard(), attaches=False),
    "pm_card_visa_chargeDeclinedStolenCard": TokenCard("visa", "9979", StolenCard(), attaches=False),
    "pm_card_chargeDeclinedStolenCard": TokenCard("visa", "9979", StolenCard(), attaches=False),
    "pm_card_chargeDeclinedExpiredCard": TokenCard("visa", "0069", ExpiredCard(), attaches=False),
    "pm_card_chargeDeclinedIncorrectCvc": _declines_at_attach("incorrect_cvc", "0127",
                                                              code="incorrect_cvc"),
    "pm_card_chargeDeclinedProcessingError": TokenCard("visa", "0119", ProcessingError(failures=10**6),
                                                      attaches=False),
    "pm_card_chargeDeclinedVelocityLimitExceeded": _declines_at_attach("card_velocity_exceeded",
                                                                       "6975"),
}
