"""Rendering objects for responses: `expand[]`, includable fields, and cursor pagination."""

from __future__ import annotations

from typing import Any

from backend.simulator import shapes
from backend.simulator.errors import invalid_request, resource_missing
from backend.simulator.forms import to_int
from backend.simulator.json_copy import json_copy
from backend.simulator.state import KIND_BY_PREFIX, AccountState

MAX_EXPAND_DEPTH = 4


def render(state: AccountState, obj: dict[str, Any], expand: list[str]) -> dict[str, Any]:
    """Return `obj` as the API would send it with these expansions, to be serialised at once.

    Without expansions nothing is added to or hidden from the object (a secret's payload is
    hidden unless asked for), so the stored object itself is answered: the handler's result is
    turned into JSON before anything else runs, and copying every answer cost more than the
    rest of the request.
    """
    if not expand and obj.get("object") != "apps.secret":
        return obj
    out = json_copy(obj)
    _add_includables(state, out, expand)
    for path in expand:
        parts = path.split(".")
        if len(parts) > MAX_EXPAND_DEPTH:
            raise invalid_request(
                f"You cannot expand more than {MAX_EXPAND_DEPTH} levels of a property. "
                f"Property: {path}", param="expand")
        _expand(state, out, parts, path)
    return out


def _add_includables(state: AccountState, out: dict[str, Any], expand: list[str]) -> None:
    # Basil made Invoice.payments "includable": present only when asked for.
    wants = {p.split(".")[0] for p in expand}
    if out.get("object") == "invoice" and "payments" in wants:
        data = state.payments_of(out["id"])
        out["payments"] = shapes.list_object(f"/v1/invoices/{out['id']}/payments",
                                             json_copy(data), False)
    if out.get("object") == "apps.secret" and "payload" not in wants:
        out["payload"] = None


def _expand(state: AccountState, node: Any, parts: list[str], path: str) -> None:
    if not parts or node is None:
        return
    if isinstance(node, list):
        for item in node:
            _expand(state, item, parts, path)
        return
    head, rest = parts[0], parts[1:]
    if not isinstance(node, dict) or head not in node:
        raise invalid_request(f"This property cannot be expanded ({head}).", param="expand")
    value = node[head]
    if isinstance(value, str) and head != "payload":
        target = state.find(value)
        if target is None:
            raise invalid_request(f"This property cannot be expanded ({head}).", param="expand")
        value = json_copy(target)
        _add_includables(state, value, [".".join(rest)] if rest else [])
        node[head] = value
    _expand(state, value, rest, path)


def paginate(state: AccountState, items: list[dict[str, Any]], params: dict[str, Any], url: str,
             expand: list[str]) -> dict[str, Any]:
    """Slice newest-first `items` by limit/starting_after/ending_before into a list object."""
    limit = to_int(params.get("limit", 10), "limit")
    if not 1 <= limit <= 100:
        raise invalid_request("Invalid limit: must be between 1 and 100", param="limit")
    if params.get("starting_after") and params.get("ending_before"):
        raise invalid_request("Received both starting_after and ending_before parameters. Please pass "
                              "in only one.")
    ids = [item["id"] for item in items]
    start, stop = 0, len(items)
    if params.get("starting_after"):
        cursor = str(params["starting_after"])
        if cursor not in ids:
            raise _missing_cursor(cursor, "starting_after")
        start = ids.index(cursor) + 1
        page = items[start:start + limit]
        has_more = start + limit < stop
    elif params.get("ending_before"):
        cursor = str(params["ending_before"])
        if cursor not in ids:
            raise _missing_cursor(cursor, "ending_before")
        stop = ids.index(cursor)
        page = items[max(0, stop - limit):stop]
        has_more = stop - limit > 0
    else:
        page = items[:limit]
        has_more = len(items) > limit
    item_expand = [p[len("data."):] for p in expand if p.startswith("data.")]
    return shapes.list_object(url, [render(state, item, item_expand) for item in page], has_more)


def _missing_cursor(cursor: str, param: str) -> Exception:
    kind = KIND_BY_PREFIX.get(cursor.split("_")[0], "object")
    return resource_missing(kind.split(".")[-1], cursor, param=param)


def created_filter(value: Any, param: str = "created") -> list[tuple[str, int]]:
    """`created=123` or `created[gte]=…&created[lt]=…` as (operator, timestamp) pairs."""
    if isinstance(value, dict):
        return [(op, to_int(v, f"{param}[{op}]")) for op, v in value.items()]
    return [("eq", to_int(value, param))]


def matches_range(stamp: int | None, conditions: list[tuple[str, int]]) -> bool:
    if stamp is None:
        return not conditions
    tests = {"eq": stamp.__eq__, "gt": stamp.__gt__, "gte": stamp.__ge__,
             "lt": stamp.__lt__, "lte": stamp.__le__}
    return all(tests[op](bound) for op, bound in conditions)
