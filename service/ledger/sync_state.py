"""Where a store's channel sync resumes, and what it brings in besides orders.

``sync_state`` holds a store's resume points: the newest ``updated_at``
fully synced (an incremental sync starts just before it), when the first
backfill completed, and the processor's own cursor for payouts. The
records a sync brings in besides orders (the catalog's unit costs,
processor payouts and balance transactions) are stored here too, each
re-posting what it changes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any
from uuid import UUID

import asyncpg

from service.domain.processor import BalanceTransaction, Payout
from service.ledger.bank_match import match_payouts
from service.ledger.codec import encode
from service.ledger.order_posting import repost_order
from service.ledger.processor_posting import repost_processor_record


async def orders_synced_through(
    conn: asyncpg.Connection | asyncpg.Pool, company_id: UUID, store_id: UUID
) -> dt.datetime | None:
    through: dt.datetime | None = await conn.fetchval(
        "SELECT orders_synced_through FROM sync_state WHERE company_id = $1 AND store_id = $2",
        company_id,
        store_id,
    )
    return through


async def mark_orders_synced(
    conn: asyncpg.Connection,
    company_id: UUID,
    store_id: UUID,
    through: dt.datetime | None,
    *,
    backfill: bool,
) -> None:
    """Orders are synced through ``through`` (never moved back); a backfill
    also notes that the store's whole history is in."""
    await conn.execute(
        """
        INSERT INTO sync_state (company_id, store_id, orders_synced_through, backfill_completed_at)
        VALUES ($1, $2, $3, CASE WHEN $4 THEN now() END)
        ON CONFLICT (company_id, store_id) DO UPDATE SET
            orders_synced_through = greatest(sync_state.orders_synced_through,
                                             excluded.orders_synced_through),
            backfill_completed_at = coalesce(excluded.backfill_completed_at,
                                             sync_state.backfill_completed_at)
        """,
        company_id,
        store_id,
        through,
        backfill,
    )


async def payouts_cursor(
    conn: asyncpg.Connection | asyncpg.Pool, company_id: UUID, store_id: UUID
) -> Any:
    return await conn.fetchval(
        "SELECT payouts_cursor FROM sync_state WHERE company_id = $1 AND store_id = $2",
        company_id,
        store_id,
    )


async def mark_payouts_synced(
    conn: asyncpg.Connection, company_id: UUID, store_id: UUID, cursor: dict[str, Any]
) -> None:
    await conn.execute(
        """
        INSERT INTO sync_state (company_id, store_id, payouts_cursor) VALUES ($1, $2, $3)
        ON CONFLICT (company_id, store_id) DO UPDATE SET payouts_cursor = excluded.payouts_cursor
        """,
        company_id,
        store_id,
        cursor,
    )


async def store_currency(
    conn: asyncpg.Connection | asyncpg.Pool, company_id: UUID, store_id: UUID
) -> str:
    """The store's currency (a store always has one)."""
    currency: str = await conn.fetchval(
        "SELECT currency_code FROM stores WHERE company_id = $1 AND store_id = $2",
        company_id,
        store_id,
    )
    return currency


async def save_channel_costs(
    conn: asyncpg.Connection,
    company_id: UUID,
    variants: Iterable[tuple[str, str, int | None]],
) -> None:
    """Products and the channel's unit costs, as (sku, title, unit cost in
    minor units or None); orders costed by a changed one are re-posted."""
    changed: list[str] = []
    for sku, title, unit_cost in variants:
        moved = await conn.fetchval(
            """
            INSERT INTO products (company_id, sku, title, channel_unit_cost)
            VALUES ($1, $2, $3, $4)
            ON CONFLICT (company_id, sku) DO UPDATE
                SET title = excluded.title, channel_unit_cost = excluded.channel_unit_cost
                WHERE products.channel_unit_cost IS DISTINCT FROM excluded.channel_unit_cost
                   OR products.title <> excluded.title
            RETURNING channel_unit_cost IS NOT NULL
            """,
            company_id,
            sku,
            title,
            unit_cost,
        )
        if moved is not None:
            changed.append(sku)
    rows = await conn.fetch(
        "SELECT DISTINCT store_id, order_id FROM order_skus WHERE company_id = $1 "
        "AND sku = any($2::text[]) ORDER BY 1, 2",
        company_id,
        changed,
    )
    for r in rows:
        await repost_order(conn, company_id, r["store_id"], r["order_id"])


async def save_processor_records(
    conn: asyncpg.Connection,
    company_id: UUID,
    store_id: UUID,
    payouts: tuple[Payout, ...],
    balance_transactions: tuple[BalanceTransaction, ...],
) -> tuple[int, int]:
    """Store a processor's payouts and balance transactions; each one that
    changed is re-posted. Returns how many of each were given."""
    rows = [(company_id, store_id, "payout", p.id, encode(p)) for p in payouts] + [
        (company_id, store_id, "balance_transaction", b.id, encode(b)) for b in balance_transactions
    ]
    for row in rows:
        changed = await conn.fetchval(
            """
            INSERT INTO processor_records (company_id, store_id, record_type, record_id, record)
            VALUES ($1, $2, $3, $4, $5)
            ON CONFLICT (company_id, store_id, record_type, record_id) DO UPDATE
                SET record = excluded.record, changed_at = now()
                WHERE processor_records.record <> excluded.record
            RETURNING true
            """,
            *row,
        )
        if changed:
            await repost_processor_record(conn, company_id, store_id, row[2], row[3])
    if payouts:
        # Bank lines imported before their payout was synced are matched now.
        await match_payouts(conn, company_id)
    return len(payouts), len(balance_transactions)
