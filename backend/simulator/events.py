"""Events as a real account emits them: one per state change, shaped and ordered like Stripe's."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from backend.simulator import shapes
from backend.simulator.ids import IdFactory
from backend.simulator.json_copy import json_copy
from backend.simulator.state import AccountState


@dataclass(frozen=True)
class RequestInfo:
    id: str | None
    idempotency_key: str | None


def previous_attributes(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """Old values of what changed; nested hashes list only their changed keys, as Stripe does."""
    changed: dict[str, Any] = {}
    for key in set(before) | set(after):
        old, new = before.get(key), after.get(key)
        if old == new:
            continue
        if isinstance(old, dict) and isinstance(new, dict) and key not in ("lines", "items"):
            changed[key] = previous_attributes(old, new)
        else:
            changed[key] = json_copy(old)
    return changed


class EventLog:
    """Every event emitted, in order, with a hook that queues webhook deliveries."""

    def __init__(self, ids: IdFactory) -> None:
        self._ids = ids
        self.events: list[dict[str, Any]] = []
        self.by_id: dict[str, dict[str, Any]] = {}
        self._request = RequestInfo(None, None)
        self.on_emit: list[Callable[[dict[str, Any]], None]] = []
        self.platform_account: str | None = None  # its own events carry no `account`

    @contextmanager
    def request(self, info: RequestInfo) -> Iterator[None]:
        """Stamp events emitted while an API request runs with its id and idempotency key."""
        saved, self._request = self._request, info
        try:
            yield
        finally:
            self._request = saved

    def emit(self, state: AccountState, type_: str, obj: dict[str, Any], now: datetime,
             previous: dict[str, Any] | None = None) -> dict[str, Any]:
        event = shapes.event(
            self._ids.new("evt"), created=now, livemode=state.livemode,
            account=None if state.account_id == self.platform_account else state.account_id,
            type_=type_, obj=json_copy(obj), previous_attributes=previous,
            request_id=self._request.id, idempotency_key=self._request.idempotency_key)
        self.events.append(event)
        self.by_id[event["id"]] = event
        for hook in self.on_emit:
            hook(event)
        return event

    def emit_update(self, state: AccountState, type_: str, before: dict[str, Any],
                    after: dict[str, Any], now: datetime) -> dict[str, Any] | None:
        """Emit `*.updated` with previous_attributes, or nothing when nothing changed."""
        changed = previous_attributes(before, after)
        if not changed:
            return None
        return self.emit(state, type_, after, now, previous=changed)

    def find(self, event_id: str) -> dict[str, Any]:
        return self.by_id[event_id]

    def select(self, *, account: str | None = None, type_: str | None = None,
               livemode: bool | None = None) -> list[dict[str, Any]]:
        return [e for e in self.events
                if (account is None or e.get("account") == account)
                and (type_ is None or e["type"] == type_)
                and (livemode is None or e["livemode"] == livemode)]
