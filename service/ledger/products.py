"""Products by SKU, as the books know them.

A SKU becomes a product the first time an order line (or a channel's
catalog) names it, so that every SKU the books post COGS for can be found,
costed and reported on.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from uuid import UUID

import asyncpg

from service.domain.history import OrderHistory


@dataclass(frozen=True, slots=True)
class ProductRecord:
    sku: str
    title: str
    channel_unit_cost: int | None
    on_hand: int
    average_cost: int | None
    inventory_value: int


def first_titles(histories: Iterable[OrderHistory]) -> dict[str, str]:
    """Each SKU the histories sell, with the title of the first line naming it."""
    seen: dict[str, str] = {}
    for history in histories:
        for line in history.order.lines:
            if line.sku and not line.gift_card and line.sku not in seen:
                seen[line.sku] = line.title
    return seen


def product_rows(company_id: UUID, histories: Iterable[OrderHistory]) -> list[tuple[object, ...]]:
    seen = first_titles(histories)
    return [(company_id, sku, title) for sku, title in sorted(seen.items())]


async def remember_products(
    conn: asyncpg.Connection, company_id: UUID, histories: Iterable[OrderHistory]
) -> None:
    await remember_titles(conn, company_id, first_titles(histories))


async def remember_titles(
    conn: asyncpg.Connection, company_id: UUID, titles: dict[str, str]
) -> None:
    """SKUs not yet known become products (an existing product keeps its title)."""
    rows = sorted(titles.items())
    if rows:  # one statement for the batch: a full re-post passes thousands of orders
        await conn.execute(
            "INSERT INTO products (company_id, sku, title) "
            "SELECT $1, sku, title FROM unnest($2::text[], $3::text[]) AS t(sku, title) "
            "ON CONFLICT (company_id, sku) DO NOTHING",
            company_id,
            [r[0] for r in rows],
            [r[1] for r in rows],
        )


async def list_products(
    conn: asyncpg.Connection | asyncpg.Pool,
    company_id: UUID,
    *,
    sku: str | None,
    limit: int,
    after: str | None,
    exact: str | None = None,
) -> list[ProductRecord]:
    rows = await conn.fetch(
        "SELECT sku, title, channel_unit_cost, on_hand, average_cost, inventory_value "
        "FROM products WHERE company_id = $1 "
        "AND ($2::text IS NULL OR sku ILIKE '%' || $2 || '%') "
        "AND ($3::text IS NULL OR sku > $3) AND ($5::text IS NULL OR sku = $5) "
        "ORDER BY sku LIMIT $4",
        company_id,
        sku,
        after,
        limit,
        exact,
    )
    return [ProductRecord(**dict(r)) for r in rows]


async def count_products(
    conn: asyncpg.Connection | asyncpg.Pool, company_id: UUID, *, sku: str | None
) -> int:
    count: int = await conn.fetchval(
        "SELECT count(*) FROM products WHERE company_id = $1 "
        "AND ($2::text IS NULL OR sku ILIKE '%' || $2 || '%')",
        company_id,
        sku,
    )
    return count
