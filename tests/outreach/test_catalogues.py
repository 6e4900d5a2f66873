"""Every language speaks every string the templates use; what a catalogue lacks falls back to English."""

from __future__ import annotations

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from backend.adapters.messages.catalogues import LOCALE_DIR, choose_locale, translations_for
from backend.adapters.messages.templates import TEMPLATE_DIR

_METHODS = [("**.html", "jinja2"), ("**.txt", "jinja2"), ("**.jinja", "jinja2")]


def template_strings() -> set[str]:
    found = extract_from_dir(str(TEMPLATE_DIR), method_map=_METHODS,
                             options_map={"**": {"extensions": "jinja2.ext.i18n"}})
    return {message for _file, _line, message, _comments, _context in found if isinstance(message, str)}


@pytest.mark.parametrize("locale", ["de", "fr", "es"])
def test_each_catalogue_translates_every_string_the_templates_use(locale: str) -> None:
    with (LOCALE_DIR / locale / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalog = read_po(handle, locale=locale)
    translated = {m.id for m in catalog if m.id and m.string and not m.fuzzy}

    missing = template_strings() - translated

    assert not missing, f"{locale} lacks: {sorted(missing)}"


def test_the_templates_use_strings_at_all() -> None:
    assert len(template_strings()) > 40


def test_a_string_missing_from_a_catalogue_reads_in_english(tmp_path, monkeypatch) -> None:
    po = ('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=utf-8\\n"\n\n'
          'msgid "Update your card"\nmsgstr "Kaart bijwerken"\n')
    (tmp_path / "nl" / "LC_MESSAGES").mkdir(parents=True)
    (tmp_path / "nl" / "LC_MESSAGES" / "messages.po").write_text(po)
    monkeypatch.setattr("backend.adapters.messages.catalogues.LOCALE_DIR", tmp_path)
    translations_for.cache_clear()
    try:
        nl = translations_for("nl")
        assert nl.gettext("Update your card") == "Kaart bijwerken"
        assert nl.gettext("Confirm your payment") == "Confirm your payment"
    finally:
        translations_for.cache_clear()


@pytest.mark.parametrize(("preferred", "fallback", "expected"), [
    (("de-DE", "en"), None, "de"),
    (("fr",), "de", "fr"),
    (("nl", "es-419"), None, "es"),
    (("nl",), "de", "de"),
    ((), None, "en"),
    (("not a locale!",), None, "en"),
])
def test_the_customer_reads_the_first_language_recoup_speaks(preferred, fallback, expected) -> None:
    assert choose_locale(preferred, fallback) == expected


def test_catalogues_are_read_from_source_without_a_compile_step() -> None:
    assert not list(LOCALE_DIR.rglob("*.mo"))
    assert translations_for("de").gettext("Update your card") == "Karte aktualisieren"
