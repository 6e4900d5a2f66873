"""The contract between the request pipeline and the endpoint handlers."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from backend.simulator.collection import Collector
from backend.simulator.events import EventLog
from backend.simulator.expand import render
from backend.simulator.ids import IdFactory
from backend.simulator.state import AccountState
from backend.simulator.timeline import Timeline


@dataclass
class Services:
    ids: IdFactory
    events: EventLog
    collector: Collector
    timeline: Timeline


@dataclass
class Ctx:
    """One API request, already authenticated and scoped to an account and mode."""

    state: AccountState
    now: datetime
    params: dict[str, Any]
    expand: list[str]
    services: Services

    def render(self, obj: dict[str, Any]) -> dict[str, Any]:
        return render(self.state, obj, self.expand)


Handler = Callable[..., dict[str, Any]]


@dataclass(frozen=True)
class Route:
    method: str
    pattern: re.Pattern[str]
    handler: Handler
    spec: type  # stripe-python's generated params TypedDict for this endpoint
    path: str = ""  # the template, e.g. /v1/invoices/{invoice}: one endpoint for rate limits

    @property
    def endpoint(self) -> str:
        return f"{self.method} {self.path}"


def route(method: str, path: str, handler: Handler, spec: type) -> Route:
    """Build a route from a path like `/v1/invoices/{invoice}/pay`."""
    regex = re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", path)
    return Route(method, re.compile(f"^{regex}$"), handler, spec, path)


def match(routes: list[Route], method: str, path: str) -> tuple[Route, dict[str, str]] | None:
    for candidate in routes:
        found = candidate.pattern.match(path)
        if found and candidate.method == method:
            return candidate, found.groupdict()
    return None
