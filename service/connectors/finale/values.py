"""Finale's values as its API formats them.

Finale's GraphQL API returns every field as display text: quantities and
money as strings with thousands separators ("1,204", "3,518.25"), blank
when there is no value, and dates as text. Its REST resources return JSON
numbers. Both are read here into exact ``Decimal`` and ``date`` values; a
value in any other shape is refused with the field's path, never guessed.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

from service.connectors.inventory import InventoryDataError

_GROUPED = re.compile(r"^-?\d{1,3}(,\d{3})+(\.\d+)?$")
_PLAIN = re.compile(r"^-?\d+(\.\d+)?$")
_US_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")


def number(value: object, path: str) -> Decimal | None:
    """A Finale number: a JSON number, or text such as "1,234.50"; blank is None."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise InventoryDataError(path, f"not a number: {value!r}")
    if isinstance(value, int | Decimal):
        return Decimal(value)
    if not isinstance(value, str):
        raise InventoryDataError(path, f"not a number: {value!r}")
    text = value.strip()
    if not text:
        return None
    if _GROUPED.match(text):
        text = text.replace(",", "")
    elif not _PLAIN.match(text):
        raise InventoryDataError(path, f"not a number as Finale writes them: {value!r}")
    try:
        return Decimal(text)
    except InvalidOperation as exc:  # pragma: no cover - the patterns above prevent it
        raise InventoryDataError(path, f"not a number: {value!r}") from exc


def date(value: object, path: str) -> dt.date:
    """A Finale date: ISO ("2025-03-03", with or without a time) or "3/3/2025"."""
    if not isinstance(value, str) or not value.strip():
        raise InventoryDataError(path, f"missing date: {value!r}")
    text = value.strip()
    us = _US_DATE.match(text)
    try:
        if us:
            return dt.date(int(us.group(3)), int(us.group(1)), int(us.group(2)))
        return dt.date.fromisoformat(text[:10])
    except ValueError as exc:
        raise InventoryDataError(path, f"not a date as Finale writes them: {value!r}") from exc


def text(value: object, path: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InventoryDataError(path, f"missing or not text: {value!r}")
    return value.strip()
