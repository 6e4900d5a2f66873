"""Log set-up: plain text by default, one JSON object per line with LOG_FORMAT=json.

Every line carries the account, recovery and job ids of the work in progress (null outside
one), and anything shaped like a Stripe or Recoup secret is masked before it is written,
whichever logger or library produced it.
"""

from __future__ import annotations

import logging
import re
from typing import TextIO

from pythonjsonlogger.json import JsonFormatter

from backend.observability import log_context

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"
# API keys (secret, restricted), webhook and app signing secrets, and bearer tokens.
_SECRET = re.compile(r"\b((?:sk|rk)_(?:live|test)_|whsec_|absec_|Bearer\s+)[A-Za-z0-9_\-]+")
_QUIET_LIBRARIES = ("alembic", "httpx", "stripe")


def redact(text: str) -> str:
    """Mask secrets in `text`, keeping their prefix so a reader still knows what was there."""
    return _SECRET.sub(lambda match: f"{match.group(1)}***", text)


class ContextAndRedaction(logging.Filter):
    """Add the work-in-progress ids to the record and mask secrets in its message and traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        for key, value in log_context.current().items():
            if getattr(record, key, None) is None:
                setattr(record, key, value)
        message = record.getMessage()
        record.msg, record.args = redact(message), None
        if record.exc_info:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        return True


def json_formatter() -> logging.Formatter:
    return JsonFormatter("{asctime}{levelname}{name}{message}{account_id}{recovery_id}{job_id}", style="{",
                         rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
                         timestamp=False)


def configure_logging(level: str, log_format: str, stream: TextIO | None = None) -> None:
    """Send every log line to stderr (or `stream`), as text or JSON, with ids added and secrets masked."""
    handler = logging.StreamHandler(stream)
    handler.setFormatter(json_formatter() if log_format == "json" else logging.Formatter(TEXT_FORMAT))
    handler.addFilter(ContextAndRedaction())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    if level != "DEBUG":
        # Per-request and per-tick chatter from libraries drowns what Recoup itself says.
        for noisy in _QUIET_LIBRARIES:
            logging.getLogger(noisy).setLevel(logging.WARNING)
        # A tick still running when the next is due is skipped by design, not a problem.
        logging.getLogger("apscheduler").setLevel(logging.ERROR)
