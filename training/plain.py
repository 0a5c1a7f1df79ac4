"""Dataclasses to and from JSON-ready data, for everything that crosses the child-process job boundary
(`training.jobs`) or is kept on disk (`training.run_state`).

`from_plain` builds a dataclass from a dict the way `dataclasses.asdict` wrote it: nested dataclasses are
built again, lists become tuples where the field is a tuple, strings become paths or enum members where the
field says so. Unknown keys are an error (a typo in a job must not be ignored) unless `strict=False`
(files written by another version).
"""

from __future__ import annotations

import dataclasses
import enum
import math
import types
import typing
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")


def to_plain(obj: Any) -> dict[str, Any]:
    """`dataclasses.asdict`, JSON-ready (`json_ready`)."""
    return json_ready(dataclasses.asdict(obj))


def json_ready(v: Any) -> Any:
    """Standard JSON values: tuples as lists, paths as strings, enum members as their values, NaN and
    infinities as None (JSON has no NaN; a metric that could not be computed is "none")."""
    if isinstance(v, enum.Enum):
        return v.value
    if isinstance(v, float) and (math.isnan(v) or math.isinf(v)):
        return None
    if isinstance(v, Path):
        return str(v)
    if isinstance(v, dict):
        return {str(k): json_ready(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [json_ready(x) for x in v]
    return v


def from_plain(cls: type[T], data: Mapping[str, Any] | None, *, strict: bool = True) -> T:
    if data is None:
        data = {}
    if not isinstance(data, Mapping):
        raise ValueError(f"{cls.__name__}: expected an object, got {type(data).__name__}")
    hints = typing.get_type_hints(cls)
    names = {f.name for f in dataclasses.fields(cls) if f.init}  # type: ignore[arg-type]
    unknown = sorted(set(data) - names)
    if unknown and strict:
        raise ValueError(f"{cls.__name__}: unknown field(s) {', '.join(unknown)}")
    kw = {}
    for k, v in data.items():
        if k in names:
            try:
                kw[k] = _value(hints[k], v, strict)
            except (TypeError, ValueError) as e:
                if v is None and not strict:  # lenient (a file of another version): the field's default
                    continue
                raise ValueError(f"{cls.__name__}.{k}: {e}") from e
    return cls(**kw)


_SCALARS: dict[type, Any] = {
    bool: lambda v: isinstance(v, bool),
    int: lambda v: isinstance(v, int) and not isinstance(v, bool),
    float: lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    str: lambda v: isinstance(v, str),
}


def _value(hint: Any, v: Any, strict: bool) -> Any:
    origin = typing.get_origin(hint)
    if v is None:  # only where the field may be None (`X | None`, `Any`): a required field refuses null
        if (
            hint is Any
            or hint is type(None)
            or (origin in (typing.Union, types.UnionType) and type(None) in typing.get_args(hint))
        ):
            return None
        raise ValueError(f"expected {getattr(hint, '__name__', hint)}, got null")
    if origin in (typing.Union, types.UnionType):
        options = [a for a in typing.get_args(hint) if a is not type(None)]
        return _value(options[0], v, strict) if len(options) == 1 else v
    if origin is tuple and isinstance(v, (list, tuple)):
        args = typing.get_args(hint)
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_value(args[0], x, strict) for x in v)
        return tuple(v)
    if origin is list and isinstance(v, (list, tuple)):
        (arg,) = typing.get_args(hint) or (Any,)
        return [_value(arg, x, strict) for x in v]
    if isinstance(hint, type):
        if dataclasses.is_dataclass(hint):
            return from_plain(hint, v, strict=strict)
        if hint in _SCALARS and not _SCALARS[hint](v):
            raise ValueError(f"expected {hint.__name__}, got {type(v).__name__} {v!r}")
        if issubclass(hint, enum.Enum):
            return hint(v)
        if issubclass(hint, Path):
            return Path(v)
    return v
