from __future__ import annotations

import strawberry

from service.api.ids import global_id
from service.ledger.products import ProductRecord


@strawberry.type(description="A product, by the SKU order lines carry.")
class Product:
    id: strawberry.ID
    sku: str
    title: str

    @classmethod
    def from_record(cls, p: ProductRecord) -> Product:
        return cls(id=global_id("Product", p.sku), sku=p.sku, title=p.title)
