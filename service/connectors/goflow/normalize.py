"""Goflow order payloads -> ``InventoryLineCost``.

A Goflow order (``GET /v1/orders``) carries the sales channel's reference
in ``order_number`` and one entry per line in ``lines``: the SKU is
``product.item_number``, the units ``quantity.amount``, and the average
cost Goflow assigned the line ``cost.amount`` (money objects in Goflow are
``{"amount": ...}``). The cost path is kept in ``LINE_COST_PATH`` so it is
one edit if an account's payload names it differently.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from service.connectors.inventory import (
    InventoryDataError,
    InventoryLineCost,
    unit_cost_minor,
    whole_units,
)

SOURCE = "goflow"
LINE_COST_PATH = ("cost", "amount")
CANCELED = frozenset({"canceled", "cancelled"})


def _dig(obj: Mapping[str, Any], path: Sequence[str]) -> Any:
    cur: Any = obj
    for key in path:
        if not isinstance(cur, Mapping):
            return None
        cur = cur.get(key)
    return cur


def order_ref(order: Mapping[str, Any]) -> str:
    ref = order.get("order_number")
    if isinstance(ref, int) and not isinstance(ref, bool):
        return str(ref)
    if not isinstance(ref, str) or not ref:
        raise InventoryDataError(f"order {order.get('id')!r}.order_number", f"missing: {ref!r}")
    return ref


def order_line_costs(order: Mapping[str, Any], currency: str) -> tuple[InventoryLineCost, ...]:
    """One cost per line; a canceled order shipped nothing and costs nothing."""
    ref = order_ref(order)
    if str(order.get("status", "")).lower() in CANCELED:
        return ()
    lines = order.get("lines") or []
    if not isinstance(lines, Sequence) or isinstance(lines, str):
        raise InventoryDataError(f"order {ref}.lines", "not a list")
    out: list[InventoryLineCost] = []
    for i, line in enumerate(lines):
        path = f"order {ref}.lines[{i}]"
        if not isinstance(line, Mapping):
            raise InventoryDataError(path, "not an object")
        sku = _dig(line, ("product", "item_number"))
        if not isinstance(sku, str) or not sku:
            raise InventoryDataError(f"{path}.product.item_number", f"missing: {sku!r}")
        qty = whole_units(_dig(line, ("quantity", "amount")), f"{path}.quantity.amount")
        minor, missing, exact = unit_cost_minor(
            _dig(line, LINE_COST_PATH), currency, f"{path}.{'.'.join(LINE_COST_PATH)}"
        )
        out.append(InventoryLineCost(ref, sku, qty, minor, missing, SOURCE, exact))
    return tuple(out)
