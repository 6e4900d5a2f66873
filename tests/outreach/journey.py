"""Helpers for outreach scenarios: a failed invoice, the outbox, and links read from the e-mails."""

from __future__ import annotations

import email
import email.policy
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from backend.services.outreach_records import MessageRecord


async def failed_invoice(stack: Any, account: Any, behaviour: Any, *, country: str = "DE",
                         amount: int = 2500, locales: list[str] | None = None) -> tuple[str, str]:
    # These stories are about what the customer receives, to the hour: in order, the signup's
    # customer.updated cannot arrive after the failure and queue a card-update check that moves
    # the first e-mail an hour later (delivery order has its own tests in tests/scenarios).
    stack.sim.webhooks.ordered = True
    customer = stack.sim.create_customer(account, country=country, email="ada@customer.example", name="Ada")
    if locales:
        stack.sim.state(account).get(customer, "customer")["preferred_locales"] = locales
    stack.sim.attach_card(account, customer, behaviour)
    subscription = stack.sim.create_subscription(account, customer, amount=amount, currency="eur")
    invoice = stack.sim.create_failed_invoice(account, subscription)
    await stack.settle()
    return customer, invoice


async def messages(stack: Any, recovery_id: str) -> list[MessageRecord]:
    async with stack.uow_factory() as uow:
        return await uow.messages.for_recovery(recovery_id)


def outbox(config: Any) -> list[Any]:
    folder = Path(config.outbox_dir)
    files = sorted(folder.glob("*.eml"), key=lambda p: p.stat().st_mtime_ns) if folder.exists() else []
    return [email.message_from_bytes(path.read_bytes(), policy=email.policy.default) for path in files]


def text_of(message: Any) -> str:
    return str(message.get_body(("plain",)).get_content())


def link_path(message: Any, label: str) -> str:
    """The path of the link that follows `label:` in the plain-text body."""
    found = re.search(rf"{re.escape(label)}: (\S+)", text_of(message))
    assert found, f"no {label!r} link in the e-mail"
    return urlsplit(found.group(1)).path


def csrf_field(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found
    return found.group(1)
