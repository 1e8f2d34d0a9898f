from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import strawberry
from strawberry import relay

from service.api.types.settings_enums import FulfillmentTracking
from service.ledger.companies import Store as StoreRecord


@strawberry.type(description="A sales channel account of the company, such as a Shopify shop.")
class Store(relay.Node):
    store_id: relay.NodeID[str]
    name: str
    platform: str
    shop_domain: str | None
    timezone: str
    currency_code: str
    fulfillment_tracking: FulfillmentTracking

    @classmethod
    def from_record(cls, store: StoreRecord) -> Store:
        return cls(
            store_id=str(store.store_id),
            name=store.name,
            platform=store.platform,
            shop_domain=store.shop_domain,
            timezone=store.timezone,
            currency_code=store.currency_code,
            fulfillment_tracking=FulfillmentTracking(store.fulfillment_tracking),
        )

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Any, node_ids: Iterable[str], required: bool = False
    ) -> list[Store | None]:
        from service.api.loaders import load_stores

        ids = list(node_ids)
        found = await load_stores(info.context)
        return [found.get(i) for i in ids]
