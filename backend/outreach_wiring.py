"""Build the outreach adapters from the configuration (part of the composition root)."""

from __future__ import annotations

from pathlib import Path

from backend.adapters.mail import FileOutbox, SmtpMailer, SmtpSettings
from backend.adapters.messages.composer import TemplateComposer
from backend.adapters.signed_links import SignedLinks
from backend.adapters.sms import TwilioSms
from backend.config import Config
from backend.services.outreach_links import OutreachLinks
from backend.services.outreach_ports import Mailer, OutreachDeps, SmsSender


def build_mailer(config: Config) -> Mailer:
    """SMTP when SMTP_HOST is set; otherwise .eml files in the outbox directory."""
    if config.smtp_host:
        return SmtpMailer(SmtpSettings(host=config.smtp_host, port=config.smtp_port,
                                       sender_address=config.mail_from, username=config.smtp_username,
                                       password=config.smtp_password, security=config.smtp_security))
    return FileOutbox(Path(config.outbox_dir), config.mail_from)


def build_outreach(config: Config, mailer: Mailer | None = None, sms: SmsSender | None = None) -> OutreachDeps:
    return OutreachDeps(composer=TemplateComposer(), mailer=mailer or build_mailer(config),
                        links=OutreachLinks(SignedLinks(config.link_secret, config.public_base_url)),
                        sms=sms or TwilioSms())
