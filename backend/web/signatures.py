"""Stripe's `t=…,v1=…` signatures, for webhooks and for Dashboard requests alike."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime

import stripe

# Stripe's webhook default, and the window its docs give for signed Dashboard requests.
TOLERANCE_SECONDS = 300


class SignatureError(Exception):
    """The signature is missing, does not match any secret, or is too old."""


def verify(payload: str, header: str | None, secrets: Sequence[str], *, now: datetime) -> None:
    """Accept `payload` if any secret signed it within the tolerance (secrets rotate, so several).

    stripe-python checks the HMAC; the age is checked here against Recoup's clock, because
    stripe-python reads the wall clock (and skips the check entirely when tolerance is None).
    """
    if not header:
        raise SignatureError("the Stripe-Signature header is missing")
    signed_at = _timestamp(header)
    if abs(now.timestamp() - signed_at) > TOLERANCE_SECONDS:
        raise SignatureError("the signature is older than five minutes (or from the future)")
    for secret in secrets:
        try:
            stripe.WebhookSignature.verify_header(payload, header, secret, tolerance=None)
            return
        except stripe.SignatureVerificationError:
            continue
    raise SignatureError("the signature does not match")


def _timestamp(header: str) -> int:
    for part in header.split(","):
        key, _, value = part.strip().partition("=")
        if key == "t" and value.isdigit():
            return int(value)
    raise SignatureError("the Stripe-Signature header has no timestamp")


def dashboard_payload(user_id: str, account_id: str) -> str:
    """The exact text the Dashboard signs: JSON.stringify({user_id, account_id}), no spaces."""
    return json.dumps({"user_id": user_id, "account_id": account_id}, separators=(",", ":"))
