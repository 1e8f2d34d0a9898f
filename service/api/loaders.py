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


async def load_books(ctx: Context) -> tuple[int, str]:
    """The journal version readers see, and the currency the books are kept in."""
    cached: tuple[int, str] | None = ctx.loaders.get("books")
    if cached is None:
        row = await ctx.pool.fetchrow(
            "SELECT b.current_version, (SELECT s.currency_code FROM stores s "
            "WHERE s.company_id = b.company_id ORDER BY s.created_at LIMIT 1) AS currency "
            "FROM books b WHERE b.company_id = $1",
            ctx.company_id,
        )
        cached = (row["current_version"], row["currency"] or "USD")
        ctx.loaders["books"] = cached
    return cached
