"""missingCosts and restocks: the cost side of the books, to find and fix."""

from __future__ import annotations

import datetime as dt

import asyncpg
import strawberry

from service.api.context import Info
from service.api.ids import global_id
from service.api.loaders import load_books
from service.api.types.connection import Connection, check_first, decode_cursor, page
from service.api.types.journal import order_global_id
from service.api.types.money import Money


@strawberry.type(description="An order line whose COGS posted at 0 for want of a unit cost.")
class MissingCost:
    order_id: strawberry.ID
    order_name: str
    sku: str | None
    quantity: int
    date: dt.date
    channel: str
    suggested_unit_cost: Money | None = strawberry.field(
        description="The product's current average cost, to prefill a fix."
    )


async def missing_costs(
    info: Info, first: int = 50, after: str | None = None, sku: str | None = None
) -> Connection[MissingCost]:
    ctx = info.context
    check_first(first)
    version, currency = await load_books(ctx)
    key = decode_cursor(after)
    position = key if isinstance(key, list) and len(key) == 3 else None
    rows = await ctx.pool.fetch(
        """
        SELECT m.store_id, m.order_id, m.line_id, m.order_name, m.sku, m.quantity, m.day,
               m.channel, p.average_cost
        FROM missing_costs m LEFT JOIN products p ON p.company_id = m.company_id AND p.sku = m.sku
        WHERE m.company_id = $1 AND m.journal_version = $2 AND ($3::text IS NULL OR m.sku = $3)
          AND ($4::text IS NULL OR (m.store_id::text, m.order_id, m.line_id) > ($4, $5, $6))
        ORDER BY m.store_id::text, m.order_id, m.line_id LIMIT $7
        """,
        ctx.company_id,
        version,
        sku,
        position[0] if position else None,
        position[1] if position else None,
        position[2] if position else None,
        first + 1,
    )
    total = await ctx.pool.fetchval(
        "SELECT count(*) FROM missing_costs WHERE company_id = $1 AND journal_version = $2 "
        "AND ($3::text IS NULL OR sku = $3)",
        ctx.company_id,
        version,
        sku,
    )

    def node(r: asyncpg.Record) -> MissingCost:
        average = r["average_cost"]
        return MissingCost(
            order_id=order_global_id(r["store_id"], r["order_id"]),
            order_name=r["order_name"],
            sku=r["sku"],
            quantity=r["quantity"],
            date=r["day"],
            channel=r["channel"],
            suggested_unit_cost=Money.of(average, currency) if average else None,
        )

    result: Connection[MissingCost] = page(
        rows, first, lambda r: [str(r["store_id"]), r["order_id"], r["line_id"]], total, node
    )
    return result


@strawberry.type(description="A restock reported by hand.")
class Restock:
    id: strawberry.ID
    store_id: strawberry.ID
    channel: str
    kind: str = strawberry.field(description="CHANNEL (an amount for a period) or SKU (units).")
    period_start: dt.date
    period_end: dt.date
    sku: str | None
    units: int | None
    amount: Money


async def restocks(info: Info, store_id: strawberry.ID | None = None) -> list[Restock]:
    """Every restock reported, newest period first."""
    ctx = info.context
    _, currency = await load_books(ctx)
    rows = await ctx.pool.fetch(
        """
        SELECT 'CHANNEL' AS kind, restock_id::text AS rid, store_id, channel, period_start,
               period_end, NULL AS sku, NULL::int AS units, amount
        FROM channel_restocks WHERE company_id = $1
        UNION ALL
        SELECT 'SKU', sku || '@' || channel || '@' || to_char(month, 'YYYY-MM'), store_id,
               channel, month,
               (date_trunc('month', month) + interval '1 month - 1 day')::date, sku, units,
               -(units::bigint * unit_cost)
        FROM sku_restocks WHERE company_id = $1
        ORDER BY 6 DESC, 2
        """,
        ctx.company_id,
    )
    return [
        Restock(
            id=global_id("Restock", f"{r['kind']}:{r['store_id']}:{r['rid']}"),
            store_id=global_id("Store", r["store_id"]),
            channel=r["channel"],
            kind=r["kind"],
            period_start=r["period_start"],
            period_end=r["period_end"],
            sku=r["sku"],
            units=r["units"],
            amount=Money.of(r["amount"], currency),
        )
        for r in rows
        if store_id is None or global_id("Store", r["store_id"]) == store_id
    ]
