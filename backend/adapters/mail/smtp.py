"""Deliver e-mail through an SMTP server with aiosmtplib."""

from __future__ import annotations

from dataclasses import dataclass, field

import aiosmtplib

from backend.adapters.mail.mime import build_mime
from backend.services.outreach_ports import DeliveryRefused, DeliveryUnavailable, OutgoingEmail


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    sender_address: str
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    security: str = "starttls"  # starttls | tls | none
    timeout_seconds: float = 30.0


class SmtpMailer:
    def __init__(self, settings: SmtpSettings) -> None:
        self._settings = settings

    async def send(self, email: OutgoingEmail) -> str:
        s = self._settings
        message = build_mime(email, s.sender_address)
        try:
            await aiosmtplib.send(
                message, hostname=s.host, port=s.port, username=s.username, password=s.password,
                use_tls=s.security == "tls", start_tls=True if s.security == "starttls" else False,
                timeout=s.timeout_seconds)
        except aiosmtplib.SMTPRecipientsRefused as error:
            raise DeliveryRefused(f"the mail server refused {email.to}: {_first_refusal(error)}") from None
        except aiosmtplib.SMTPResponseException as error:
            # 5xx is a permanent answer (bad address, policy); 4xx asks us to come back later.
            if 500 <= error.code < 600:
                raise DeliveryRefused(f"the mail server refused the message: {error.code} {error.message}") \
                    from None
            raise DeliveryUnavailable(f"the mail server asked to retry: {error.code} {error.message}") from None
        except (aiosmtplib.SMTPException, OSError) as error:
            raise DeliveryUnavailable(f"the mail server could not be reached: {error}") from None
        return str(message["Message-ID"]).strip()


def _first_refusal(error: aiosmtplib.SMTPRecipientsRefused) -> str:
    return "; ".join(f"{r.code} {r.message}" for r in error.recipients[:1]) or "refused"
