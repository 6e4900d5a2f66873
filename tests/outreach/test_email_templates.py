"""The e-mails a customer reads: every step in both tones, formatted for their language and currency."""

from __future__ import annotations

import os
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from backend.adapters.messages.composer import TemplateComposer
from backend.domain.outreach_timetable import MessagePath, MessageStep
from backend.services.money_format import money
from backend.services.outreach_ports import Branding, MessageContent

SNAPSHOTS = Path(__file__).parent / "snapshots"
BASE = MessageContent(
    step=MessageStep.NOTICE, path=MessagePath.RETRYING, locale="en", timezone="Europe/Berlin",
    brand=Branding("Demo Coffee Club", "#0A7E52", "help@coffee.example"), persuasive=False,
    access_at_risk=True, customer_name="Ada", amount=2500, currency="eur", invoice_number="DCC-0042",
    deadline=datetime(2026, 11, 30, 8, tzinfo=UTC), next_retry=datetime(2026, 11, 5, 8, tzinfo=UTC),
    action_url="https://pay.example/r/TOKEN", alternative_url=None,
    unsubscribe_url="https://pay.example/u/TOKEN", pixel_url="https://pay.example/t/o/TOKEN.gif")
STEP_PATHS = [
    (MessageStep.NOTICE, MessagePath.RETRYING), (MessageStep.REMINDER, MessagePath.RETRYING),
    (MessageStep.ACCESS_WARNING, MessagePath.RETRYING), (MessageStep.SUSPENSION_WARNING, MessagePath.RETRYING),
    (MessageStep.LAST_CHANCE, MessagePath.NEEDS_CARD), (MessageStep.FINAL_NOTICE, MessagePath.NEEDS_CARD),
    (MessageStep.CARD_UPDATE, MessagePath.NEEDS_CARD),
    (MessageStep.CONFIRM_PAYMENT, MessagePath.NEEDS_AUTHENTICATION),
]
AMOUNTS = {"eur": 2500, "usd": 4999, "jpy": 1200}


def render_all(locale: str, currency: str) -> str:
    composer = TemplateComposer()
    parts: list[str] = []
    for step, path in STEP_PATHS:
        for persuasive in (False, True):
            content = replace(BASE, step=step, path=path, locale=locale, currency=currency,
                              amount=AMOUNTS[currency], persuasive=persuasive,
                              alternative_url="https://invoice.example/i/1"
                              if path is MessagePath.NEEDS_AUTHENTICATION else None)
            email = composer.compose_email(content)
            tone = "persuasive" if persuasive else "friendly"
            parts.append(f"===== {step.value} / {tone}\nSubject: {email.subject}\n\n{email.text}")
    return "\n".join(parts)


@pytest.mark.parametrize("locale", ["en", "de"])
@pytest.mark.parametrize("currency", ["eur", "usd", "jpy"])
def test_every_step_in_both_tones_matches_its_reviewed_snapshot(locale: str, currency: str) -> None:
    rendered = render_all(locale, currency)
    snapshot = SNAPSHOTS / f"{locale}-{currency}.txt"
    if os.environ.get("UPDATE_SNAPSHOTS") == "1":
        snapshot.parent.mkdir(exist_ok=True)
        snapshot.write_text(rendered)

    assert rendered == snapshot.read_text()


@pytest.mark.parametrize(("amount", "currency", "locale", "expected"), [
    (2500, "eur", "de", "25,00\xa0€"),
    (2500, "eur", "en", "€25.00"),
    (1200, "jpy", "en", "¥1,200"),
    (4999, "usd", "fr", "49,99\xa0$US"),
])
def test_amounts_read_as_the_customer_expects(amount: int, currency: str, locale: str, expected: str) -> None:
    assert money(amount, currency, locale) == expected


def test_a_hard_decline_email_never_promises_a_retry() -> None:
    email = TemplateComposer().compose_email(replace(BASE, step=MessageStep.CARD_UPDATE,
                                                     path=MessagePath.NEEDS_CARD))

    assert "try your card again" not in email.text
    assert "add a new one" in email.text


def test_html_escapes_what_the_merchant_and_customer_typed() -> None:
    content = replace(BASE, brand=Branding("Tom & <Jerry>", "#123456", None), customer_name="<script>x</script>")

    email = TemplateComposer().compose_email(content)

    assert "<script>" not in email.html
    assert "&lt;script&gt;" in email.html
    assert "Tom &amp; &lt;Jerry&gt;" in email.html
    assert "background:#123456" in email.html
    assert "Tom & <Jerry>" in email.text  # plain text stays plain


def test_every_email_carries_the_unsubscribe_link_and_the_open_pixel() -> None:
    for step, path in STEP_PATHS:
        email = TemplateComposer().compose_email(replace(BASE, step=step, path=path))

        assert BASE.unsubscribe_url in email.html and BASE.unsubscribe_url in email.text
        assert f'src="{BASE.pixel_url}"' in email.html
        assert BASE.action_url in email.html


def test_warnings_threaten_nothing_the_merchant_will_not_do() -> None:
    content = replace(BASE, step=MessageStep.LAST_CHANCE, access_at_risk=False, persuasive=True)

    email = TemplateComposer().compose_email(content)

    assert "end" not in email.subject.lower()
    assert "subscription" not in email.text.split("Amount due")[0]
