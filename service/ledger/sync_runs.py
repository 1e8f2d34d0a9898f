"""Sync runs: what a backfill or incremental sync did, and where it stands.

The cursor is saved with every batch in the same transaction as the
batch's orders, so a sync killed at any point resumes from its last saved
batch and re-applies at most that batch, which is harmless.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg

RUN_COLUMNS = (
    "company_id, run_id, store_id, kind, status, cursor, orders_synced, payouts_synced, "
    "balance_transactions_synced, progress, errors, requested_at, started_at, finished_at, "
    "orders_total, orders_seen, queries, query_cost"
)
BACKFILL = "BACKFILL"
INCREMENTAL = "INCREMENTAL"
MAX_ERRORS_KEPT = 100


@dataclass(frozen=True, slots=True)
class SyncRun:
    company_id: UUID
    run_id: UUID
    store_id: UUID
    kind: str
    status: str
    cursor: dict[str, Any] | None
    orders_synced: int
    payouts_synced: int
    balance_transactions_synced: int
    progress: str
    errors: list[Any]
    requested_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    orders_total: int | None = None
    orders_seen: int = 0
    queries: int = 0
    query_cost: int = 0


@dataclass(frozen=True, slots=True)
class Spent:
    """What one batch took: orders read and Admin API queries and points."""

    orders_seen: int = 0
    queries: int = 0
    query_cost: int = 0


def _run(row: asyncpg.Record) -> SyncRun:
    return SyncRun(**dict(row))


async def request_sync(
    conn: asyncpg.Connection, company_id: UUID, store_id: UUID, kind: str
) -> tuple[SyncRun, bool]:
    """A new run, or the store's open run of that kind (True when new)."""
    row = await conn.fetchrow(
        f"""
        INSERT INTO sync_runs (company_id, store_id, kind) VALUES ($1, $2, $3)
        ON CONFLICT (company_id, store_id, kind) WHERE status IN ('QUEUED', 'RUNNING')
        DO NOTHING RETURNING {RUN_COLUMNS}
        """,
        company_id,
        store_id,
        kind,
    )
    if row is not None:
        return _run(row), True
    row = await conn.fetchrow(
        f"SELECT {RUN_COLUMNS} FROM sync_runs WHERE company_id = $1 AND store_id = $2 "
        "AND kind = $3 AND status IN ('QUEUED', 'RUNNING')",
        company_id,
        store_id,
        kind,
    )
    return _run(row), False


async def get_run(
    conn: asyncpg.Connection | asyncpg.Pool, company_id: UUID, run_id: UUID
) -> SyncRun | None:
    row = await conn.fetchrow(
        f"SELECT {RUN_COLUMNS} FROM sync_runs WHERE company_id = $1 AND run_id = $2",
        company_id,
        run_id,
    )
    return _run(row) if row else None


async def list_runs(
    conn: asyncpg.Connection | asyncpg.Pool,
    company_id: UUID,
    *,
    store_id: UUID | None,
    limit: int,
    before: datetime | None = None,
) -> list[SyncRun]:
    rows = await conn.fetch(
        f"SELECT {RUN_COLUMNS} FROM sync_runs WHERE company_id = $1 "
        "AND ($2::uuid IS NULL OR store_id = $2) "
        "AND ($4::timestamptz IS NULL OR requested_at < $4) "
        "ORDER BY requested_at DESC, run_id DESC LIMIT $3",
        company_id,
        store_id,
        limit,
        before,
    )
    return [_run(r) for r in rows]


async def start_run(conn: asyncpg.Connection, company_id: UUID, run_id: UUID) -> SyncRun | None:
    """Mark the run running; None when it already ended (a repeated delivery)."""
    row = await conn.fetchrow(
        f"""
        UPDATE sync_runs SET status = 'RUNNING', started_at = coalesce(started_at, now())
        WHERE company_id = $1 AND run_id = $2 AND status IN ('QUEUED', 'RUNNING')
        RETURNING {RUN_COLUMNS}
        """,
        company_id,
        run_id,
    )
    return _run(row) if row else None


async def save_progress(
    conn: asyncpg.Connection,
    company_id: UUID,
    run_id: UUID,
    *,
    cursor: dict[str, Any],
    progress: str,
    orders: int = 0,
    payouts: int = 0,
    balance_transactions: int = 0,
    errors: list[dict[str, Any]] | None = None,
    spent: Spent = Spent(),
    orders_total: int | None = None,
) -> None:
    await conn.execute(
        """
        UPDATE sync_runs SET cursor = $3, progress = $4,
            orders_synced = orders_synced + $5, payouts_synced = payouts_synced + $6,
            balance_transactions_synced = balance_transactions_synced + $7,
            errors = (SELECT coalesce(jsonb_agg(e), '[]'::jsonb) FROM (
                SELECT e FROM jsonb_array_elements(errors || $8::jsonb) AS e LIMIT $9) kept),
            orders_seen = orders_seen + $10, queries = queries + $11,
            query_cost = query_cost + $12, orders_total = coalesce($13, orders_total)
        WHERE company_id = $1 AND run_id = $2
        """,
        company_id,
        run_id,
        cursor,
        progress,
        orders,
        payouts,
        balance_transactions,
        errors or [],
        MAX_ERRORS_KEPT,
        spent.orders_seen,
        spent.queries,
        spent.query_cost,
        orders_total,
    )


async def finish_run(
    conn: asyncpg.Connection | asyncpg.Pool,
    company_id: UUID,
    run_id: UUID,
    status: str,
    *,
    progress: str,
    error: str | None = None,
) -> None:
    await conn.execute(
        """
        UPDATE sync_runs SET status = $3, progress = $4, finished_at = now(),
            errors = CASE WHEN $5::text IS NULL THEN errors
                          ELSE errors || jsonb_build_array(jsonb_build_object('message', $5::text))
                     END
        WHERE company_id = $1 AND run_id = $2
        """,
        company_id,
        run_id,
        status,
        progress,
        error,
    )


SYNC_FUNCTION = "sync_shopify_store"


def sync_job_id(run_id: UUID, step: str) -> str:
    return f"sync:{run_id}:{step}"
