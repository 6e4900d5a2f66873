"""The ports customer outreach needs: composing messages, signing links, delivering mail."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from backend.domain.outreach_timetable import MessagePath, MessageStep

if TYPE_CHECKING:
    from backend.services.outreach_links import OutreachLinks


@dataclass(frozen=True)
class Branding:
    name: str
    color: str
    reply_to: str | None


@dataclass(frozen=True)
class MessageContent:
    """Everything a message says; the composer turns it into words in the customer's language."""

    step: MessageStep
    path: MessagePath
    locale: str
    timezone: str
    brand: Branding
    persuasive: bool
    access_at_risk: bool  # the merchant's end action cancels the subscription: say so, never more
    customer_name: str | None
    amount: int
    currency: str
    invoice_number: str | None
    deadline: datetime
    next_retry: datetime | None
    action_url: str
    alternative_url: str | None
    unsubscribe_url: str
    pixel_url: str


@dataclass(frozen=True)
class ComposedEmail:
    subject: str
    html: str
    text: str


@dataclass(frozen=True)
class OutgoingEmail:
    message_id: str
    to: str
    from_name: str
    reply_to: str | None
    subject: str
    html: str
    text: str
    unsubscribe_url: str


class MessageComposer(Protocol):
    def compose_email(self, content: MessageContent) -> ComposedEmail: ...
    def compose_sms(self, content: MessageContent, link: str) -> str: ...
    def choose_locale(self, preferred: tuple[str, ...]) -> str: ...


class DeliveryRefused(Exception):
    """The provider refused the recipient or the message for good (bounced, invalid address)."""


class DeliveryUnavailable(Exception):
    """The provider could not be reached or failed temporarily: try again later."""


class Mailer(Protocol):
    async def send(self, email: OutgoingEmail) -> str:
        """Deliver the e-mail; return the provider's id for it."""
        ...


@dataclass(frozen=True)
class SmsCredentials:
    """The merchant's Twilio account; kept in Stripe's Secret Store, never in Recoup's database."""

    account_sid: str
    auth_token: str = field(repr=False)
    from_number: str


class SmsCredentialsRejected(Exception):
    """Twilio refused the merchant's Account SID or auth token."""


class SmsSender(Protocol):
    async def send_sms(self, credentials: SmsCredentials, to: str, body: str) -> str:
        """Send the text; return Twilio's message SID."""
        ...

    async def verify(self, credentials: SmsCredentials) -> None:
        """Raise SmsCredentialsRejected unless Twilio accepts the credentials."""
        ...


class LinkPurpose:
    CARD_UPDATE = "card-update"
    OPEN = "open"
    CLICK = "click"
    UNSUBSCRIBE = "unsubscribe"


class InvalidLink(Exception):
    """A link whose signature does not match (tampered, or signed for another purpose)."""


class ExpiredLink(Exception):
    """A genuine link past its expiry."""

    def __init__(self, subject: str) -> None:
        super().__init__("the link has expired")
        self.subject = subject


class LinkSigner(Protocol):
    def sign(self, purpose: str, subject: str, expires_at: datetime) -> str:
        """Return a URL-safe token binding `subject` (a recovery or message id) to `purpose`."""
        ...

    def read(self, purpose: str, token: str, now: datetime) -> str:
        """Return the token's subject; raise InvalidLink or ExpiredLink."""
        ...

    def url(self, path: str) -> str:
        """Return the public URL of one of Recoup's customer pages."""
        ...


@dataclass(frozen=True)
class OutreachDeps:
    """What sending a customer message needs, besides the job's own dependencies."""

    composer: MessageComposer
    mailer: Mailer
    links: OutreachLinks
    sms: SmsSender
