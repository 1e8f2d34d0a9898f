from __future__ import annotations

from typing import Annotated

import strawberry

from service.api.context import Info
from service.api.ids import decode_uuid
from service.api.types.gateway import GatewayMapping
from service.ledger.gateways import list_mappings


async def gateway_mappings(
    info: Info,
    store_id: strawberry.ID | None = None,
    needs_review: Annotated[
        bool | None,
        strawberry.argument(description="true: only gateways seen but not yet reviewed."),
    ] = None,
) -> list[GatewayMapping]:
    ctx = info.context
    store = decode_uuid(store_id, "Store") if store_id is not None else None
    if store_id is not None and store is None:
        return []
    records = await list_mappings(ctx.pool, ctx.company_id, store, needs_review)
    return [GatewayMapping.from_record(r) for r in records]
