"""Amounts as people read them, in their language: the one money formatter (e-mails, pages, the log)."""

from __future__ import annotations

from decimal import Decimal

from babel.numbers import format_currency

# Stripe's zero-decimal currencies: amounts are whole units (¥1,000 is amount=1000). Stripe's
# list, not ISO 4217's, because Stripe's amounts are what Recoup holds.
_ZERO_DECIMAL = frozenset({"bif", "clp", "djf", "gnf", "jpy", "kmf", "krw", "mga", "pyg", "rwf",
                           "ugx", "vnd", "vuv", "xaf", "xof", "xpf"})
_THREE_DECIMAL = frozenset({"bhd", "jod", "kwd", "omr", "tnd"})


def money(amount: int, currency: str, locale: str = "en") -> str:
    """Format a Stripe amount (minor units) as e.g. "$25.00", "25,00 €" or "¥1,000"."""
    code = currency.lower()
    exponent = 0 if code in _ZERO_DECIMAL else 3 if code in _THREE_DECIMAL else 2
    value = Decimal(amount).scaleb(-exponent)
    return format_currency(value, code.upper(), locale=locale)
