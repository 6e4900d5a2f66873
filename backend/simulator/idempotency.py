"""Idempotency-Key semantics: same key and parameters replay the stored response, per account."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from backend.simulator.errors import (
    idempotency_key_in_use,
    idempotency_key_too_long,
    idempotency_mismatch,
    idempotency_other_endpoint,
)

# Stripe prunes keys after at least 24 hours.
KEY_LIFETIME = timedelta(hours=24)
MAX_KEY_LENGTH = 255


@dataclass(frozen=True)
class StoredResponse:
    method: str
    path: str
    fingerprint: str
    status: int
    body: bytes
    request_id: str
    stored_at: datetime
    headers: dict[str, str] = field(default_factory=dict)  # sent again with every replay


def check_key_length(key: str) -> None:
    if len(key) > MAX_KEY_LENGTH:
        raise idempotency_key_too_long(key)


def fingerprint(params: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(params, sort_keys=True).encode()).hexdigest()


class IdempotencyStore:
    def __init__(self) -> None:
        self._stored: dict[tuple[str, bool, str], StoredResponse] = {}
        self._running: set[tuple[str, bool, str]] = set()

    def claim(self, account: str, livemode: bool, key: str, method: str, path: str,
              params: dict[str, Any], now: datetime) -> StoredResponse | None:
        """Return the stored response to replay, or hold the key for a run (None); raise on misuse.

        A key whose first request is still running answers 409 and stores nothing, as Stripe
        does: the caller may retry it once the first request has finished.
        """
        slot = (account, livemode, key)
        if slot in self._running:
            raise idempotency_key_in_use(key)
        stored = self._stored.get(slot)
        if stored is None or now - stored.stored_at > KEY_LIFETIME:
            self._running.add(slot)
            return None
        if (stored.method, stored.path) != (method, path):
            raise idempotency_other_endpoint(key)
        if stored.fingerprint != fingerprint(params):
            raise idempotency_mismatch(key)
        return stored

    def save(self, account: str, livemode: bool, key: str, response: StoredResponse) -> None:
        self._stored[(account, livemode, key)] = response

    def release(self, account: str, livemode: bool, key: str) -> None:
        self._running.discard((account, livemode, key))
