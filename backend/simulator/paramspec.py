"""Reject parameters the real API does not know, using stripe-python's generated param types.

stripe-python 16 ships a TypedDict per endpoint, generated from Stripe's OpenAPI spec for
the pinned API version. Walking it gives the simulator the exact set of names Stripe
accepts, nested ones included, so `parameter_unknown` fires exactly where Stripe's would.
The same annotations say which values fit: `bool`, `int`, a closed `Literal[...]`, and
whether `""` (Stripe's way to unset) is allowed at all (`Literal['']` in the union).
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from functools import cache
from typing import Any

from stripe._request_options import RequestOptions
from typing_extensions import is_typeddict

from backend.simulator.errors import invalid_request, unknown_parameter

_REQUEST_OPTION_KEYS = frozenset(RequestOptions.__annotations__)
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_LITERAL = re.compile(r"Literal\[([^\]]*)\]")
_BOOLEANS = {"true": True, "false": False}


@dataclass(frozen=True)
class ValueRule:
    """What one parameter's annotation allows as a value."""

    empty_ok: bool  # `""` unsets it
    kind: str | None  # "bool", "int", "enum", or None when anything string-like fits
    choices: tuple[str, ...] = ()


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


def _annotation_text(annotation: Any) -> str:
    text = getattr(annotation, "__forward_arg__", None)
    if text is None:
        text = annotation if isinstance(annotation, str) else repr(annotation)
    inner = re.sub(r"^typing\.(Not)?Required\[(.*)\]$", r"\2", str(text))
    return getattr(getattr(annotation, "__args__", [None])[0], "__forward_arg__", None) or inner


@cache
def _rules(spec: type) -> dict[str, ValueRule]:
    rules: dict[str, ValueRule] = {}
    for name, annotation in spec.__annotations__.items():
        if name in _REQUEST_OPTION_KEYS:
            continue
        text = _annotation_text(annotation).replace(" ", "")
        empty_ok = "Literal['']" in text
        options = [o for o in _split_union(text) if o != "Literal['']"]
        kind: str | None = None
        choices: tuple[str, ...] = ()
        if options == ["bool"]:
            kind = "bool"
        elif options == ["int"]:
            kind = "int"
        elif _is_enum(options):
            kind = "enum"
            choices = tuple(c.strip("'\"") for o in options if o.startswith("Literal[")
                            for c in _LITERAL.findall(o)[0].split(","))
        rules[name] = ValueRule(empty_ok, kind, choices)
    return rules


def _is_enum(options: list[str]) -> bool:
    # stripe-python adds `|str` to every enum so that new values do not break old SDKs; the
    # API itself still refuses a value the pinned version does not list.
    literals = [o for o in options if o.startswith("Literal[")]
    return bool(literals) and all(o.startswith("Literal[") or o == "str" for o in options)


def _split_union(text: str) -> list[str]:
    """Split `A|Literal['x','y']|List[B]` on the top-level bars only."""
    parts, depth, current = [], 0, ""
    for char in text:
        depth += char == "["
        depth -= char == "]"
        if char == "|" and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += char
    return parts + [current]


def check_values(params: dict[str, Any], spec: type, prefix: str = "") -> None:
    """Raise Stripe's error for the first value its annotation does not allow."""
    rules, fields = _rules(spec), _fields(spec)
    for key, value in params.items():
        path = f"{prefix}[{key}]" if prefix else key
        rule = rules.get(key)
        if rule is None:
            continue
        if value == "":
            if not rule.empty_ok:
                raise invalid_empty(path)
            continue
        if isinstance(value, str):
            _check_scalar(value, rule, path)
        for index, item in _children(value):
            if isinstance(item, dict):
                for nested in fields.get(key, ()):
                    if set(item) <= set(_fields(nested)):
                        check_values(item, nested, f"{path}[{index}]" if index is not None else path)
                        break


def _check_scalar(value: str, rule: ValueRule, path: str) -> None:
    if rule.kind == "bool" and value not in _BOOLEANS:
        # Stripe names no code for a malformed boolean, only the parameter.
        raise invalid_request(f"Invalid boolean: {value}", param=path)
    if rule.kind == "int" and not re.fullmatch(r"-?\d+", value):
        raise invalid_request(f"Invalid integer: {value}", param=path,
                              code="parameter_invalid_integer")
    if rule.kind == "enum" and value not in rule.choices:
        raise invalid_request(f"Invalid {path}: must be one of {_one_of(rule.choices)}",
                              param=path)


def _one_of(choices: tuple[str, ...]) -> str:
    return ", ".join(choices[:-1]) + f", or {choices[-1]}" if len(choices) > 1 else choices[0]


def invalid_empty(path: str) -> Exception:
    return invalid_request(
        f"You passed an empty string for '{path}'. We assume empty values are an attempt to "
        f"unset a parameter; however '{path}' cannot be unset. You should remove '{path}' from "
        "your request or supply a non-empty value.", param=path, code="parameter_invalid_empty")
