"""The one question every charging path asks: may this card be charged now, and why not."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from backend.domain.billing import Card, CardDecline, InvoiceStatus
from backend.domain.declines import DeclineCategory, classify_decline
from backend.domain.network_budget import network_allows_retry

# Stripe statuses of a subscription whose invoices must not be charged any more: ended, or
# paused by the merchant (a paused subscription collects nothing).
STOPPED_SUBSCRIPTION_STATUSES = frozenset({"canceled", "incomplete_expired", "paused"})


class Then(StrEnum):
    """What the caller does when the answer is no."""

    CLOSE = "close"  # the invoice or its subscription is finished: close the recovery
    WAIT_FOR_CARD = "wait_for_card"  # only another card helps
    LATER = "later"  # a rolling network window frees a slot at `earliest`
    NOTHING = "nothing"  # the recovery is not in a state that charges (paused, observed, ended)
    KEEP_PLAN = "keep_plan"  # offered as a new card but it is a card that failed here: the plan goes on


@dataclass(frozen=True)
class PastAttempt:
    """One earlier attempt on this invoice, as far as the card network is concerned."""

    at: datetime
    payment_method_id: str | None
    fingerprint: str | None
    reached_network: bool
    decline: CardDecline | None  # None: it succeeded or never reached the card
    card_last4: str | None = None  # as it was when charged: the card updater may change it in place


@dataclass(frozen=True)
class ChargeQuestion:
    """What was just read from Stripe about the charge about to be made."""

    invoice_status: InvoiceStatus
    subscription_status: str | None
    card: Card | None  # the card Stripe will charge (None: not known)
    card_id: str | None
    now: datetime
    # The charge is a card update's: it may only charge a card other than the ones that failed here.
    as_new_card: bool = False
    # Cards Stripe itself reports as having failed on this invoice (read with it, before our own
    # story may have recorded the original failure).
    failed_on_invoice: frozenset[str] = frozenset()
    # When the networks' card updater refreshed this card in place (same id, new expiry or number):
    # a hard decline from before then was about the card as it was, not as it is now.
    card_refreshed_at: datetime | None = None


@dataclass(frozen=True)
class ChargeAnswer:
    allowed: bool
    reason: str
    then: Then = Then.NOTHING
    earliest: datetime | None = None


YES = ChargeAnswer(True, "allowed")


def hard_declined(decline: CardDecline, brand: str | None, now: datetime) -> str | None:
    """Return why a decline rules its card out for the rest of the recovery, or None."""
    if classify_decline(decline) is DeclineCategory.NEEDS_NEW_CARD:
        return f"the card was declined for good ({decline.decline_code or decline.code or 'hard decline'})"
    verdict = network_allows_retry(brand or "unknown", (), now,
                                   advice_code=decline.advice_code,
                                   network_advice_code=decline.network_advice_code)
    return verdict.reason if verdict.never else None


def answer_for_card(question: ChargeQuestion, attempts: Sequence[PastAttempt]) -> ChargeAnswer:
    """Return whether the invoice and the card allow a charge now; status checks come first."""
    if question.invoice_status is not InvoiceStatus.OPEN:
        return ChargeAnswer(False, f"the invoice is {question.invoice_status.value}", Then.CLOSE)
    if question.subscription_status in STOPPED_SUBSCRIPTION_STATUSES:
        return ChargeAnswer(False, f"the subscription is {question.subscription_status}", Then.CLOSE)
    card_id = question.card_id or (question.card.id if question.card else None)
    fingerprint = question.card.fingerprint if question.card else None
    same_card = [a for a in attempts if _same_card(a, card_id, fingerprint)]
    brand = question.card.brand if question.card else None
    refreshed = question.card_refreshed_at
    for attempt in same_card:
        if refreshed is not None and attempt.at <= refreshed:
            continue
        why = hard_declined(attempt.decline, brand, question.now) if attempt.decline else None
        if why:
            return ChargeAnswer(False, f"this card may not be charged again: {why}", Then.WAIT_FOR_CARD)
    if question.as_new_card and _failed_here(question, card_id, same_card):
        # A customer.updated sent before the failure and delivered after it names the card that
        # then failed: that is no card update, and the schedule already covers that card.
        return ChargeAnswer(False, "no new card: the default card is the one that failed in this recovery",
                            Then.KEEP_PLAN)
    verdict = network_allows_retry(brand or "unknown", [a.at for a in same_card if a.reached_network],
                                   question.now, advice_code=None, network_advice_code=None)
    if not verdict.allowed:
        return ChargeAnswer(False, f"card network budget: {verdict.reason}", Then.LATER, verdict.earliest)
    return YES


def _failed_here(question: ChargeQuestion, card_id: str | None, same_card: Sequence[PastAttempt]) -> bool:
    """Whether the card offered as new already failed on this invoice, unchanged since."""
    refreshed = question.card_refreshed_at
    if refreshed is not None:
        # The networks refreshed it in place (new expiry, maybe the same number): what failed before
        # that was the card as it was.
        same_card = [a for a in same_card if a.at > refreshed]
        if not same_card:
            return False
    if not same_card:
        return card_id is not None and card_id in question.failed_on_invoice
    last4 = question.card.last4 if question.card else None
    # Refreshed in place by the card updater: same id, other number. That is a new card.
    return any(a.decline is not None and not (last4 and a.card_last4 and a.card_last4 != last4)
               for a in same_card)


def _same_card(attempt: PastAttempt, card_id: str | None, fingerprint: str | None) -> bool:
    if card_id is not None and attempt.payment_method_id == card_id:
        return True
    # A card re-added to the customer gets a new id but keeps its fingerprint.
    return fingerprint is not None and attempt.fingerprint == fingerprint
