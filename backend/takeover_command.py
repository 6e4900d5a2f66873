"""`python -m backend takeover`: start a takeover through the signed Dashboard API and follow it to the end."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import httpx
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn

from backend.dashboard_client import DashboardRequest, send

PATH = "/api/v1/takeover"
Sleep = Callable[[float], Awaitable[None]]
Now = Callable[[], datetime]


def _now() -> datetime:
    return datetime.now(UTC)


def _share_walked(takeover: dict[str, Any]) -> float:
    """How much of the look-back has been walked, 0 to 100 (the invoice count is unknown until the end)."""
    since = datetime.fromisoformat(takeover["since"])
    start = datetime.fromisoformat(takeover["started_at"])
    walked = datetime.fromisoformat(takeover["walked_until"])
    span = (start - since).total_seconds()
    return 100.0 if takeover["status"] != "running" or span <= 0 else \
        max(0.0, min(100.0, 100 * (walked - since).total_seconds() / span))


def describe(takeover: dict[str, Any]) -> str:
    """One line of counts: scanned, enrolled and skipped by reason."""
    skipped = takeover["skipped"]
    reasons = ", ".join(f"{reason.replace('_', ' ')} {count}" for reason, count in sorted(skipped.items()))
    total = sum(skipped.values())
    return (f"scanned {takeover['scanned']} · enrolled {takeover['enrolled']} · skipped {total}"
            + (f" ({reasons})" if reasons else ""))


async def run_takeover(http: httpx.AsyncClient, *, account_id: str, livemode: bool, look_back_days: int | None,
                       wait: bool, secret: str, console: Console, interval: float = 2.0,
                       sleep: Sleep = asyncio.sleep, now: Now = _now) -> int:
    """Start (or join) the account's takeover; with `wait`, show its progress until it ends. Return an exit code."""
    mode = "live" if livemode else "test"
    data = {"look_back_days": look_back_days} if look_back_days is not None else None
    answer = await send(http, DashboardRequest("POST", PATH, account_id, mode, data=data), secret, now())
    if not answer.is_success:
        console.print(f"[red]recoup: the takeover did not start: {_error(answer)}[/red]")
        return 1
    takeover = answer.json()["takeover"]
    joined = "started" if answer.status_code == 202 else "already running, following it"
    console.print(f"Takeover {takeover['id']} of {account_id} ({mode} mode, {takeover['look_back_days']} days): "
                  f"{joined}")
    if not wait:
        return 0
    with Progress(TextColumn("look-back walked"), BarColumn(), TaskProgressColumn(), TimeElapsedColumn(),
                  TextColumn("{task.description}"), console=console, transient=False) as bar:
        task = bar.add_task(describe(takeover), total=100.0)
        while takeover["status"] == "running":
            await sleep(interval)
            answer = await send(http, DashboardRequest("GET", PATH, account_id, mode), secret, now())
            if not answer.is_success:
                console.print(f"[red]recoup: could not read the progress: {_error(answer)}[/red]")
                return 1
            takeover = answer.json()["takeover"]
            bar.update(task, completed=_share_walked(takeover), description=describe(takeover))
    if takeover["status"] == "failed":
        console.print(f"[red]Takeover failed: {takeover['error']}[/red]")
        return 1
    console.print(f"Takeover done: {describe(takeover)}")
    return 0


def _error(answer: httpx.Response) -> str:
    try:
        error = answer.json()["error"]
        return f"HTTP {answer.status_code} {error['code']}: {error['message']}"
    except (ValueError, KeyError, TypeError):
        return f"HTTP {answer.status_code}"
