"""Store SKU costs from shipped products: mapping, packs, bundles, missing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from service.domain.inventory_costs import ShippedUnits, SkuComponent, SkuCost, sku_costs

DAY = dt.date(2025, 3, 3)


def shipped(product: str, units: int, cost: str | None) -> ShippedUnits:
    return ShippedUnits("#1", product, units, None if cost is None else Decimal(cost), DAY, "t")


def test_an_unmapped_sku_is_its_own_product() -> None:
    got = sku_costs([shipped("MUG", 2, "4.10")], ["MUG"], {}, "USD")
    assert got == [SkuCost("MUG", 410, False, Decimal("4.10"))]


def test_a_pack_costs_its_units_and_a_bundle_its_parts() -> None:
    mapping = {
        "MUG-6PK": (SkuComponent("MUG", 6),),
        "GIFT-SET": (SkuComponent("MUG", 1), SkuComponent("CAP", 2)),
    }
    rows = [shipped("MUG", 6, "4.10"), shipped("MUG", 1, "4.10"), shipped("CAP", 2, "2.005")]
    got = {c.sku: c.unit_cost for c in sku_costs(rows, ["MUG-6PK", "GIFT-SET"], mapping, "USD")}
    assert got == {"MUG-6PK": 2460, "GIFT-SET": 811}  # 4.10 + 2 x 2.005 = 8.11


def test_rows_of_one_product_are_averaged_by_units() -> None:
    rows = [shipped("MUG", 1, "4.00"), shipped("MUG", 3, "5.00")]
    (cost,) = sku_costs(rows, ["MUG"], {}, "USD")
    assert (cost.unit_cost, cost.exact) == (475, Decimal("4.75"))


def test_a_component_without_cost_makes_the_sku_missing() -> None:
    mapping = {"GIFT-SET": (SkuComponent("MUG", 1), SkuComponent("CAP", 1))}
    rows = [shipped("MUG", 1, "4.10"), shipped("CAP", 1, None)]
    (cost,) = sku_costs(rows, ["GIFT-SET"], mapping, "USD")
    assert (cost.unit_cost, cost.missing) == (0, True)


def test_skus_with_nothing_shipped_get_no_cost_and_other_currencies_round_right() -> None:
    assert sku_costs([shipped("MUG", 1, "4.10")], ["TEE"], {}, "USD") == []
    (yen,) = sku_costs([shipped("MUG", 1, "410.5")], ["MUG"], {}, "JPY")
    assert yen.unit_cost == 411
