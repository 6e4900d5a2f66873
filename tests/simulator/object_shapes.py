"""Check a Stripe JSON object against stripe-python's generated class for the pinned API version.

stripe-python 16.1 annotates every field of every object: a field whose annotation is not
Optional is always present and never null; a field that is not annotated at all does not exist
in this API version. Walking an object against those annotations finds what the simulator
leaves out, sends as null, invents or puts in the wrong place.
"""

from __future__ import annotations

import decimal
import importlib
import types
import typing
from typing import Any, ForwardRef

import stripe
from stripe._object_classes import OBJECT_CLASSES

_NONE = type(None)


def shape_problems(obj: dict[str, Any], cls: type | None = None, path: str = "") -> list[str]:
    """Every difference between `obj` and the class Stripe's types give it, as readable lines."""
    if cls is None:
        cls = class_for(obj.get("object"))
        if cls is None:
            return [f"{path or '<root>'}: unknown object type {obj.get('object')!r}"]
    path = path or str(obj.get("object"))
    fields = _annotations(cls)
    problems = [f"{path}.{name}: not a field of {cls.__qualname__}"
                for name in obj if name not in fields]
    for name, annotation in fields.items():
        where = f"{path}.{name}"
        if name not in obj:
            if not _nullable(annotation):
                problems.append(f"{where}: missing, but always present in {cls.__qualname__}")
            continue
        value = obj[name]
        if value is None:
            if not _nullable(annotation):
                problems.append(f"{where}: null, but never null in {cls.__qualname__}")
            continue
        problems.extend(_value_problems(value, annotation, where))
    return problems


def class_for(object_name: Any) -> type | None:
    """The class stripe-python builds for an `object` value, e.g. "invoice" → stripe.Invoice."""
    found = OBJECT_CLASSES.get(str(object_name))
    if found is None:
        return None
    module, name = found
    cls = getattr(importlib.import_module(module), name)
    return cls if isinstance(cls, type) else None


def _annotations(cls: type) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for klass in reversed(cls.__mro__):
        if klass is stripe.StripeObject or not issubclass(klass, stripe.StripeObject):
            continue
        for name, annotation in vars(klass).get("__annotations__", {}).items():
            if typing.get_origin(annotation) is typing.ClassVar or name.isupper():
                continue
            out[name] = annotation
    return out


def _nullable(annotation: Any) -> bool:
    return _NONE in typing.get_args(annotation) or annotation is Any


def _options(annotation: Any) -> list[Any]:
    origin = typing.get_origin(annotation)
    if origin is typing.Union or origin is types.UnionType:
        return [a for a in typing.get_args(annotation) if a is not _NONE]
    return [annotation]


def _value_problems(value: Any, annotation: Any, where: str) -> list[str]:
    options = _options(annotation)
    if isinstance(value, dict):
        return _dict_problems(value, options, where)
    if isinstance(value, list):
        for option in options:
            if typing.get_origin(option) in (list, typing.List):  # noqa: UP006 - stripe's spelling
                (item,) = typing.get_args(option)
                return [p for i, v in enumerate(value) for p in _value_problems(v, item, f"{where}[{i}]")]
        return [f"{where}: a list, but typed {annotation}"]
    return _scalar_problems(value, options, where, annotation)


def _dict_problems(value: dict[str, Any], options: list[Any], where: str) -> list[str]:
    if "object" in value and class_for(value["object"]) is not None:
        if value["object"] == "list":
            return [p for i, item in enumerate(value.get("data", []))
                    for p in shape_problems(item, None, f"{where}.data[{i}]")]
        return shape_problems(value, None, where)
    for option in options:
        if isinstance(option, type) and issubclass(option, stripe.StripeObject):
            if option is stripe.StripeObject or option.__name__ == "UntypedStripeObject":
                return []
            return shape_problems(value, option, where)
        if typing.get_origin(option) is not None and "UntypedStripeObject" in str(option):
            return []  # metadata and other free-form hashes
    if any(option is Any or option is dict for option in options):
        return []
    return [f"{where}: a hash, but typed {options}"]


def _scalar_problems(value: Any, options: list[Any], where: str, annotation: Any) -> list[str]:
    for option in options:
        if option is Any or isinstance(option, ForwardRef) or isinstance(option, str):
            return []  # an expandable id
        if typing.get_origin(option) is typing.Literal:
            if value in typing.get_args(option):
                return []
            continue
        if option is bool and isinstance(value, bool):
            return []
        if option is int and isinstance(value, int) and not isinstance(value, bool):
            return []
        if option is float and isinstance(value, int | float) and not isinstance(value, bool):
            return []
        if option in (str, decimal.Decimal) and isinstance(value, str):
            return []  # decimals travel as strings
        if isinstance(option, type) and issubclass(option, stripe.StripeObject) and isinstance(value, str):
            return []  # an unexpanded id of an expandable field
    return [f"{where}: {value!r} does not fit {annotation}"]
