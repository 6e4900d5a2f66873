"""Dates as the customer reads them, in their language (money: `services/money_format.py`)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from babel.dates import format_date


def day(moment: datetime, locale: str, tz: ZoneInfo) -> str:
    """Format the customer's calendar day of `moment`, e.g. "December 1, 2026" or "1. Dezember 2026"."""
    return format_date(moment.astimezone(tz).date(), format="long", locale=locale)
