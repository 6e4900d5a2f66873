"""Reject parameters the real API does not know, using stripe-python's generated param types.

stripe-python 16 ships a TypedDict per endpoint, generated from Stripe's OpenAPI spec for
the pinned API version. Walking it gives the simulator the exact set of names Stripe
accepts, nested ones included, so `parameter_unknown` fires exactly where Stripe's would.
"""

from __future__ import annotations

import re
import sys
from functools import cache
from typing import Any

from stripe._request_options import RequestOptions
from typing_extensions import is_typeddict

from backend.simulator.errors import unknown_parameter

_REQUEST_OPTION_KEYS = frozenset(RequestOptions.__annotations__)
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@cache
def _fields(spec: type) -> dict[str, tuple[type, ...]]:
    """Map each parameter name to the nested TypedDicts its annotation mentions."""
    module = sys.modules[spec.__module__]
    out: dict[str, tuple[type, ...]] = {}
    for name, annotation in spec.__annotations__.items():
        if name in _REQUEST_OPTION_KEYS:
            continue
        text = annotation if isinstance(annotation, str) else repr(annotation)
        text = getattr(annotation, "__forward_arg__", text)
        nested = []
        for ident in set(_NAME.findall(str(text))):
            candidate = getattr(module, ident, None)
            if isinstance(candidate, type) and is_typeddict(candidate) and candidate is not spec:
                nested.append(candidate)
        out[name] = tuple(nested)
    return out


def check_params(params: dict[str, Any], spec: type, prefix: str = "") -> None:
    """Raise `parameter_unknown` naming the first parameter `spec` does not define."""
    fields = _fields(spec)
    for key, value in params.items():
        path = f"{prefix}[{key}]" if prefix else key
        if key not in fields:
            raise unknown_parameter(path)
        nested = fields[key]
        if not nested:
            continue
        for index, item in _children(value):
            child_path = f"{path}[{index}]" if index is not None else path
            if isinstance(item, dict):
                _check_any(item, nested, child_path)


def _children(value: Any) -> list[tuple[int | None, Any]]:
    if isinstance(value, list):
        return list(enumerate(value))
    return [(None, value)]


def _check_any(item: dict[str, Any], specs: tuple[type, ...], path: str) -> None:
    # An annotation can name several TypedDicts (a union); the value must fit one of them.
    first_error = None
    for spec in specs:
        try:
            check_params(item, spec, path)
            return
        except Exception as error:  # noqa: BLE001 - keep the first mismatch to report it
            first_error = first_error or error
    if first_error is not None:
        raise first_error
