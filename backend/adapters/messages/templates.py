"""Jinja2 environments per language and output kind: autoescaped HTML, plain text, strict variables."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from backend.adapters.messages.catalogues import translations_for

TEMPLATE_DIR = Path(__file__).resolve().parents[2] / "templates"


@functools.cache
def environment(locale: str, *, html: bool) -> Environment:
    """Return the environment for `locale`; HTML output escapes everything, text output nothing."""
    env = Environment(loader=FileSystemLoader(TEMPLATE_DIR), autoescape=html, undefined=StrictUndefined,
                      extensions=["jinja2.ext.i18n"], keep_trailing_newline=True)
    # newstyle gettext: placeholders are filled (and escaped in HTML) by the call itself.
    env.install_gettext_translations(translations_for(locale), newstyle=True)  # type: ignore[attr-defined]
    return env


def render(template: str, language: str, *, html: bool, **context: Any) -> str:
    return environment(language, html=html).get_template(template).render(**context)
