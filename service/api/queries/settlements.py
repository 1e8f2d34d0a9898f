"""settlements: marketplace settlements and statements, with what needs review;
marketplaceOverlaps: Shopify sources whose sales a marketplace also reports."""

from __future__ import annotations

from uuid import UUID

import strawberry

from service.api.context import Info
from service.api.errors import ClientError
from service.api.ids import decode_uuid, global_id
from service.api.types.connection import Connection, check_first, decode_cursor, page
from service.api.types.settlement import Settlement
from service.ledger.marketplace_overlaps import marketplace_overlaps as overlaps
from service.ledger.settlements import list_settlements


def decode_uuid_text(text: str) -> bool:
    try:
        UUID(text)
    except ValueError:
        return False
    return True


async def settlements(
    info: Info, store_id: strawberry.ID | None = None, first: int = 20, after: str | None = None
) -> Connection[Settlement]:
    ctx = info.context
    check_first(first)
    store = None
    if store_id is not None:
        store = decode_uuid(store_id, "Store")
        if store is None:
            raise ClientError(f"storeId: {store_id!r} is not a store id", "BAD_USER_INPUT")
    key = decode_cursor(after)
    after_key = None
    if isinstance(key, list) and len(key) == 2 and decode_uuid_text(str(key[0])):
        after_key = (str(key[0]), str(key[1]))
    rows = await list_settlements(
        ctx.pool, ctx.company_id, store_id=store, after=after_key, limit=first + 1
    )
    total = await ctx.pool.fetchval(
        "SELECT count(*) FROM settlements WHERE company_id = $1 "
        "AND ($2::uuid IS NULL OR store_id = $2)",
        ctx.company_id,
        store,
    )
    result: Connection[Settlement] = page(
        rows,
        first,
        lambda r: [str(r.store_id), r.settlement_id],
        total,
        lambda r: Settlement.of(r, global_id("Store", r.store_id), ctx.public_url),
    )
    return result


@strawberry.type(
    description="Shopify orders whose source is a connected marketplace, counted twice."
)
class MarketplaceOverlap:
    store_id: strawberry.ID
    source: str = strawberry.field(description="The orders' source, as the store names it.")
    marketplace: str = strawberry.field(description="amazon or tiktok")
    orders: int
    channel_status: str = strawberry.field(description="INCLUDED or SALES_ONLY today.")
    message: str


async def marketplace_overlaps(info: Info) -> list[MarketplaceOverlap]:
    ctx = info.context
    return [
        MarketplaceOverlap(
            store_id=global_id("Store", o.store_id),
            source=o.source,
            marketplace=o.marketplace,
            orders=o.orders,
            channel_status=o.status,
            message=(
                f"{o.orders} orders from source {o.source!r} are also in the {o.marketplace}"
                " settlements: set this source's channel status to EXCLUDED (or COGS_ONLY)"
                " so their sales are not counted twice"
            ),
        )
        for o in await overlaps(ctx.pool, ctx.company_id)
    ]
