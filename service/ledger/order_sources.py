"""What storebooks knows of each order, whichever channel it came from.

A channel may tell the same story more than once (Shopify's webhooks and
its synced orders, say). Each way it tells it is a source view of the
order, kept under the view's name in ``views``, as the channel's connector
left it; the connector merges the views into one order history, stored
beside them as ``history`` for the posting engine to read. The ledger only
keeps them: what a view holds and how views merge is the connector's.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import asyncpg

from service.domain.history import OrderHistory
from service.ledger.codec import encode


@dataclass(frozen=True, slots=True)
class OrderUpdate:
    order_id: str
    changed: bool


async def lock_views(
    conn: asyncpg.Connection, company_id: UUID, store_id: UUID, order_id: str
) -> dict[str, Any]:
    """The order's source views by name, its row locked until the transaction
    ends (created empty when the order is new).

    One round trip: the row is created, or the existing one locked. When
    another transaction created it after this statement's snapshot, neither
    part returns it, and the row is locked again on its own."""
    rows = await conn.fetch(
        "WITH new AS (INSERT INTO order_sources (company_id, store_id, order_id) "
        "VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING views), "
        "held AS (SELECT views FROM order_sources "
        "WHERE company_id = $1 AND store_id = $2 AND order_id = $3 FOR UPDATE) "
        "SELECT views FROM new UNION ALL SELECT views FROM held",
        company_id,
        store_id,
        order_id,
    )
    if not rows:
        views = await conn.fetchval(
            "SELECT views FROM order_sources "
            "WHERE company_id = $1 AND store_id = $2 AND order_id = $3 FOR UPDATE",
            company_id,
            store_id,
            order_id,
        )
        return dict(views or {})
    return dict(rows[0]["views"] or {})


async def save_views(
    conn: asyncpg.Connection,
    company_id: UUID,
    store_id: UUID,
    order_id: str,
    views: dict[str, Any],
    history: OrderHistory | None,
    source_updated_at: dt.datetime | None,
) -> None:
    """Store the order's views and the history merged from them."""
    await conn.execute(
        """
        UPDATE order_sources SET views = $4, history = $5,
               history_posted = coalesce(good_history = $5::jsonb, false),
               source_updated_at = $6, history_error = NULL, changed_at = now()
        WHERE company_id = $1 AND store_id = $2 AND order_id = $3
        """,
        company_id,
        store_id,
        order_id,
        views,
        encode(history) if history is not None else None,
        source_updated_at,
    )


async def stored_histories(
    conn: asyncpg.Connection | asyncpg.Pool, company_id: UUID, store_id: UUID
) -> dict[str, Any]:
    rows = await conn.fetch(
        "SELECT order_id, history FROM order_sources WHERE company_id = $1 AND store_id = $2",
        company_id,
        store_id,
    )
    return {r["order_id"]: r["history"] for r in rows}
