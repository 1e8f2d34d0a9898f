"""Orders waiting for a part of their history to be fetched again.

A history that cannot post yet (posting rule 13.5) and an order edit both
need the order read again from its channel: webhooks arrive in any order
and some never arrive. Each waiting order has one row here, with the
reason, the attempts made and when to try next, so the wait is visible
(the order shows NEEDS_DATA) and bounded (after ``MAX_ATTEMPTS`` the row
stays, with its last error, for a person to look at; nothing retries it
for ever).
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

import asyncpg

MAX_ATTEMPTS = 8
FIRST_DELAY_SECONDS = 30


@dataclass(frozen=True, slots=True)
class Refetch:
    company_id: UUID
    store_id: UUID
    order_id: str
    reason: str
    attempts: int


async def request_refetch(
    conn: asyncpg.Connection, company_id: UUID, store_id: UUID, order_id: str, reason: str
) -> None:
    """Ask for the order to be read again (a repeated ask keeps its place)."""
    await conn.execute(
        """
        INSERT INTO order_refetches (company_id, store_id, order_id, reason)
        VALUES ($1, $2, $3, $4)
        ON CONFLICT (company_id, store_id, order_id) DO UPDATE SET reason = excluded.reason
        """,
        company_id,
        store_id,
        order_id,
        reason[:2000],
    )


async def forget_refetch(
    conn: asyncpg.Connection, company_id: UUID, store_id: UUID, order_id: str
) -> None:
    await conn.execute(
        "DELETE FROM order_refetches WHERE company_id = $1 AND store_id = $2 AND order_id = $3",
        company_id,
        store_id,
        order_id,
    )


async def due_refetches(
    pool: asyncpg.Pool, limit: int = 50, company_id: UUID | None = None
) -> list[Refetch]:
    rows = await pool.fetch(
        "SELECT company_id, store_id, order_id, reason, attempts FROM order_refetches "
        "WHERE next_attempt_at <= now() AND attempts < $1 "
        "AND ($3::uuid IS NULL OR company_id = $3) ORDER BY next_attempt_at LIMIT $2",
        MAX_ATTEMPTS,
        limit,
        company_id,
    )
    return [Refetch(**dict(r)) for r in rows]


async def record_attempt(
    conn: asyncpg.Connection | asyncpg.Pool, r: Refetch, error: str | None
) -> None:
    """Count an attempt; the next waits twice as long as the last."""
    await conn.execute(
        """
        UPDATE order_refetches SET attempts = attempts + 1, last_error = $4,
               next_attempt_at = now() + make_interval(secs => $5 * power(2, attempts))
        WHERE company_id = $1 AND store_id = $2 AND order_id = $3
        """,
        r.company_id,
        r.store_id,
        r.order_id,
        None if error is None else error[:2000],
        float(FIRST_DELAY_SECONDS),
    )


async def waiting_orders_count(conn: asyncpg.Connection | asyncpg.Pool, company_id: UUID) -> int:
    count: int = await conn.fetchval(
        "SELECT count(*) FROM order_refetches WHERE company_id = $1", company_id
    )
    return count
