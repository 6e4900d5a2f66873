"""Read request bodies without ever holding more than the cap in memory, and parse them safely."""

from __future__ import annotations

from typing import Any

from pydantic_core import from_json
from starlette.requests import Request

from backend.web.errors import HttpError


async def read_capped(request: Request, limit: int) -> bytes:
    """Return the raw body, or raise 413 as soon as it grows past `limit` bytes."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise HttpError(413, "body_too_large", f"the body is larger than {limit} bytes")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise HttpError(413, "body_too_large", f"the body is larger than {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def parse_json_object(raw: bytes) -> dict[str, Any]:
    """Parse a JSON object, refusing what the standard library would choke on or let through.

    pydantic-core's parser stops deep nesting and huge numbers with a ValueError instead
    of a RecursionError, and refuses NaN and Infinity, which no Stripe or Dashboard body contains.
    """
    try:
        value = from_json(raw, allow_inf_nan=False)
    except ValueError:
        raise HttpError(400, "invalid_json", "the body is not valid JSON") from None
    if not isinstance(value, dict):
        raise HttpError(400, "invalid_json", "the body must be a JSON object")
    return value
