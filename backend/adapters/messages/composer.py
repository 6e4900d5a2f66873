"""Turn a message's content into a subject, an HTML body and a plain-text body."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from backend.adapters.messages import catalogues
from backend.adapters.messages.formatting import day
from backend.adapters.messages.templates import environment
from backend.services.money_format import money
from backend.services.outreach_ports import ComposedEmail, MessageContent


class TemplateComposer:
    def __init__(self, default_locale: str | None = None) -> None:
        self._default_locale = default_locale

    def choose_locale(self, preferred: tuple[str, ...]) -> str:
        return catalogues.choose_locale(preferred, self._default_locale)

    def compose_email(self, content: MessageContent) -> ComposedEmail:
        context = _context(content)
        text_env = environment(content.locale, html=False)
        copy = text_env.get_template(f"email/steps/{content.step.value}.jinja").make_module(context)
        subject = " ".join(str(copy.subject()).split())  # type: ignore[attr-defined]
        html = environment(content.locale, html=True).get_template("email/layout.html").render(context)
        text = text_env.get_template("email/layout.txt").render(context)
        return ComposedEmail(subject=subject, html=html, text=text)

    def compose_sms(self, content: MessageContent, link: str) -> str:
        return compose_sms(content, link)


SMS_LIMIT = 160


def compose_sms(content: MessageContent, link: str) -> str:
    """One text of at most 160 characters; a long brand name is shortened before anything else."""
    env = environment(content.locale, html=False)
    amount = money(content.amount, content.currency, content.locale)
    brand = content.brand.name
    while True:
        body = env.get_template("sms/reminder.txt").render(brand_name=brand, amount=amount, link=link).strip()
        if len(body) <= SMS_LIMIT or len(brand) <= 3:
            return body[:SMS_LIMIT]
        brand = brand[: max(3, len(brand) - (len(body) - SMS_LIMIT) - 1)].rstrip() + "…"


def _context(content: MessageContent) -> dict[str, Any]:
    tz = ZoneInfo(content.timezone)
    return {
        "step": content.step.value, "path": content.path.value, "locale": content.locale,
        "brand_name": content.brand.name, "brand_color": content.brand.color,
        "persuasive": content.persuasive, "access_at_risk": content.access_at_risk,
        "customer_name": content.customer_name,
        "amount": money(content.amount, content.currency, content.locale),
        "invoice_number": content.invoice_number,
        "deadline": day(content.deadline, content.locale, tz),
        "next_retry": day(content.next_retry, content.locale, tz) if content.next_retry else None,
        "action_url": content.action_url, "alternative_url": content.alternative_url,
        "unsubscribe_url": content.unsubscribe_url, "pixel_url": content.pixel_url,
    }
