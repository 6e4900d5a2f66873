"""Money and dates as the customer reads them, in their language."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from babel.dates import format_date
from babel.numbers import format_currency

# Stripe's zero-decimal currencies: amounts are whole units (¥1,000 is amount=1000). Stripe's
# list, not ISO 4217's, because Stripe's amounts are what Recoup holds.
_ZERO_DECIMAL = frozenset({"bif", "clp", "djf", "gnf", "jpy", "kmf", "krw", "mga", "pyg", "rwf",
                           "ugx", "vnd", "vuv", "xaf", "xof", "xpf"})
_THREE_DECIMAL = frozenset({"bhd", "jod", "kwd", "omr", "tnd"})


def money(amount: int, currency: str, locale: str) -> str:
    """Format a Stripe amount (minor units) as e.g. "$25.00", "25,00 €" or "￥1,000"."""
    code = currency.lower()
    exponent = 0 if code in _ZERO_DECIMAL else 3 if code in _THREE_DECIMAL else 2
    value = Decimal(amount).scaleb(-exponent)
    return format_currency(value, code.upper(), locale=locale)


def day(moment: datetime, locale: str, tz: ZoneInfo) -> str:
    """Format the customer's calendar day of `moment`, e.g. "December 1, 2026" or "1. Dezember 2026"."""
    return format_date(moment.astimezone(tz).date(), format="long", locale=locale)
