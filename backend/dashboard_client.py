"""Call the Dashboard API the way Stripe's Dashboard does, signed with the configured app secret.

For operators (`python -m backend api GET /api/v1/overview --account acct_…`): no signer to write.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx
import stripe

CLI_USER = "usr_recoup_cli"


@dataclass(frozen=True)
class DashboardRequest:
    method: str
    path: str
    account_id: str
    mode: str = "test"
    user_id: str = CLI_USER
    data: dict[str, Any] | None = None


def signature_header(user_id: str, account_id: str, secret: str, now: datetime) -> str:
    """What fetchStripeSignature() gives a view: the signed JSON.stringify({user_id, account_id})."""
    payload = json.dumps({"user_id": user_id, "account_id": account_id}, separators=(",", ":"))
    return str(stripe.WebhookSignature.generate_signature_header(payload, secret, timestamp=int(now.timestamp())))


async def send(http: httpx.AsyncClient, request: DashboardRequest, secret: str, now: datetime) -> httpx.Response:
    """Send one signed request; identity goes in the query for GET and in the JSON body otherwise."""
    identity = {"user_id": request.user_id, "account_id": request.account_id, "mode": request.mode}
    headers = {"Stripe-Signature": signature_header(request.user_id, request.account_id, secret, now),
               "Accept": "application/json"}
    method = request.method.upper()
    if method == "GET":
        return await http.get(request.path, params={**(request.data or {}), **identity}, headers=headers)
    return await http.request(method, request.path, json={**identity, **(request.data or {})}, headers=headers)
