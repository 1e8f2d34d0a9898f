"""How far a background job has got, read from what the job itself saves.

A full re-post saves its build cursor in the `books` row after each batch
(the last order posted, then the processor records, then the balances);
the share of orders at or before the cursor is its progress. Read-only:
nothing here changes how a re-post runs.
"""

from __future__ import annotations

from uuid import UUID

import asyncpg

ORDERS_SHARE = 0.9  # the orders are most of the work; processor records and balances the rest


async def job_progress(
    conn: asyncpg.Connection | asyncpg.Pool, company_id: UUID, job_id: str, status: str
) -> float | None:
    """0 to 1; None when the job saves nothing to measure it by."""
    if status == "SUCCEEDED":
        return 1.0
    if status == "QUEUED":
        return 0.0
    books = await conn.fetchrow(
        "SELECT build_job_id, build_cursor FROM books WHERE company_id = $1", company_id
    )
    if books is None or books["build_job_id"] != job_id:
        return None
    cursor: str = books["build_cursor"] or ""
    if cursor.startswith("order:"):
        return ORDERS_SHARE * await _orders_share(conn, company_id, cursor)
    return {"": 0.0, "processor": ORDERS_SHARE, "done": 0.95, "balanced": 0.98}.get(cursor)


async def _orders_share(
    conn: asyncpg.Connection | asyncpg.Pool, company_id: UUID, cursor: str
) -> float:
    _, store, order = cursor.split(":", 2)
    row = await conn.fetchrow(
        "SELECT count(*) FILTER (WHERE (store_id, order_id) <= ($2::uuid, $3)) AS done, "
        "count(*) AS total FROM order_sources WHERE company_id = $1 AND history IS NOT NULL",
        company_id,
        store,
        order,
    )
    return float(row["done"]) / row["total"] if row["total"] else 1.0
