"""One order's stored history, read back for people to see (the order page)."""

from __future__ import annotations

from uuid import UUID

import asyncpg

from service.domain.history import OrderHistory
from service.ledger.codec import decode_record


async def order_history(
    conn: asyncpg.Connection | asyncpg.Pool, company_id: UUID, store_id: UUID, order_id: str
) -> OrderHistory | None:
    """The order and its events as the books were last given them; None if not stored."""
    raw = await conn.fetchval(
        "SELECT history FROM order_sources WHERE company_id = $1 AND store_id = $2 "
        "AND order_id = $3",
        company_id,
        store_id,
        order_id,
    )
    if raw is None:
        return None
    history: OrderHistory = decode_record(raw)
    return history
