"""Per-request caches, so one request reads a relation once however often it is used."""

from __future__ import annotations

from strawberry.dataloader import DataLoader

from service.api.context import Context
from service.api.types.store import Store
from service.domain.accounts import Chart
from service.ledger.accounts import CHART_COLUMNS, CHART_ORDER, chart_from_rows
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


# The books and the chart in one round trip: every statement needs both, and
# a statement is a handful of round trips in all.
_BOOKS_AND_CHART = f"""
    SELECT b.current_version, c.currency_code AS currency, {CHART_COLUMNS}
    FROM books b
    LEFT JOIN LATERAL (SELECT s.currency_code FROM stores s WHERE s.company_id = b.company_id
                       ORDER BY s.created_at LIMIT 1) c ON true
    LEFT JOIN accounts a ON a.company_id = b.company_id
    WHERE b.company_id = $1
    ORDER BY {CHART_ORDER}
"""


async def load_books_and_chart(ctx: Context) -> tuple[int, str, Chart]:
    """What load_books and load_chart give, read together when neither is cached yet."""
    if "books" not in ctx.loaders and "chart" not in ctx.loaders:
        rows = await ctx.pool.fetch(_BOOKS_AND_CHART, ctx.company_id)
        if rows:  # no books: load_books says so as it always has
            ctx.loaders["books"] = (rows[0]["current_version"], rows[0]["currency"] or "USD")
            ctx.loaders["chart"] = chart_from_rows([r for r in rows if r["account_key"]])
    version, currency = await load_books(ctx)
    return version, currency, await load_chart(ctx)


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
