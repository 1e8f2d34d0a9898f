"""Immutability for the engine's records when they run from source.

The records of service/domain/__init__.py have ``Final`` fields and a
written ``__init__`` that only stores them: compiled, their fields are
read-only at run time; from source (no C compiler,
``STOREBOOKS_INTERPRETED=1``, an install that did not compile) nothing
would stop an assignment but mypy. ``seal`` gives those source classes the
frozen dataclass's refusal, and an ``__init__`` that stores through the
fields' slots (which the refusing ``__setattr__`` does not see), as fast
as the written one. Compiled classes are left as they are.
"""

from __future__ import annotations

import dataclasses
import dis
import inspect
import types
from collections.abc import Callable
from typing import Any

_PLAIN_STORES = {"RESUME", "NOP", "CACHE", "LOAD_FAST", "LOAD_CONST", "STORE_ATTR", "RETURN_VALUE"}


def seal(*classes: type) -> None:
    """Make the classes refuse changes when they run from source."""
    for cls in classes:
        init = vars(cls).get("__init__")
        if isinstance(init, types.FunctionType):
            setattr(cls, "__init__", _slot_storing(cls, init))  # noqa: B010 - mypy refuses a direct assignment
            setattr(cls, "__setattr__", _refuse_set)  # noqa: B010
            setattr(cls, "__delattr__", _refuse_delete)  # noqa: B010
            setattr(cls, "__reduce__", _rebuilt_by_init)  # noqa: B010 - pickle and copy


def _slot_storing(cls: type, init: types.FunctionType) -> Callable[..., None]:
    """The written ``__init__`` again, each field stored by its slot."""
    params = list(inspect.signature(init).parameters.values())[1:]
    names = [p.name for p in params]
    plain = {i.opname for i in dis.get_instructions(init)} <= _PLAIN_STORES
    if names != [f.name for f in dataclasses.fields(cls)] or not plain:
        raise TypeError(f"{cls.__name__}.__init__ must only store its fields, in order")
    namespace: dict[str, Any] = {}
    args = []
    for p in params:
        namespace[f"set_{p.name}"] = vars(cls)[p.name].__set__
        if p.default is inspect.Parameter.empty:
            args.append(p.name)
        else:
            namespace[f"default_{p.name}"] = p.default
            args.append(f"{p.name}=default_{p.name}")
    body = "".join(f"    set_{n}(self, {n})\n" for n in names)
    exec(f"def __init__(self, {', '.join(args)}):\n{body}", namespace)
    stored: Callable[..., None] = namespace["__init__"]
    stored.__qualname__ = f"{cls.__qualname__}.__init__"
    return stored


def _refuse_set(self: object, name: str, value: object) -> None:
    raise dataclasses.FrozenInstanceError(f"cannot assign to field {name!r}")


def _refuse_delete(self: object, name: str) -> None:
    raise dataclasses.FrozenInstanceError(f"cannot delete field {name!r}")


def _rebuilt_by_init(self: object) -> tuple[type, tuple[object, ...]]:
    values = tuple(getattr(self, f.name) for f in dataclasses.fields(self))  # type: ignore[arg-type]
    return type(self), values
