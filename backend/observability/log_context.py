"""The account, recovery and job a log line belongs to, carried by context variables.

Set around a job's execution (and anything else that acts for one account); the JSON log
formatter reads them, so every line a job writes names what it was working on without each
call site passing `extra=`.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager

_CONTEXT: contextvars.ContextVar[dict[str, str | int | None] | None] = contextvars.ContextVar(
    "recoup_log_context", default=None)


@contextmanager
def job_context(*, account: str | None, recovery: str | None, job: int | None = None) -> Iterator[None]:
    token = _CONTEXT.set({"account_id": account, "recovery_id": recovery, "job_id": job})
    try:
        yield
    finally:
        _CONTEXT.reset(token)


def current() -> dict[str, str | int | None]:
    """The ids of the work in progress; keys are always present, values None outside any work."""
    return dict(_CONTEXT.get() or {"account_id": None, "recovery_id": None, "job_id": None})
