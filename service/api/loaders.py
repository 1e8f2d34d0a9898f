"""Per-request caches, so one request reads a relation once however often it is used."""

from __future__ import annotations

from strawberry.dataloader import DataLoader

from service.api.context import Context
from service.api.types.store import Store
from service.domain.accounts import Chart
from service.ledger.accounts import load_chart as chart_of
from service.ledger.companies import list_stores
from service.ledger.ingest import RawEvent
from service.ledger.source_events import OrderKey, events_of_orders, index_mentions


async def load_stores(ctx: Context) -> dict[str, Store]:
    cached: dict[str, Store] | None = ctx.loaders.get("stores")
    if cached is None:
        cached = {
            str(s.store_id): Store.from_record(s)
            for s in await list_stores(ctx.pool, ctx.company_id)
        }
        ctx.loaders["stores"] = cached
    return cached


async def load_chart(ctx: Context) -> Chart:
    """The company's chart of accounts, read once per request."""
    cached: Chart | None = ctx.loaders.get("chart")
    if cached is None:
        cached = await chart_of(ctx.pool, ctx.company_id)
        ctx.loaders["chart"] = cached
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


OrderEvents = tuple[list[RawEvent], dict[str, list[RawEvent]]]


def order_events_loader(ctx: Context) -> DataLoader[OrderKey, OrderEvents]:
    """The raw events of the orders on a page, read in one query, each with
    its index of the object ids its bodies mention (parsed once a request)."""
    loader: DataLoader[OrderKey, OrderEvents] | None = ctx.loaders.get("order_events")
    if loader is None:

        async def load(keys: list[OrderKey]) -> list[OrderEvents]:
            found = await events_of_orders(ctx.pool, ctx.company_id, keys)
            return [(found[k], index_mentions(found[k])) for k in keys]

        loader = DataLoader(load_fn=load)
        ctx.loaders["order_events"] = loader
    return loader
