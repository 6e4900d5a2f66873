"""Card rotation: which card on file to try next after a soft decline."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from backend.domain.billing import Card


def card_expires_at(card: Card) -> datetime:
    """Return the first instant the card is no longer valid: the start of the month after expiry."""
    # Cards are valid through the last day of their expiry month. The boundary is taken in UTC, which
    # errs a few hours early for customers west of Greenwich: a skipped day beats a certain decline.
    if card.exp_month == 12:
        return datetime(card.exp_year + 1, 1, 1, tzinfo=UTC)
    return datetime(card.exp_year, card.exp_month + 1, 1, tzinfo=UTC)


def is_usable(card: Card, now: datetime) -> bool:
    """Return whether the card has a sane expiry date that has not passed."""
    if not 1 <= card.exp_month <= 12 or not 1 <= card.exp_year <= 9998:
        return False
    return now < card_expires_at(card)


def next_card(cards: Sequence[Card], *, failed_card_ids: set[str], now: datetime) -> Card | None:
    """Return the first usable card, in the given order, that has not failed in this recovery."""
    # A card re-added to the customer gets a new id but keeps its fingerprint; charging it again
    # would repeat the same decline and spend the same network budget.
    failed_fingerprints = {card.fingerprint for card in cards
                           if card.id in failed_card_ids and card.fingerprint}
    for card in cards:
        if card.id in failed_card_ids or card.fingerprint in failed_fingerprints:
            continue
        if is_usable(card, now):
            return card
    return None
