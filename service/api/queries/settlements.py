"""settlements: marketplace settlements and statements, with what needs review."""

from __future__ import annotations

from uuid import UUID

import strawberry

from service.api.context import Info
from service.api.errors import ClientError
from service.api.ids import decode_uuid, global_id
from service.api.types.connection import Connection, check_first, decode_cursor, page
from service.api.types.settlement import Settlement
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
