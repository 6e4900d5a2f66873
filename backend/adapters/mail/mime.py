"""Build the MIME message both mailers deliver: plain text with an HTML alternative."""

from __future__ import annotations

from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import make_msgid

from backend.services.outreach_ports import OutgoingEmail


def build_mime(email: OutgoingEmail, sender_address: str) -> EmailMessage:
    """Return the message, sent from the merchant's brand name at Recoup's own sending address."""
    message = EmailMessage()
    username, _, domain = sender_address.partition("@")
    message["From"] = Address(display_name=email.from_name, username=username, domain=domain)
    message["To"] = email.to
    if email.reply_to:
        message["Reply-To"] = email.reply_to
    message["Subject"] = email.subject
    # Derived from our message id, so a re-sent message is recognisably the same one.
    message["Message-ID"] = make_msgid(idstring=email.message_id, domain=domain or "recoup.local")
    message["X-Recoup-Message"] = email.message_id
    # One-click unsubscribe (RFC 8058), which large mailbox providers expect from bulk senders.
    message["List-Unsubscribe"] = f"<{email.unsubscribe_url}>"
    message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.set_content(email.text)
    message.add_alternative(email.html, subtype="html")
    return message
