"""Goflow payloads as its API specification shapes them, read field by field.

Money and quantities are JSON numbers (read as ``Decimal``), quantities
inside ``{"amount": ...}`` objects on orders; dates are ISO 8601 in UTC
("2025-01-31T18:30:20Z"). Anything else is refused with the field's path.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from service.connectors.inventory import InventoryDataError, bounded_cost, bounded_units

CANCELED = frozenset({"canceled", "cancelled"})


@dataclass(frozen=True, slots=True)
class ShippedLine:
    order_ref: str
    item_number: str
    units: int
    shipped_at: dt.datetime


def dig(obj: Any, path: Sequence[str]) -> Any:
    cur = obj
    for key in path:
        if not isinstance(cur, Mapping):
            return None
        cur = cur.get(key)
    return cur


def decimal(value: object, path: str) -> Decimal | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        raise InventoryDataError(path, f"not a number: {value!r}")
    return Decimal(value)


def timestamp(value: object, path: str) -> dt.datetime:
    if not isinstance(value, str):
        raise InventoryDataError(path, f"missing date: {value!r}")
    try:
        t = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise InventoryDataError(path, f"not an ISO 8601 date: {value!r}") from exc
    if t.tzinfo is None:
        raise InventoryDataError(path, f"date without a time zone: {value!r}")
    return t


def order_ref(order: Mapping[str, Any]) -> str:
    ref = order.get("order_number")
    if isinstance(ref, int) and not isinstance(ref, bool):
        return str(ref)
    if not isinstance(ref, str) or not ref:
        raise InventoryDataError(f"order {order.get('id')!r}.order_number", f"missing: {ref!r}")
    return ref


def order_lines(order: Mapping[str, Any]) -> Iterator[ShippedLine]:
    """The shipped lines of a shipped order; a canceled order shipped nothing."""
    ref = order_ref(order)
    if str(order.get("status", "")).lower() in CANCELED:
        return
    shipped = dig(order, ("shipment", "shipped_at")) or order.get("status_updated_at")
    when = timestamp(shipped, f"order {ref}.shipment.shipped_at")
    lines = order.get("lines") or []
    if not isinstance(lines, list):
        raise InventoryDataError(f"order {ref}.lines", "not a list")
    for i, line in enumerate(lines):
        path = f"order {ref}.lines[{i}]"
        item = dig(line, ("product", "item_number"))
        if not isinstance(item, str) or not item:
            raise InventoryDataError(f"{path}.product.item_number", f"missing: {item!r}")
        qty = decimal(dig(line, ("quantity", "amount")), f"{path}.quantity.amount")
        yield ShippedLine(ref, item, bounded_units(qty, f"{path}.quantity.amount"), when)


def product_id(product: Mapping[str, Any]) -> int:
    pid = product.get("id")
    if not isinstance(pid, int) or isinstance(pid, bool):
        raise InventoryDataError(
            f"product {product.get('item_number')!r}.id", f"not an id: {pid!r}"
        )
    return pid


def adjustment_costs(
    adjustment: Mapping[str, Any],
) -> Iterator[tuple[int, dt.datetime, Decimal | None]]:
    """(product id, date, cost) of each adjustment line that states a cost."""
    aid = adjustment.get("id")
    when = timestamp(adjustment.get("date"), f"adjustment {aid!r}.date")
    lines = adjustment.get("lines") or []
    if not isinstance(lines, list):
        raise InventoryDataError(f"adjustment {aid!r}.lines", "not a list")
    for i, line in enumerate(lines):
        path = f"adjustment {aid!r}.lines[{i}]"
        if not isinstance(line, Mapping) or "cost" not in line or line["cost"] is None:
            continue
        pid = line.get("product_id")
        if not isinstance(pid, int) or isinstance(pid, bool):
            raise InventoryDataError(f"{path}.product_id", f"not an id: {pid!r}")
        yield pid, when, bounded_cost(decimal(line["cost"], f"{path}.cost"), f"{path}.cost")
