"""JSON form of the domain's immutable records, for storage.

Order histories and processor records are stored as JSON and read back
into the same immutable records. The codec follows each record's field
types, so a field added to the domain is stored without touching this
module. A record inside a union (an order's events) carries its type name.
"""

from __future__ import annotations

import ast
import dataclasses
import datetime as dt
import enum
import json
import types
import typing
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import orjson

from service.domain import events as _events
from service.domain import history as _history
from service.domain import order as _order
from service.domain import processor as _processor

_MODULES = (_events, _history, _order, _processor)
TAG = "@type"  # a name no domain field can have


@cache
def _hints(cls: type) -> dict[str, Any]:
    """Each field's type, read from the class's source: a class compiled
    with mypyc keeps only erased annotations (``tuple`` for
    ``tuple[LineItem, ...]``, ``type`` for ``str | None``)."""
    namespace: dict[str, Any] = {}
    for module in _MODULES:
        namespace.update(vars(module))
    return _stored_types(_source_hints(cls, namespace))


def _stored_types(hints: dict[str, Any]) -> dict[str, Any]:
    """The type each field stores: ``Final[X]`` (a read-only field) stores X."""
    return {
        name: typing.get_args(h)[0] if typing.get_origin(h) is typing.Final else h
        for name, h in hints.items()
    }


def _source_hints(cls: type, namespace: dict[str, Any]) -> dict[str, Any]:
    root = Path(__file__).resolve().parent.parent.parent  # this file is never compiled
    source = root.joinpath(*cls.__module__.split(".")).with_suffix(".py")
    tree = ast.parse(source.read_text())
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and node.name == cls.__name__:
            return {
                item.target.id: eval(ast.unparse(item.annotation), namespace)
                for item in node.body
                if isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name)
            }
    raise TypeError(f"no class {cls.__name__} in {source}")


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


Decoder = Callable[[Any], Any] | None  # None: the stored value is used as it is


@cache
def _decoder(hint: Any) -> Decoder:
    """What turns stored JSON back into a value of type `hint`, worked out once.

    Reading a journal's worth of histories decodes millions of fields, so
    the type hints are interpreted once per type, not once per value.
    """
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        options = typing.get_args(hint)
        nullable = type(None) in options
        rest = [o for o in options if o is not type(None)]
        first = _decoder(rest[0]) if rest else None

        def union(data: Any) -> Any:
            if data is None and nullable:
                return None
            if isinstance(data, dict) and TAG in data:
                return _tagged(data)
            return data if first is None else first(data)

        return union
    if origin is tuple:
        inner = _decoder(typing.get_args(hint)[0])
        if inner is None:
            return tuple
        return lambda data: tuple([inner(v) for v in data])
    if isinstance(hint, type):
        if dataclasses.is_dataclass(hint):
            return _record_decoder(hint)
        if issubclass(hint, enum.Enum):
            return _enum_decoder(hint)
        if hint is dt.datetime:
            return dt.datetime.fromisoformat
        if hint is dt.date:
            return dt.date.fromisoformat
    return None


@cache
def _record_decoder(cls: type) -> Callable[[dict[str, Any]], Any]:
    """One function per record type, written out field by field.

    A history is a few dozen records, and a full re-post decodes every
    history of the company: a generic loop over the fields spent more time
    than posting them. The written-out function reads every field by name
    and passes them in order; a record stored before a field existed (a key
    missing) goes through the general path, which leaves the default.
    """
    hints = _hints(cls)
    namespace: dict[str, Any] = {"cls": cls, "general": _general_decoder(cls, hints)}
    args = []
    for i, f in enumerate(dataclasses.fields(cls)):
        hint, value = hints[f.name], f"data[{f.name!r}]"
        if typing.get_origin(hint) is tuple:  # the loop written out too: no call per tuple
            inner = _decoder(typing.get_args(hint)[0])
            namespace[f"d{i}"] = inner
            args.append(
                f"tuple({value})" if inner is None else f"tuple([d{i}(v) for v in {value}])"
            )
            continue
        d = _decoder(hint)
        if d is None:
            args.append(value)
        else:
            namespace[f"d{i}"] = d
            args.append(f"d{i}({value})")
    source = (
        "def record(data):\n"
        "    try:\n"
        f"        return cls({', '.join(args)})\n"
        "    except KeyError:\n"
        "        return general(data)\n"
    )
    exec(source, namespace)
    record: Callable[[dict[str, Any]], Any] = namespace["record"]
    return record


def _general_decoder(cls: type, hints: dict[str, Any]) -> Callable[[dict[str, Any]], Any]:
    plain: list[str] = []
    decoded: list[tuple[str, Callable[[Any], Any]]] = []
    for f in dataclasses.fields(cls):
        d = _decoder(hints[f.name])
        if d is None:
            plain.append(f.name)
        else:
            decoded.append((f.name, d))

    def record(data: dict[str, Any]) -> Any:
        kwargs = {name: data[name] for name in plain if name in data}
        for name, d in decoded:
            if name in data:
                kwargs[name] = d(data[name])
        return cls(**kwargs)

    return record


def _enum_decoder(hint: type[enum.Enum]) -> Callable[[Any], Any]:
    """The member for a stored value: a dictionary look-up, the enum's own
    call (slower) only for what the look-up does not know."""
    members = hint._value2member_map_

    def member(value: Any) -> Any:
        try:
            return members[value]
        except (KeyError, TypeError):
            return hint(value)

    return member


_BY_TAG: dict[str, Callable[[dict[str, Any]], Any]] = {}


def _tagged(data: dict[str, Any]) -> Any:
    """A record that names its own type (an event among an order's events)."""
    tag = data[TAG]
    decoder = _BY_TAG.get(tag)
    if decoder is None:
        decoder = _BY_TAG[tag] = _record_decoder(_record_types()[tag])
    return decoder(data)


def decode_record(data: dict[str, Any], cls: type | None = None) -> Any:
    if cls is None:
        cls = _record_types()[data[TAG]]
    return _record_decoder(cls)(data)


def decode_json_record(text: str | bytes) -> Any:
    """A record stored as JSON, from its text (as a posting process receives it)."""
    return decode_record(orjson.loads(text))


def from_jsonb(raw: Any) -> Any:
    """A jsonb column as asyncpg hands it: text on a connection without the
    pool's JSON codec (a bench's or a migration's), the value with it."""
    return json.loads(raw) if isinstance(raw, str) else raw
