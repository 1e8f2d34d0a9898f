"""Per-request caches, so one request reads a relation once however often it is used."""

from __future__ import annotations

from service.api.context import Context
from service.api.types.store import Store
from service.ledger.companies import list_stores


async def load_stores(ctx: Context) -> dict[str, Store]:
    cached: dict[str, Store] | None = ctx.loaders.get("stores")
    if cached is None:
        cached = {
            str(s.store_id): Store.from_record(s)
            for s in await list_stores(ctx.pool, ctx.company_id)
        }
        ctx.loaders["stores"] = cached
    return cached
