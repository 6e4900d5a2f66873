"""The merchant's Twilio credentials: checked with Twilio, kept only in Stripe's Secret Store."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from typing import Any

from backend.domain.billing import StripeAccount
from backend.domain.settings import InvalidSetting
from backend.services.outreach_ports import SmsCredentials, SmsCredentialsRejected, SmsSender
from backend.services.ports import StripeGateway

SECRET_NAME = "recoup_twilio"
_SID = re.compile(r"^AC[0-9a-fA-F]{32}$")
_TOKEN = re.compile(r"^[0-9a-fA-F]{32}$")
_PHONE = re.compile(r"^\+[1-9][0-9]{7,14}$")  # E.164


@dataclass(frozen=True)
class SmsSetup:
    configured: bool
    account_sid_hint: str | None = None  # "AC…1a2b": enough to recognise, never the whole SID
    from_number: str | None = None


def parse_credentials(raw: Any) -> SmsCredentials:
    """Return credentials from the Settings form, or raise InvalidSetting naming the bad field."""
    if not isinstance(raw, dict):
        raise InvalidSetting("credentials", "must be an object with account_sid, auth_token and from_number")
    values = {name: str(raw.get(name) or "").strip() for name in ("account_sid", "auth_token", "from_number")}
    if not _SID.match(values["account_sid"]):
        raise InvalidSetting("account_sid", "must be a Twilio Account SID (AC followed by 32 hex digits)")
    if not _TOKEN.match(values["auth_token"]):
        raise InvalidSetting("auth_token", "must be a Twilio auth token (32 hex digits)")
    if not _PHONE.match(values["from_number"]):
        raise InvalidSetting("from_number", "must be a phone number in international format, like +4915112345678")
    return SmsCredentials(**values)


async def save_credentials(gateway: StripeGateway, sms: SmsSender, account: StripeAccount,
                           raw: Any) -> SmsSetup:
    credentials = parse_credentials(raw)
    try:
        await sms.verify(credentials)
    except SmsCredentialsRejected as rejected:
        raise InvalidSetting("auth_token", f"Twilio refused these credentials: {rejected}") from None
    payload = json.dumps({"account_sid": credentials.account_sid, "auth_token": credentials.auth_token,
                          "from_number": credentials.from_number}, sort_keys=True)
    digest = hashlib.sha256(payload.encode()).hexdigest()[:24]
    await gateway.put_secret(account, SECRET_NAME, payload, idempotency_key=f"recoup:{account.id}:twilio:{digest}")
    return _setup(credentials)


async def load_credentials(gateway: StripeGateway, account: StripeAccount) -> SmsCredentials | None:
    payload = await gateway.find_secret(account, SECRET_NAME)
    if payload is None:
        return None
    try:
        values = json.loads(payload)
        return SmsCredentials(str(values["account_sid"]), str(values["auth_token"]), str(values["from_number"]))
    except (ValueError, KeyError, TypeError):
        return None


async def sms_setup(gateway: StripeGateway, account: StripeAccount) -> SmsSetup:
    credentials = await load_credentials(gateway, account)
    return _setup(credentials) if credentials else SmsSetup(configured=False)


def _setup(credentials: SmsCredentials) -> SmsSetup:
    return SmsSetup(configured=True, account_sid_hint=f"AC…{credentials.account_sid[-4:]}",
                    from_number=credentials.from_number)
