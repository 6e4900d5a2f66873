"""Describe one write request sent to Stripe for the audit trail: what, on which object, and the answer."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from urllib.parse import urlsplit

from backend.domain.billing import StripeAccount
from backend.services.audit_records import StripeWrite

WRITE_METHODS = frozenset({"POST", "DELETE"})
# An object id: a lowercase prefix, an underscore, and a tail with a digit or a capital, which
# tells `in_1NbX…` apart from a path word such as `payment_methods` or `mark_uncollectible`.
_ID = re.compile(r"^[a-z]+_(?=[A-Za-z0-9]*[0-9A-Z])[A-Za-z0-9]+$")
# DELETE is how Stripe cancels a subscription; everything else it deletes is deleted.
_DELETE_VERBS = {"subscriptions": "cancel"}


def describe_write(*, method: str, url: str, headers: Mapping[str, str], livemode: bool,
                   status: int | None, response_headers: Mapping[str, str] | None,
                   body: bytes | None, failure: str | None = None) -> StripeWrite:
    """Build the report of one write; `status` None means no answer came back (`failure` says why)."""
    operation, object_id = operation_of(method, urlsplit(url).path)
    answer = _json(body)
    if object_id is None and status is not None and status < 300 and isinstance(answer.get("id"), str):
        object_id = str(answer["id"])
    return StripeWrite(
        account=StripeAccount(_header(headers, "Stripe-Account") or "platform", livemode),
        operation=operation, object_id=object_id, idempotency_key=_header(headers, "Idempotency-Key"),
        request_id=_header(response_headers or {}, "Request-Id"), http_status=status,
        error=failure if status is None else _error_of(answer, status))


def operation_of(method: str, path: str) -> tuple[str, str | None]:
    """Name the Stripe operation of a write (`invoices.pay`) and the object it acts on."""
    segments = [part for part in path.split("/") if part and part != "v1"]
    ids = [part for part in segments if _ID.match(part)]
    words = [part for part in segments if not _ID.match(part)]
    if method.upper() == "DELETE":
        verb = _DELETE_VERBS.get(words[-1] if words else "", "delete")
    elif segments and _ID.match(segments[-1]):
        verb = "update"
    elif ids:
        verb = words.pop() if words else "update"
    else:
        verb = "create"
    return ".".join([*words, verb]), ids[-1] if ids else None


def _header(headers: Mapping[str, str], name: str) -> str | None:
    wanted = name.lower()
    return next((value for key, value in headers.items() if key.lower() == wanted), None)


def _json(body: bytes | None) -> dict[str, object]:
    if not body:
        return {}
    try:
        found = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return {}
    return found if isinstance(found, dict) else {}


def _error_of(answer: dict[str, object], status: int) -> str | None:
    if status < 400:
        return None
    error = answer.get("error")
    if not isinstance(error, dict):
        return f"HTTP {status}"
    code = error.get("decline_code") or error.get("code") or error.get("type")
    return f"{code}: {error.get('message') or ''}".strip()[:500]
