"""Signed customer links: itsdangerous tokens bound to one subject and purpose, with an expiry."""

from __future__ import annotations

from datetime import datetime

from itsdangerous import BadSignature, URLSafeSerializer

from backend.services.outreach_ports import ExpiredLink, InvalidLink


class SignedLinks:
    def __init__(self, secret: str, public_base_url: str) -> None:
        self._secret = secret
        self._base = public_base_url.rstrip("/")

    def _serializer(self, purpose: str) -> URLSafeSerializer:
        # The purpose is the salt: a pixel token can never open the card-update page.
        return URLSafeSerializer(self._secret, salt=f"recoup-link:{purpose}")

    def sign(self, purpose: str, subject: str, expires_at: datetime) -> str:
        # Expiry is checked against Recoup's clock rather than itsdangerous' wall-clock timestamp,
        # so the demo's accelerated clock and tests' manual clock agree with it.
        return str(self._serializer(purpose).dumps([subject, int(expires_at.timestamp())]))

    def read(self, purpose: str, token: str, now: datetime) -> str:
        try:
            payload = self._serializer(purpose).loads(token)
        except BadSignature:
            raise InvalidLink("the link is not valid") from None
        if not (isinstance(payload, list) and len(payload) == 2 and isinstance(payload[0], str)
                and isinstance(payload[1], int)):
            raise InvalidLink("the link is not valid")
        subject, expires = payload
        if now.timestamp() >= expires:
            raise ExpiredLink(subject)
        return str(subject)

    def url(self, path: str) -> str:
        return f"{self._base}{path}"
