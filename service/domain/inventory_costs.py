"""Store SKU costs from what an inventory system shipped (posting rule 9).

Finale Inventory and Goflow record the cost of goods per product when
stock leaves, at the average cost of that moment. A store's SKU is not
always the inventory system's product: a marketplace SKU can point to a
differently named product, and a pack ("MUG-6PK") ships six units of one
product, or one unit each of several. The merchant says so in a SKU
mapping; without one a SKU is its own product, one unit each.

The cost of one store unit is the sum, over the SKU's components, of the
component's units times that product's cost in the order (the shipped
units' cost, averaged by units when it shipped in several rows). A
component shipped without a cost makes the SKU's cost missing, so the
line is listed to be fixed instead of being understated.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from service.domain.money import exponent

MAX_COMPONENTS = 20
MAX_COMPONENT_UNITS = 10_000


@dataclass(frozen=True, slots=True)
class ShippedUnits:
    """Units of one product that left stock for one channel order.

    ``unit_cost`` is the cost per unit exactly as the system recorded it
    (``None``: the system had no cost); ``product_id`` is the system's own
    product identifier, which the merchant's SKU mapping ties to store SKUs.
    """

    order_ref: str
    product_id: str
    units: int
    unit_cost: Decimal | None
    shipped_on: dt.date
    source: str  # "finale", "goflow"


@dataclass(frozen=True, slots=True)
class SkuComponent:
    """``units`` of inventory product ``product_id`` make one unit of a store SKU."""

    product_id: str
    units: int


@dataclass(frozen=True, slots=True)
class SkuCost:
    """The cost of one unit of a store SKU in one order, in minor units."""

    sku: str
    unit_cost: int
    missing: bool
    exact: Decimal | None


def components_of(
    sku: str, mapping: Mapping[str, Sequence[SkuComponent]]
) -> tuple[SkuComponent, ...]:
    """The SKU's mapped components; an unmapped SKU is its own product."""
    return tuple(mapping.get(sku) or (SkuComponent(sku, 1),))


def product_costs(shipped: Iterable[ShippedUnits]) -> dict[str, Decimal | None]:
    """Per product: the units-weighted cost of what shipped, None when any
    shipped units of it had no cost."""
    units: dict[str, int] = {}
    value: dict[str, Decimal | None] = {}
    for row in shipped:
        if row.units <= 0:
            continue
        units[row.product_id] = units.get(row.product_id, 0) + row.units
        held = value.get(row.product_id, Decimal(0))
        if held is None or row.unit_cost is None:
            value[row.product_id] = None
        else:
            value[row.product_id] = held + row.unit_cost * row.units
    return {p: (None if v is None else v / units[p]) for p, v in value.items()}


def to_minor(amount: Decimal, currency: str) -> int:
    return int(amount.scaleb(exponent(currency)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def sku_costs(
    shipped: Sequence[ShippedUnits],
    skus: Iterable[str],
    mapping: Mapping[str, Sequence[SkuComponent]],
    currency: str,
) -> list[SkuCost]:
    """A cost for every SKU of the order whose components shipped; SKUs
    with nothing shipped get no cost (the inventory system has no opinion
    on them, so the product's own costing applies)."""
    by_product = product_costs(shipped)
    out: list[SkuCost] = []
    for sku in sorted(set(skus)):
        parts = components_of(sku, mapping)
        if not any(p.product_id in by_product for p in parts):
            continue
        total: Decimal | None = Decimal(0)
        for part in parts:
            cost = by_product.get(part.product_id)
            total = None if cost is None or total is None else total + cost * part.units
        if total is None or to_minor(total, currency) == 0:
            out.append(SkuCost(sku, 0, True, total))
        else:
            out.append(SkuCost(sku, to_minor(total, currency), False, total))
    return out
