"""Order actions and channel statuses: inputs a person sets, re-posted at once.

An order action replaces the order's status (posting rules section 3) and
re-posts that order in the same transaction. A channel status change
re-posts every order of that store and channel in a background job, in
batches, each batch in its own transaction.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from uuid import UUID

import asyncpg

from service.ledger.jobs import JobRecord, finish_job, record_job, start_job
from service.ledger.order_posting import current_version, repost_order
from service.ledger.settlements import repost_store_settlements

ACTION_STATUS = {
    "VOID": "VOID",
    "CLOSE_UNCOLLECTED": "UNCOLLECTIBLE",
    "CLOSE_OVERCOLLECTED": "OVERCOLLECTED",
    "GIVEAWAY": "GIVEAWAY",
    "COGS_ONLY": "COGS_ONLY",
    "EXCLUDE": "EXCLUDED",
    "INCLUDE": "INCLUDED",
}
CHANNEL_REPOST = "channel_repost"
CHANNEL_FUNCTION = "repost_channel"
BATCH = 500


async def apply_order_action(
    conn: asyncpg.Connection,
    company_id: UUID,
    keys: list[tuple[UUID, str]],
    action: str,
    date: dt.date | None,
) -> None:
    """Set the orders' status and re-post them, inside the caller's transaction."""
    status = ACTION_STATUS[action]
    for store_id, order_id in sorted(keys):
        await conn.execute(
            """
            INSERT INTO order_overrides (company_id, store_id, order_id, status, action_date)
            VALUES ($1, $2, $3, $4, $5)
            ON CONFLICT (company_id, store_id, order_id) DO UPDATE
                SET status = excluded.status, action_date = excluded.action_date,
                    updated_at = now()
            """,
            company_id,
            store_id,
            order_id,
            status,
            date,
        )
        await repost_order(conn, company_id, store_id, order_id)


def channel_job_id(company_id: UUID, store_id: UUID, source: str, stamp: dt.datetime) -> str:
    return f"channel:{company_id}:{store_id}:{source}:{int(stamp.timestamp() * 1_000_000)}"


async def set_channel_status(
    conn: asyncpg.Connection, company_id: UUID, store_id: UUID, source: str, status: str
) -> JobRecord | None:
    """Store the status; returns the re-post job to enqueue after commit (None: unchanged)."""
    row = await conn.fetchrow(
        """
        INSERT INTO channel_statuses (company_id, store_id, source, status)
        VALUES ($1, $2, $3, $4)
        ON CONFLICT (company_id, store_id, source) DO UPDATE
            SET status = excluded.status, updated_at = now()
            WHERE channel_statuses.status <> excluded.status
        RETURNING updated_at
        """,
        company_id,
        store_id,
        source,
        status,
    )
    if row is None:
        return None
    job_id = channel_job_id(company_id, store_id, source, row["updated_at"])
    payload: dict[str, Any] = {"storeId": str(store_id), "source": source, "after": ""}
    return await record_job(conn, company_id, job_id, CHANNEL_REPOST, payload)


async def run_channel_repost(pool: asyncpg.Pool, company_id: UUID, job_id: str) -> bool:
    """Re-post the channel's orders in batches; the saved position makes a retry
    resume. A marketplace account's settlements are posted again at the end."""
    async with pool.acquire() as conn, conn.transaction():
        job = await start_job(conn, company_id, job_id)
    if job is None:
        return False
    store_id = UUID(job.payload["storeId"])
    source = job.payload.get("source")  # None: every order of the store
    after = job.payload.get("after", "")
    while True:
        async with pool.acquire() as conn, conn.transaction():
            version, _ = await current_version(conn, company_id)
            rows = await conn.fetch(
                "SELECT order_id FROM order_summaries WHERE company_id = $1 "
                "AND journal_version = $2 AND store_id = $3 AND ($4::text IS NULL OR source = $4) "
                "AND order_id > $5 "
                "ORDER BY order_id LIMIT $6",
                company_id,
                version,
                store_id,
                source,
                after,
                BATCH,
            )
            for r in rows:
                await repost_order(conn, company_id, store_id, r["order_id"])
            if not rows:
                await repost_store_settlements(conn, company_id, store_id)
                await finish_job(conn, company_id, job_id)
                return True
            after = rows[-1]["order_id"]
            await conn.execute(
                "UPDATE jobs SET payload = jsonb_set(payload, '{after}', to_jsonb($3::text)) "
                "WHERE company_id = $1 AND job_id = $2",
                company_id,
                job_id,
                after,
            )


async def request_store_repost(
    conn: asyncpg.Connection, company_id: UUID, store_id: UUID, reason: str
) -> JobRecord:
    """A job that re-posts every order of a store (a changed gateway
    mapping: which orders use the gateway is known only by posting them)."""
    stamp = await conn.fetchval("SELECT clock_timestamp()")
    job_id = f"store:{company_id}:{store_id}:{int(stamp.timestamp() * 1_000_000)}"
    payload: dict[str, Any] = {
        "storeId": str(store_id),
        "source": None,
        "after": "",
        "reason": reason,
    }
    return await record_job(conn, company_id, job_id, CHANNEL_REPOST, payload)


ORDERS_REPOST = "orders_repost"
ORDERS_FUNCTION = "repost_orders"


async def request_orders_repost(
    conn: asyncpg.Connection, company_id: UUID, keys: list[tuple[UUID, str]], reason: str
) -> JobRecord:
    """A job that re-posts exactly these orders (in the worker, in batches)."""
    stamp = await conn.fetchval("SELECT clock_timestamp()")
    job_id = f"orders:{company_id}:{int(stamp.timestamp() * 1_000_000)}"
    payload: dict[str, Any] = {
        "orders": [[str(s), o] for s, o in keys],
        "done": 0,
        "reason": reason,
    }
    return await record_job(conn, company_id, job_id, ORDERS_REPOST, payload)


async def run_orders_repost(pool: asyncpg.Pool, company_id: UUID, job_id: str) -> bool:
    async with pool.acquire() as conn, conn.transaction():
        job = await start_job(conn, company_id, job_id)
    if job is None:
        return False
    orders = job.payload["orders"]
    done = int(job.payload.get("done", 0))
    while done < len(orders):
        batch = orders[done : done + BATCH]
        async with pool.acquire() as conn, conn.transaction():
            for store, order_id in batch:
                await repost_order(conn, company_id, UUID(store), order_id)
            done += len(batch)
            await conn.execute(
                "UPDATE jobs SET payload = jsonb_set(payload, '{done}', to_jsonb($3::int)) "
                "WHERE company_id = $1 AND job_id = $2",
                company_id,
                job_id,
                done,
            )
    async with pool.acquire() as conn:
        await finish_job(conn, company_id, job_id)
    return True
