"""Stripe's `t=…,v1=…` signatures, for webhooks and for Dashboard requests alike."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import stripe

# Stripe's webhook default, and the window its docs give for signed Dashboard requests.
TOLERANCE_SECONDS = 300
# One element of the header: a lower-case key, `=`, a value without spaces, commas or `=`.
_ELEMENT = re.compile(r"[a-z][a-z0-9]*=[^\s,=]+")
_TIMESTAMP = re.compile(r"[0-9]{1,12}")
_HEX_SIGNATURE = re.compile(r"[0-9a-f]{64}")
# A real header carries one timestamp and one v1 per active secret (a handful during rotation).
_MAX_ELEMENTS = 16


class SignatureError(Exception):
    """The signature is missing, malformed, does not match any secret, or is too old."""


@dataclass(frozen=True)
class SignatureHeader:
    """A `Stripe-Signature` header read once: its single timestamp and its v1 signatures."""

    timestamp: int
    signatures: tuple[str, ...]

    def canonical(self) -> str:
        """The header rebuilt from what was parsed, so the HMAC is checked on this very timestamp."""
        return ",".join([f"t={self.timestamp}", *(f"v1={signature}" for signature in self.signatures)])


def parse_header(header: str | None) -> SignatureHeader:
    """Read the header strictly: exactly one `t=`, at least one `v1=`, nothing malformed."""
    if not header:
        raise SignatureError("the Stripe-Signature header is missing")
    elements = header.split(",")
    if len(elements) > _MAX_ELEMENTS:
        raise SignatureError("the Stripe-Signature header has too many elements")
    timestamps: list[str] = []
    signatures: list[str] = []
    for element in elements:
        if not _ELEMENT.fullmatch(element):
            raise SignatureError("the Stripe-Signature header has a malformed element")
        key, value = element.split("=", 1)
        if key == "t":
            timestamps.append(value)
        elif key == "v1":
            signatures.append(value)
        # Other schemes (v0 in old test-mode headers) carry nothing Recoup checks.
    if len(timestamps) != 1 or not _TIMESTAMP.fullmatch(timestamps[0]):
        raise SignatureError("the Stripe-Signature header must carry exactly one timestamp")
    if not signatures or not all(_HEX_SIGNATURE.fullmatch(signature) for signature in signatures):
        raise SignatureError("the Stripe-Signature header has no valid v1 signature")
    return SignatureHeader(int(timestamps[0]), tuple(signatures))


def verify(payload: str, header: str | None, secrets: Sequence[str], *, now: datetime) -> None:
    """Accept `payload` if any secret signed it within the tolerance of `now` (secrets rotate).

    `now` is the wall clock: a signature is about real time, even when Recoup's own clock runs
    fast (the demo) or stands still (tests). stripe-python compares the HMAC in constant time
    on the canonical header; the age is checked here because stripe-python reads its own clock.
    """
    parsed = parse_header(header)
    if abs(now.timestamp() - parsed.timestamp) > TOLERANCE_SECONDS:
        raise SignatureError("the signature is older than five minutes (or from the future)")
    canonical = parsed.canonical()
    for secret in secrets:
        try:
            stripe.WebhookSignature.verify_header(payload, canonical, secret, tolerance=None)
            return
        except stripe.SignatureVerificationError:
            continue
    raise SignatureError("the signature does not match")


def dashboard_payload(user_id: str, account_id: str) -> str:
    """The exact text the Dashboard signs: JSON.stringify({user_id, account_id}), no spaces."""
    return json.dumps({"user_id": user_id, "account_id": account_id}, separators=(",", ":"))
