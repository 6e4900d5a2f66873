"""Merchant-typed text (brand name, reply-to, …) as it may be stored: normalised, nothing hidden."""

from __future__ import annotations

import unicodedata
from typing import Any

from backend.web.errors import HttpError

# Characters that reorder or hide text in e-mails, SMS and customer pages (Trojan Source, spoofed
# brand names): the explicit bidi marks, embeddings, overrides and isolates.
_BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def clean_text(field: str, value: str) -> str:
    """Return `value` in NFC form, or refuse it (422 naming `field`) if it holds control or bidi characters."""
    normalised = unicodedata.normalize("NFC", value)
    for character in normalised:
        if character in _BIDI_CONTROLS:
            raise HttpError(422, "invalid_setting", "must not contain right-to-left or other direction marks",
                            field)
        if unicodedata.category(character) == "Cc":  # NUL, CR, LF, tab, escape, …
            raise HttpError(422, "invalid_setting", "must not contain control characters or line breaks", field)
    return normalised


def clean_settings_text(changes: dict[str, Any]) -> dict[str, Any]:
    """Apply `clean_text` to every text value of a settings change; other values pass unchanged."""
    return {name: clean_text(name, value) if isinstance(value, str) else value for name, value in changes.items()}
