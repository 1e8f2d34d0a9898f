"""JSON form of the domain's immutable records, for storage.

Order histories and processor records are stored as JSON and read back
into the same frozen dataclasses. The codec follows each dataclass's type
hints, so a field added to the domain is stored without touching this
module. A record inside a union (an order's events) carries its type name.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import types
import typing
from functools import cache
from typing import Any

from service.domain import events as _events
from service.domain import history as _history
from service.domain import order as _order
from service.domain import processor as _processor

_MODULES = (_events, _history, _order, _processor)
TAG = "@type"  # a name no domain field can have


@cache
def _hints(cls: type) -> dict[str, Any]:
    namespace: dict[str, Any] = {}
    for module in _MODULES:
        namespace.update(vars(module))
    return typing.get_type_hints(cls, globalns=namespace)


@cache
def _record_types() -> dict[str, type]:
    found: dict[str, type] = {}
    for module in _MODULES:
        for value in vars(module).values():
            if isinstance(value, type) and dataclasses.is_dataclass(value):
                found[value.__name__] = value
    return found


def encode(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return [encode(v) for v in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        out: dict[str, Any] = {TAG: type(value).__name__}
        for f in dataclasses.fields(value):
            out[f.name] = encode(getattr(value, f.name))
        return out
    raise TypeError(f"cannot store a {type(value).__name__}")


def decode(data: Any, hint: Any) -> Any:
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        options = typing.get_args(hint)
        if data is None and type(None) in options:
            return None
        if isinstance(data, dict) and TAG in data:
            return decode_record(data)
        for option in options:
            if option is not type(None):
                return decode(data, option)
    if origin is tuple:
        inner = typing.get_args(hint)[0]
        return tuple(decode(v, inner) for v in data)
    if hint is Any:
        return data
    if isinstance(hint, type):
        if dataclasses.is_dataclass(hint):
            return decode_record(data, hint)
        if issubclass(hint, enum.Enum):
            return hint(data)
        if hint is dt.datetime:
            return dt.datetime.fromisoformat(data)
        if hint is dt.date:
            return dt.date.fromisoformat(data)
    return data


def decode_record(data: dict[str, Any], cls: type | None = None) -> Any:
    if cls is None:
        cls = _record_types()[data[TAG]]
    hints = _hints(cls)
    kwargs = {
        f.name: decode(data[f.name], hints[f.name])
        for f in dataclasses.fields(cls)
        if f.name in data
    }
    return cls(**kwargs)
