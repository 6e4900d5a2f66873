"""Builders for Stripe events and signed requests, shaped as the pinned API version sends them."""

from __future__ import annotations

import itertools
import json
from datetime import datetime
from typing import Any

import stripe

from tests.conftest import APP_SECRET, START, WEBHOOK_SECRET

_ids = itertools.count(1)


def event(type: str, account: str, obj: dict[str, Any], *, created: datetime, livemode: bool = False,
          event_id: str | None = None, previous_attributes: dict[str, Any] | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {"object": obj}
    if previous_attributes is not None:
        data["previous_attributes"] = previous_attributes
    return {"id": event_id or f"evt_{next(_ids):06d}", "object": "event", "api_version": "2026-10-28.endive",
            "created": int(created.timestamp()), "livemode": livemode, "account": account, "type": type,
            "data": data, "pending_webhooks": 1, "request": {"id": None, "idempotency_key": None}}


def install_event(account: str, *, created: datetime, livemode: bool = False,
                  event_id: str | None = None) -> dict[str, Any]:
    return event("account.application.authorized", account,
                 {"id": "ca_recoup", "object": "application", "name": "Recoup"},
                 created=created, livemode=livemode, event_id=event_id)


def uninstall_event(account: str, *, created: datetime, livemode: bool = False,
                    event_id: str | None = None) -> dict[str, Any]:
    return event("account.application.deauthorized", account,
                 {"id": "ca_recoup", "object": "application", "name": "Recoup"},
                 created=created, livemode=livemode, event_id=event_id)


def webhook_request(payload: dict[str, Any] | str, *, secret: str = WEBHOOK_SECRET,
                    timestamp: int | None = None) -> tuple[str, dict[str, str]]:
    """The body and headers Stripe would POST for `payload`, signed at `timestamp` (default: START)."""
    body = payload if isinstance(payload, str) else json.dumps(payload)
    header = stripe.WebhookSignature.generate_signature_header(
        body, secret, timestamp=timestamp if timestamp is not None else int(START.timestamp()))
    return body, {"Stripe-Signature": header, "Content-Type": "application/json"}


def dashboard_signature(user_id: str, account_id: str, *, secret: str = APP_SECRET,
                        timestamp: int | None = None) -> dict[str, str]:
    """The header the Dashboard's fetchStripeSignature() would give the extension."""
    payload = json.dumps({"user_id": user_id, "account_id": account_id}, separators=(",", ":"))
    header = stripe.WebhookSignature.generate_signature_header(
        payload, secret, timestamp=timestamp if timestamp is not None else int(START.timestamp()))
    return {"Stripe-Signature": header}
