"""Decode Stripe's form encoding (`a[b][0]=c`) into nested dicts and lists, and coerce values."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl

from backend.simulator.errors import invalid_request

_KEY_PART = re.compile(r"\[([^\]]*)\]")


def decode_form(raw: str) -> dict[str, Any]:
    """Turn `metadata[k]=v&expand[0]=a&expand[]=b` into `{"metadata": {"k": "v"}, "expand": ["a", "b"]}`."""
    root: dict[str, Any] = {}
    for key, value in parse_qsl(raw, keep_blank_values=True):
        head, _, rest = key.partition("[")
        parts = [head] + (_KEY_PART.findall("[" + rest) if rest else [])
        node: dict[str, Any] = root
        for i, part in enumerate(parts):
            last = i == len(parts) - 1
            if part == "":
                # `expand[]=a` style: append with a synthetic, increasing index.
                part = str(len(node))
            if last:
                node[part] = value
            else:
                child = node.get(part)
                if not isinstance(child, dict):
                    child = {}
                    node[part] = child
                node = child
    parsed: dict[str, Any] = _lists_from_indexed(root)
    return parsed


def _lists_from_indexed(node: Any) -> Any:
    """Dicts whose keys are all 0..n-1 were arrays on the wire: give them back as lists."""
    if not isinstance(node, dict):
        return node
    converted = {k: _lists_from_indexed(v) for k, v in node.items()}
    if converted and all(k.isdigit() for k in converted):
        return [converted[k] for k in sorted(converted, key=int)]
    return converted


def to_bool(value: Any, param: str) -> bool:
    if isinstance(value, bool):
        return value
    if value in ("true", "True"):
        return True
    if value in ("false", "False"):
        return False
    # Stripe has no error code for a malformed boolean; it names the parameter only.
    raise invalid_request(f"Invalid boolean: {value}", param=param)


def to_int(value: Any, param: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise invalid_request(f"Invalid integer: {value}", param=param,
                              code="parameter_invalid_integer") from None


def expand_paths(params: dict[str, Any]) -> list[str]:
    raw = params.get("expand") or []
    if isinstance(raw, str):
        return [raw]
    return [str(p) for p in raw]


def apply_metadata(current: dict[str, str], update: Any, param: str = "metadata") -> dict[str, str]:
    """Merge a metadata update the way Stripe does: `""` for a key unsets it, `metadata=""` clears all."""
    if update == "":
        return {}
    if not isinstance(update, dict):
        raise invalid_request("Invalid object", param=param)
    merged = dict(current)
    for key, value in update.items():
        if value == "":
            merged.pop(key, None)
        else:
            merged[key] = str(value)
    return merged
