from __future__ import annotations

from datetime import datetime

import strawberry

from service.api.context import Info
from service.api.errors import ClientError
from service.api.ids import decode_uuid
from service.api.types.connection import Connection, check_first, decode_cursor, page
from service.api.types.sync import SyncRun
from service.ledger.sync_runs import list_runs


async def sync_runs(
    info: Info, store_id: strawberry.ID | None = None, first: int = 20, after: str | None = None
) -> Connection[SyncRun]:
    ctx = info.context
    check_first(first)
    store_uuid = None
    if store_id is not None:
        store_uuid = decode_uuid(store_id, "Store")
        if store_uuid is None:
            raise ClientError(f"storeId: {store_id!r} is not a store id", "BAD_USER_INPUT")
    key = decode_cursor(after)
    try:
        before = datetime.fromisoformat(key) if isinstance(key, str) else None
    except ValueError:
        before = None  # not a cursor this API gave out: the first page
    runs = await list_runs(
        ctx.pool, ctx.company_id, store_id=store_uuid, limit=first + 1, before=before
    )
    total = await ctx.pool.fetchval(
        "SELECT count(*) FROM sync_runs WHERE company_id = $1 "
        "AND ($2::uuid IS NULL OR store_id = $2)",
        ctx.company_id,
        store_uuid,
    )
    result: Connection[SyncRun] = page(
        runs, first, lambda r: r.requested_at.isoformat(), total, SyncRun.from_record
    )
    return result
