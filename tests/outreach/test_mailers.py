"""Delivery: a real local SMTP server receives the e-mail; the file outbox writes one .eml per message."""

from __future__ import annotations

import email
import email.policy
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiosmtpd.smtp import SMTP, Envelope, Session

from backend.adapters.mail import FileOutbox, SmtpMailer, SmtpSettings
from backend.services.outreach_ports import DeliveryRefused, DeliveryUnavailable, OutgoingEmail

EMAIL = OutgoingEmail(message_id="msg_abc123", to="ada@customer.example", from_name="Demo Coffee Club",
                      reply_to="help@coffee.example", subject="Your payment didn't go through",
                      html="<p>Amount due: <strong>25,00 €</strong></p>", text="Amount due: 25,00 €",
                      unsubscribe_url="https://pay.example/u/TOKEN")


class Inbox:
    """An SMTP handler that keeps what it receives and refuses one mailbox, like a real server."""

    def __init__(self) -> None:
        self.received: list[Envelope] = []

    async def handle_RCPT(self, server: SMTP, session: Session, envelope: Envelope, address: str,
                          rcpt_options: list[str]) -> str:
        if address.startswith("gone@"):
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        self.received.append(envelope)
        return "250 Message accepted"


@pytest.fixture
async def smtp_server() -> AsyncIterator[tuple[Inbox, int]]:
    import asyncio

    inbox = Inbox()
    server = await asyncio.get_running_loop().create_server(lambda: SMTP(inbox), "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    yield inbox, port
    server.close()
    await server.wait_closed()


def smtp(port: int) -> SmtpMailer:
    return SmtpMailer(SmtpSettings(host="127.0.0.1", port=port, sender_address="billing@recoup.example",
                                   security="none", timeout_seconds=5))


async def test_smtp_delivers_a_branded_multipart_email(smtp_server: tuple[Inbox, int]) -> None:
    inbox, port = smtp_server

    provider_id = await smtp(port).send(EMAIL)

    [envelope] = inbox.received
    message: Any = email.message_from_bytes(envelope.original_content or b"", policy=email.policy.default)
    assert envelope.rcpt_tos == ["ada@customer.example"]
    assert message["From"] == "Demo Coffee Club <billing@recoup.example>"
    assert message["Reply-To"] == "help@coffee.example"
    assert message["List-Unsubscribe"] == "<https://pay.example/u/TOKEN>"
    assert message.get_body(("plain",)).get_content().strip() == "Amount due: 25,00 €"
    assert "<strong>25,00 €</strong>" in message.get_body(("html",)).get_content()
    assert provider_id == str(message["Message-ID"]).strip()


async def test_a_refused_address_is_a_permanent_failure(smtp_server: tuple[Inbox, int]) -> None:
    _inbox, port = smtp_server
    bounced = OutgoingEmail(**{**EMAIL.__dict__, "to": "gone@customer.example"})

    with pytest.raises(DeliveryRefused, match="gone@customer.example"):
        await smtp(port).send(bounced)


async def test_an_unreachable_server_is_a_temporary_failure() -> None:
    import socket

    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]

    with pytest.raises(DeliveryUnavailable):
        await smtp(port).send(EMAIL)


async def test_the_outbox_writes_one_eml_file_per_message(tmp_path) -> None:
    outbox = FileOutbox(tmp_path / "outbox", "billing@recoup.example")

    await outbox.send(EMAIL)
    await outbox.send(EMAIL)  # a re-run job replaces its file

    [written] = list((tmp_path / "outbox").iterdir())
    message: Any = email.message_from_bytes(written.read_bytes(), policy=email.policy.default)
    assert written.name == "msg_abc123.eml"
    assert message["Subject"] == "Your payment didn't go through"
    assert message.get_body(("plain",)).get_content().strip() == "Amount due: 25,00 €"
