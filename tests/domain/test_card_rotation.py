"""Card rotation after a soft decline."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from backend.domain.billing import Card
from backend.domain.card_rotation import card_expires_at, is_usable, next_card

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def card(id: str, exp_month: int = 12, exp_year: int = 2030, fingerprint: str | None = None) -> Card:
    return Card(id=id, brand="visa", last4="4242", exp_month=exp_month, exp_year=exp_year,
                fingerprint=fingerprint or f"fp_{id}")


@pytest.mark.parametrize(("exp_month", "exp_year", "expected"), [
    (11, 2026, datetime(2026, 12, 1, tzinfo=UTC)),
    (12, 2026, datetime(2027, 1, 1, tzinfo=UTC)),
    (2, 2028, datetime(2028, 3, 1, tzinfo=UTC)),
])
def test_card_expires_at_the_end_of_its_expiry_month(exp_month: int, exp_year: int,
                                                     expected: datetime) -> None:
    assert card_expires_at(card("pm", exp_month, exp_year)) == expected


@pytest.mark.parametrize(("exp_month", "exp_year", "usable"), [
    (11, 2026, True),    # expires this month: still good until 30 Nov ends
    (10, 2026, False),   # expired last month
    (12, 2025, False),
    (13, 2030, False),   # impossible month
    (0, 2030, False),
])
def test_only_unexpired_cards_with_a_sane_date_are_usable(exp_month: int, exp_year: int,
                                                         usable: bool) -> None:
    assert is_usable(card("pm", exp_month, exp_year), NOW) is usable


def test_a_card_is_unusable_from_the_first_instant_of_the_next_month() -> None:
    november = card("pm", 11, 2026)

    assert is_usable(november, datetime(2026, 11, 30, 23, 59, 59, tzinfo=UTC))
    assert not is_usable(november, datetime(2026, 12, 1, tzinfo=UTC))


@pytest.mark.parametrize(("cards", "failed", "expected"), [
    ([card("a"), card("b")], set(), "a"),
    ([card("a"), card("b")], {"a"}, "b"),
    ([card("a"), card("b", 1, 2020), card("c")], {"a"}, "c"),
    ([card("a"), card("b")], {"a", "b"}, None),
    ([card("a", 1, 2020)], set(), None),
    ([], set(), None),
    # "b" is "a" added again (same fingerprint): it would fail the same way.
    ([card("a", fingerprint="fp_x"), card("b", fingerprint="fp_x"), card("c")], {"a"}, "c"),
], ids=["default first", "skips the failed default", "skips failed and expired",
        "none left", "only an expired card", "no cards", "skips a re-added failed card"])
def test_next_card_is_the_first_untried_valid_card_in_the_given_order(
        cards: list[Card], failed: set[str], expected: str | None) -> None:
    chosen = next_card(cards, failed_card_ids=failed, now=NOW)

    assert (chosen.id if chosen else None) == expected
