"""Readers for the field shapes that recur across Stripe's JSON objects."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

Json = Mapping[str, Any]


def id_of(value: object) -> str | None:
    """Return the id of an expandable field, whether Stripe sent the id or the object."""
    if isinstance(value, str):
        return value
    if isinstance(value, Mapping):
        found = value.get("id")
        return found if isinstance(found, str) else None
    return None


def timestamp(value: object) -> datetime | None:
    """Convert Stripe's unix seconds to an aware UTC datetime."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return datetime.fromtimestamp(value, UTC)
    return None


def metadata(raw: Json) -> dict[str, str]:
    """Return an object's metadata as a plain str→str dict."""
    return {str(key): str(value) for key, value in (raw.get("metadata") or {}).items()}


def text(raw: Json, key: str) -> str | None:
    """Return a string field, or None when it is absent, null or not a string."""
    value = raw.get(key)
    return value if isinstance(value, str) else None


def unix_seconds(moment: datetime) -> int:
    """Convert an aware datetime to the unix seconds Stripe's parameters take."""
    if moment.tzinfo is None:
        raise ValueError("Stripe timestamps need an aware datetime")
    return int(moment.timestamp())
