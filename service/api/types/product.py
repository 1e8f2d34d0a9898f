from __future__ import annotations

import strawberry

from service.api.ids import global_id
from service.api.types.money import Money
from service.ledger.products import ProductRecord


@strawberry.type(description="A product, by the SKU order lines carry.")
class Product:
    id: strawberry.ID
    sku: str
    title: str
    on_hand: int = strawberry.field(description="Units on hand after every purchase and sale.")
    average_cost: Money | None
    inventory_value: Money
    channel_unit_cost: Money | None = strawberry.field(
        description="The sales channel's own unit cost (Shopify's), the last resort for COGS."
    )

    @classmethod
    def from_record(cls, p: ProductRecord, currency: str) -> Product:
        return cls(
            id=global_id("Product", p.sku),
            sku=p.sku,
            title=p.title,
            on_hand=p.on_hand,
            average_cost=Money.of(p.average_cost, currency) if p.average_cost is not None else None,
            inventory_value=Money.of(p.inventory_value, currency),
            channel_unit_cost=(
                Money.of(p.channel_unit_cost, currency) if p.channel_unit_cost is not None else None
            ),
        )
