"""Mailer port implementations: the file outbox (default) and SMTP."""

from backend.adapters.mail.outbox import FileOutbox
from backend.adapters.mail.smtp import SmtpMailer, SmtpSettings

__all__ = ["FileOutbox", "SmtpMailer", "SmtpSettings"]
