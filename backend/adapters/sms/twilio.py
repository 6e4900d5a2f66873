"""Twilio's REST API over httpx: send a text, check that credentials work."""

from __future__ import annotations

import httpx

from backend.services.outreach_ports import (
    DeliveryRefused,
    DeliveryUnavailable,
    SmsCredentials,
    SmsCredentialsRejected,
)

TWILIO_API = "https://api.twilio.com"
TIMEOUT = httpx.Timeout(10.0)


class TwilioSms:
    def __init__(self, base_url: str = TWILIO_API) -> None:
        self._base = base_url.rstrip("/")

    async def send_sms(self, credentials: SmsCredentials, to: str, body: str) -> str:
        url = f"{self._base}/2010-04-01/Accounts/{credentials.account_sid}/Messages.json"
        response = await self._call("POST", url, credentials,
                                    data={"To": to, "From": credentials.from_number, "Body": body})
        if response.status_code == 201:
            return str(response.json().get("sid", ""))
        detail = _detail(response)
        if response.status_code == 400:  # e.g. 21211 invalid 'To', 21610 the recipient opted out
            raise DeliveryRefused(f"Twilio refused the message: {detail}")
        raise DeliveryUnavailable(f"Twilio answered {response.status_code}: {detail}")

    async def verify(self, credentials: SmsCredentials) -> None:
        url = f"{self._base}/2010-04-01/Accounts/{credentials.account_sid}.json"
        response = await self._call("GET", url, credentials)
        if response.status_code == 404:
            raise SmsCredentialsRejected("Twilio knows no account with this Account SID")
        if response.status_code != 200:
            raise DeliveryUnavailable(f"Twilio answered {response.status_code}: {_detail(response)}")

    async def _call(self, method: str, url: str, credentials: SmsCredentials,
                    data: dict[str, str] | None = None) -> httpx.Response:
        try:
            async with httpx.AsyncClient(timeout=TIMEOUT) as client:
                response = await client.request(method, url, data=data,
                                                auth=(credentials.account_sid, credentials.auth_token))
        except httpx.HTTPError as error:
            raise DeliveryUnavailable(f"Twilio could not be reached: {type(error).__name__}") from None
        if response.status_code == 401:
            raise SmsCredentialsRejected("Twilio refused the Account SID or auth token")
        return response


def _detail(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:200]
    return f"{body.get('code')} {body.get('message')}"
