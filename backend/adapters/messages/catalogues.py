"""Gettext catalogues, read from the .po files at start-up: no compile step for anyone."""

from __future__ import annotations

import functools
import io
from collections.abc import Sequence
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

LOCALE_DIR = Path(__file__).resolve().parents[2] / "locale"
DEFAULT_LOCALE = "en"  # the templates' own language: English needs no catalogue


def available_locales() -> tuple[str, ...]:
    """Return every language Recoup speaks: English plus one per catalogue."""
    found = sorted(path.name for path in LOCALE_DIR.iterdir() if (path / "LC_MESSAGES" / "messages.po").exists())
    return (DEFAULT_LOCALE, *found)


def choose_locale(preferred: Sequence[str], fallback: str | None = None) -> str:
    """Return the first supported language of the customer's `preferred_locales`, else `fallback`, else English."""
    supported = available_locales()
    for candidate in [*preferred, *([fallback] if fallback else [])]:
        try:
            language = Locale.parse(candidate.replace("-", "_")).language
        except (ValueError, UnknownLocaleError):
            continue
        if language in supported:
            return language
    return DEFAULT_LOCALE


@functools.cache
def translations_for(locale: str) -> NullTranslations:
    """Return the catalogue of `locale`; strings it lacks fall back to English."""
    po_path = LOCALE_DIR / locale / "LC_MESSAGES" / "messages.po"
    if locale == DEFAULT_LOCALE or not po_path.exists():
        return NullTranslations()
    with po_path.open("rb") as handle:
        catalog = read_po(handle, locale=locale)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)  # fuzzy and empty entries are left out, so they fall back to English
    compiled.seek(0)
    return Translations(fp=compiled)
