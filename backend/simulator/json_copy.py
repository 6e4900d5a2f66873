"""A copy of a JSON tree: what the simulator hands out must never alias what it keeps."""

from __future__ import annotations

from typing import Any, TypeVar

T = TypeVar("T")


def json_copy(value: T) -> T:
    """Copy nested dicts and lists; share the immutable leaves (str, int, float, bool, None).

    The simulator's objects are JSON (they are sent as JSON), so this is all the standard
    library's deepcopy would do for them, without its memo and per-type dispatch: several times
    faster, and the simulator copies every object it answers with or emits in an event.
    """
    return _copy(value)  # type: ignore[no-any-return]


def _copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _copy(item) if isinstance(item, (dict, list)) else item for key, item in value.items()}
    if isinstance(value, list):
        return [_copy(item) if isinstance(item, (dict, list)) else item for item in value]
    return value
