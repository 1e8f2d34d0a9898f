"""Finale Inventory payloads -> ``InventoryLineCost``.

Finale imports a Shopify order as a SALES_ORDER whose ``orderId`` is the
channel's order reference, with one ``orderItemList`` entry per line
(``productId`` is the SKU). Finale values a sale at the product's average
cost; that per-line cost is read from ``ITEM_COST_FIELD``. Finale's REST
reference does not document a per-item cost field on orders, so the name
is kept in this one constant to adjust against a live account.

Collections (``GET /api/order/``) come column-major: one array per field,
row ``i`` spread across ``payload[field][i]``.
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

SOURCE = "finale"
ITEM_COST_FIELD = "unitCost"
SALES_ORDER = "SALES_ORDER"
CANCELLED = "ORDER_CANCELLED"


def is_costable(order: Mapping[str, Any]) -> bool:
    """Only live sales orders carry costs of goods sold: a purchase order's
    item cost is what was paid, and a cancelled order shipped nothing."""
    kind = order.get("orderTypeId", SALES_ORDER)
    return kind == SALES_ORDER and order.get("statusId") != CANCELLED


def order_line_costs(
    order: Mapping[str, Any], currency: str, order_ref: str | None = None
) -> tuple[InventoryLineCost, ...]:
    """One cost per ``orderItemList`` entry, in Finale's order."""
    ref = order_ref or order.get("orderId")
    if not isinstance(ref, str) or not ref:
        raise InventoryDataError("orderId", f"missing or not text: {ref!r}")
    if not is_costable(order):
        return ()
    items = order.get("orderItemList") or []
    if not isinstance(items, Sequence) or isinstance(items, str):
        raise InventoryDataError(f"order {ref}.orderItemList", "not a list")
    out: list[InventoryLineCost] = []
    for i, item in enumerate(items):
        path = f"order {ref}.orderItemList[{i}]"
        if not isinstance(item, Mapping):
            raise InventoryDataError(path, "not an object")
        sku = item.get("productId")
        if not isinstance(sku, str) or not sku:
            raise InventoryDataError(f"{path}.productId", f"missing or not text: {sku!r}")
        qty = whole_units(item.get("quantity"), f"{path}.quantity")
        minor, missing, exact = unit_cost_minor(
            item.get(ITEM_COST_FIELD), currency, f"{path}.{ITEM_COST_FIELD}"
        )
        out.append(InventoryLineCost(ref, sku, qty, minor, missing, SOURCE, exact))
    return tuple(out)


def rows(collection: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Column-major collection -> one dict per entity."""
    columns = {k: v for k, v in collection.items() if isinstance(v, list)}
    lengths = {len(v) for v in columns.values()}
    if len(lengths) > 1:
        raise InventoryDataError("collection", f"columns of different lengths: {sorted(lengths)}")
    n = lengths.pop() if lengths else 0
    return [{k: v[i] for k, v in columns.items()} for i in range(n)]
