"""Idempotency-Key semantics: same key and parameters replay the stored response, per account."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from backend.simulator.errors import idempotency_mismatch, idempotency_other_endpoint

# Stripe prunes keys after at least 24 hours.
KEY_LIFETIME = timedelta(hours=24)


@dataclass(frozen=True)
class StoredResponse:
    method: str
    path: str
    fingerprint: str
    status: int
    body: bytes
    request_id: str
    stored_at: datetime


def fingerprint(params: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(params, sort_keys=True).encode()).hexdigest()


class IdempotencyStore:
    def __init__(self) -> None:
        self._stored: dict[tuple[str, bool, str], StoredResponse] = {}

    def lookup(self, account: str, livemode: bool, key: str, method: str, path: str,
               params: dict[str, Any], now: datetime) -> StoredResponse | None:
        """Return the stored response to replay, None to run the request, or raise on misuse."""
        stored = self._stored.get((account, livemode, key))
        if stored is None or now - stored.stored_at > KEY_LIFETIME:
            return None
        if (stored.method, stored.path) != (method, path):
            raise idempotency_other_endpoint(key)
        if stored.fingerprint != fingerprint(params):
            raise idempotency_mismatch(key)
        return stored

    def save(self, account: str, livemode: bool, key: str, response: StoredResponse) -> None:
        self._stored[(account, livemode, key)] = response
