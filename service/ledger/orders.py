"""The order list: summaries kept by every re-post, filtered by tab."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from uuid import UUID

import asyncpg

TABS: dict[str, str] = {
    "ALL": "true",
    # Seed 002's Unpaid tab: unpaid, partially paid, manually paid, overpaid.
    "UNPAID": "open_balance <> 0",
    "UNFULFILLED": "fulfillment_status IN ('UNFULFILLED', 'PARTIALLY_FULFILLED')",
    "REFUNDED": "refunded",
    "VOID": "books_status = 'VOID'",
    "EXCLUDED": "books_status = 'EXCLUDED'",
    "GIVEAWAY": "books_status = 'GIVEAWAY'",
    "COGS_ONLY": "books_status = 'COGS_ONLY'",
    # Orders keeping their last good entries while they wait (13.5).
    "NEEDS_DATA": "books_status IN ('NEEDS_DATA', 'ERROR')",
    # Lines whose COGS posted at 0 for want of a unit cost (seeds 001/004).
    "MISSING_COSTS": "missing_costs > 0",
}


@dataclass(frozen=True, slots=True)
class OrderSummary:
    store_id: UUID
    order_id: str
    name: str
    placed_at: dt.datetime
    source: str
    currency_code: str
    total: int
    open_balance: int
    payment_status: str
    fulfillment_status: str
    books_status: str
    refunded: bool
    missing_costs: int
    posting_error: str | None
    recognized_on: dt.date | None


COLUMNS = (
    "store_id, order_id, name, placed_at, source, currency_code, total, open_balance, "
    "payment_status, fulfillment_status, books_status, refunded, missing_costs, posting_error, "
    "recognized_on"
)


@dataclass(frozen=True, slots=True)
class OrderFilter:
    tab: str = "ALL"
    name: str | None = None
    store_id: UUID | None = None


def _where(f: OrderFilter) -> str:
    return (
        f"company_id = $1 AND journal_version = $2 AND ({TABS[f.tab]}) "
        "AND ($3::text IS NULL OR name ILIKE '%' || $3 || '%') "
        "AND ($4::uuid IS NULL OR store_id = $4)"
    )


async def list_orders(
    conn: asyncpg.Connection | asyncpg.Pool,
    company_id: UUID,
    version: int,
    f: OrderFilter,
    *,
    limit: int,
    after: tuple[dt.datetime, UUID, str] | None,
) -> list[OrderSummary]:
    rows = await conn.fetch(
        f"""
        SELECT {COLUMNS} FROM order_summaries
        WHERE {_where(f)}
          AND ($5::timestamptz IS NULL OR (placed_at, store_id, order_id) < ($5, $6, $7))
        ORDER BY placed_at DESC, store_id DESC, order_id DESC
        LIMIT $8
        """,
        company_id,
        version,
        f.name,
        f.store_id,
        after[0] if after else None,
        after[1] if after else None,
        after[2] if after else None,
        limit,
    )
    return [OrderSummary(**dict(r)) for r in rows]


async def count_orders(
    conn: asyncpg.Connection | asyncpg.Pool, company_id: UUID, version: int, f: OrderFilter
) -> int:
    count: int = await conn.fetchval(
        f"SELECT count(*) FROM order_summaries WHERE {_where(f)}",
        company_id,
        version,
        f.name,
        f.store_id,
    )
    return count


async def orders_by_keys(
    conn: asyncpg.Connection | asyncpg.Pool,
    company_id: UUID,
    version: int,
    keys: list[tuple[UUID, str]],
) -> dict[tuple[UUID, str], OrderSummary]:
    rows = await conn.fetch(
        f"""
        SELECT {COLUMNS} FROM order_summaries s
        JOIN unnest($3::uuid[], $4::text[]) AS k(store_id, order_id) USING (store_id, order_id)
        WHERE s.company_id = $1 AND s.journal_version = $2
        """,
        company_id,
        version,
        [k[0] for k in keys],
        [k[1] for k in keys],
    )
    found = [OrderSummary(**dict(r)) for r in rows]
    return {(o.store_id, o.order_id): o for o in found}
