"""Reading untrusted JSON with the field path always at hand.

Both normalizers walk deep payloads; every accessor here knows where it is
(``refunds[0].refund_line_items[1].quantity``) so a missing or malformed
field raises a ``NormalizationError`` that names it. Money is read from
strings into exact minor units; a float is refused, because a float has
already lost the exact amount.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from service.connectors.shopify.errors import NormalizationError
from service.domain.money import MoneyError, to_minor

_MISSING = "missing"


def legacy_id(value: object, path: str) -> str:
    """The numeric id Shopify's REST API uses, from an int, a digit string
    or a GraphQL gid (``gid://shopify/Order/123`` -> ``"123"``), so ids from
    both APIs agree."""
    if isinstance(value, bool):
        raise NormalizationError(path, f"not an id: {value!r}")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        tail = value.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1]
        if tail.isdigit() and (value.isdigit() or value.startswith("gid://")):
            return tail
    raise NormalizationError(path, f"not a Shopify id: {value!r}")


def parse_time(value: object, path: str) -> dt.datetime:
    """An ISO 8601 timestamp with an offset, as UTC. A naive timestamp is
    refused: guessing its zone would move entries across days."""
    if not isinstance(value, str):
        raise NormalizationError(path, f"not a timestamp: {value!r}")
    try:
        parsed = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError as exc:
        raise NormalizationError(path, f"not a timestamp: {value!r}") from exc
    if parsed.tzinfo is None:
        raise NormalizationError(path, f"timestamp without a UTC offset: {value!r}")
    return parsed.astimezone(dt.UTC)


def minor_units(value: object, currency: str, path: str) -> int:
    """An amount ("12.30", or an exact int/Decimal) in minor units."""
    if isinstance(value, bool | float):
        raise NormalizationError(path, f"not an exact amount: {value!r}")
    if not isinstance(value, str | int | Decimal):
        raise NormalizationError(path, f"not an amount: {value!r}")
    try:
        return to_minor(value, currency)
    except MoneyError as exc:
        raise NormalizationError(path, str(exc)) from exc


class Node:
    """A JSON object and the path it was found at."""

    __slots__ = ("data", "path")

    def __init__(self, data: object, path: str = "") -> None:
        if not isinstance(data, Mapping):
            raise NormalizationError(
                path or "payload", f"expected an object, got {type(data).__name__}"
            )
        self.data: Mapping[str, Any] = data
        self.path = path

    def at(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key

    def has(self, key: str) -> bool:
        return self.data.get(key) is not None

    def get(self, key: str) -> Any:
        """The value, or raise naming the field when it is absent or null."""
        value = self.data.get(key)
        if value is None:
            raise NormalizationError(self.at(key), _MISSING)
        return value

    def opt(self, key: str) -> Any:
        return self.data.get(key)

    def text(self, key: str) -> str:
        value = self.get(key)
        if not isinstance(value, str):
            raise NormalizationError(self.at(key), f"expected a string, got {value!r}")
        return value

    def opt_text(self, key: str, default: str = "") -> str:
        value = self.data.get(key)
        if value is None:
            return default
        if not isinstance(value, str):
            raise NormalizationError(self.at(key), f"expected a string, got {value!r}")
        return value

    def integer(self, key: str) -> int:
        value = self.get(key)
        if isinstance(value, bool):
            raise NormalizationError(self.at(key), f"expected an integer, got {value!r}")
        if isinstance(value, int):
            return value
        if isinstance(value, str) and value.strip().lstrip("-").isdigit():
            return int(value)
        raise NormalizationError(self.at(key), f"expected an integer, got {value!r}")

    def flag(self, key: str, default: bool = False) -> bool:
        value = self.data.get(key)
        if value is None:
            return default
        if not isinstance(value, bool):
            raise NormalizationError(self.at(key), f"expected true or false, got {value!r}")
        return value

    def time(self, key: str) -> dt.datetime:
        return parse_time(self.get(key), self.at(key))

    def opt_time(self, key: str) -> dt.datetime | None:
        value = self.data.get(key)
        return None if value is None else parse_time(value, self.at(key))

    def ident(self, key: str) -> str:
        return legacy_id(self.get(key), self.at(key))

    def opt_ident(self, key: str) -> str | None:
        value = self.data.get(key)
        return None if value is None else legacy_id(value, self.at(key))

    def child(self, key: str) -> Node:
        return Node(self.get(key), self.at(key))

    def opt_child(self, key: str) -> Node | None:
        value = self.data.get(key)
        return None if value is None else Node(value, self.at(key))

    def items(self, key: str, *, required: bool = False) -> list[Node]:
        """The objects of a list field; an absent list is empty unless
        ``required`` (a list the history cannot do without)."""
        value = self.data.get(key)
        if value is None:
            if required:
                raise NormalizationError(self.at(key), _MISSING)
            return []
        if not isinstance(value, list):
            raise NormalizationError(self.at(key), f"expected a list, got {type(value).__name__}")
        return [Node(item, f"{self.at(key)}[{i}]") for i, item in enumerate(value)]

    def amount(self, key: str, currency: str) -> int:
        return minor_units(self.get(key), currency, self.at(key))
