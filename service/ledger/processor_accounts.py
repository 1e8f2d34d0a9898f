"""PayPal and Stripe accounts connected to a store, and their sync runs.

A store paid through PayPal or Stripe keeps those payments in RIP until
the processor's own records are synced (posting rules section 11). Each
account belongs to one store (the store whose orders it is paid for);
its credentials are sealed like every other stored secret, and each sync
is a run with a status, counts and the errors a merchant can read.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import asyncpg

from service.ledger.codec import from_jsonb
from service.ledger.secrets import seal, unseal

PAYPAL = "paypal"
STRIPE = "stripe"
PROCESSORS = (PAYPAL, STRIPE)
PROCESSOR_SYNC_FUNCTION = "sync_processor_account"


@dataclass(frozen=True, slots=True)
class ProcessorAccount:
    account_id: UUID
    processor: str
    store_id: UUID
    settings: dict[str, Any]
    cursor: dict[str, Any] | None
    connected_at: dt.datetime
    last_synced_at: dt.datetime | None


@dataclass(frozen=True, slots=True)
class ProcessorRun:
    run_id: UUID
    account_id: UUID
    processor: str
    store_id: UUID
    status: str
    records_synced: int
    payouts_synced: int
    needs_review: int
    progress: str
    errors: list[dict[str, Any]]
    requested_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None


_ACCOUNT_COLUMNS = "account_id, processor, store_id, settings, cursor, connected_at, last_synced_at"
_RUN_SELECT = (
    "SELECT r.run_id, r.account_id, a.processor, a.store_id, r.status, r.records_synced, "
    "r.payouts_synced, r.needs_review, r.progress, r.errors, r.requested_at, r.started_at, "
    "r.finished_at FROM processor_sync_runs r JOIN processor_accounts a "
    "USING (company_id, account_id) "
)


def _json(value: Any) -> Any:
    return from_jsonb(value)


def _account(row: asyncpg.Record) -> ProcessorAccount:
    data = dict(row)
    data["settings"] = _json(data["settings"]) or {}
    data["cursor"] = _json(data["cursor"])
    return ProcessorAccount(**data)


def _run(row: asyncpg.Record) -> ProcessorRun:
    data = dict(row)
    data["errors"] = _json(data["errors"]) or []
    return ProcessorRun(**data)


def job_id(run_id: UUID) -> str:
    return f"processor-sync:{run_id}"


async def connect_account(
    conn: asyncpg.Connection,
    company_id: UUID,
    secret_key: str,
    processor: str,
    store_id: UUID,
    settings: dict[str, Any],
    credentials: dict[str, Any],
) -> ProcessorAccount:
    """Store (or replace) the store's account with this processor."""
    row = await conn.fetchrow(
        f"""
        INSERT INTO processor_accounts (company_id, processor, store_id, settings, credentials)
        VALUES ($1, $2, $3, $4, $5)
        ON CONFLICT (company_id, processor, store_id) DO UPDATE
            SET settings = excluded.settings, credentials = excluded.credentials,
                connected_at = now()
        RETURNING {_ACCOUNT_COLUMNS}
        """,
        company_id,
        processor,
        store_id,
        settings,
        seal(secret_key, credentials),
    )
    return _account(row)


async def get_account(
    conn: asyncpg.Connection | asyncpg.Pool, company_id: UUID, account_id: UUID
) -> ProcessorAccount | None:
    row = await conn.fetchrow(
        f"SELECT {_ACCOUNT_COLUMNS} FROM processor_accounts "
        "WHERE company_id = $1 AND account_id = $2",
        company_id,
        account_id,
    )
    return None if row is None else _account(row)


async def account_credentials(
    conn: asyncpg.Connection | asyncpg.Pool, company_id: UUID, account_id: UUID, secret_key: str
) -> dict[str, Any]:
    sealed = await conn.fetchval(
        "SELECT credentials FROM processor_accounts WHERE company_id = $1 AND account_id = $2",
        company_id,
        account_id,
    )
    return unseal(secret_key, sealed)


async def list_accounts(
    conn: asyncpg.Connection | asyncpg.Pool, company_id: UUID
) -> list[ProcessorAccount]:
    rows = await conn.fetch(
        f"SELECT {_ACCOUNT_COLUMNS} FROM processor_accounts WHERE company_id = $1 "
        "ORDER BY processor, connected_at",
        company_id,
    )
    return [_account(r) for r in rows]


async def request_run(conn: asyncpg.Connection, company_id: UUID, account_id: UUID) -> ProcessorRun:
    """A run of the account's sync: the one queued or running, else a new one."""
    await conn.execute(
        "INSERT INTO processor_sync_runs (company_id, account_id) VALUES ($1, $2) "
        "ON CONFLICT (company_id, account_id) WHERE status IN ('QUEUED', 'RUNNING') DO NOTHING",
        company_id,
        account_id,
    )
    row = await conn.fetchrow(
        _RUN_SELECT + "WHERE r.company_id = $1 AND r.account_id = $2 "
        "AND r.status IN ('QUEUED', 'RUNNING') ORDER BY r.requested_at DESC LIMIT 1",
        company_id,
        account_id,
    )
    return _run(row)


async def get_run(
    conn: asyncpg.Connection | asyncpg.Pool, company_id: UUID, run_id: UUID
) -> ProcessorRun | None:
    row = await conn.fetchrow(
        _RUN_SELECT + "WHERE r.company_id = $1 AND r.run_id = $2", company_id, run_id
    )
    return None if row is None else _run(row)


async def start_run(conn: asyncpg.Connection, company_id: UUID, run_id: UUID) -> bool:
    """Mark a run running; False when it has finished. A run already running
    is taken again: its job is being retried (the processor asked to wait,
    or the worker that ran it died), and reading again stores nothing twice."""
    started = await conn.fetchval(
        "UPDATE processor_sync_runs SET status = 'RUNNING', "
        "started_at = coalesce(started_at, clock_timestamp()), "
        "progress = 'reading records' WHERE company_id = $1 AND run_id = $2 "
        "AND status IN ('QUEUED', 'RUNNING') RETURNING true",
        company_id,
        run_id,
    )
    return bool(started)


async def add_counts(
    conn: asyncpg.Connection | asyncpg.Pool,
    company_id: UUID,
    run_id: UUID,
    *,
    records: int = 0,
    payouts: int = 0,
    needs_review: int = 0,
    progress: str = "",
) -> None:
    await conn.execute(
        "UPDATE processor_sync_runs SET records_synced = records_synced + $3, "
        "payouts_synced = payouts_synced + $4, needs_review = needs_review + $5, "
        "progress = $6 WHERE company_id = $1 AND run_id = $2",
        company_id,
        run_id,
        records,
        payouts,
        needs_review,
        progress,
    )


async def add_error(
    conn: asyncpg.Connection | asyncpg.Pool, company_id: UUID, run_id: UUID, message: str
) -> None:
    """A problem the run met but went on past (the merchant reads it)."""
    await conn.execute(
        "UPDATE processor_sync_runs SET errors = errors || $3::jsonb "
        "WHERE company_id = $1 AND run_id = $2",
        company_id,
        run_id,
        [{"message": message[:2000]}],
    )


async def finish_run(
    conn: asyncpg.Connection | asyncpg.Pool,
    company_id: UUID,
    run_id: UUID,
    status: str,
    *,
    error: str | None = None,
    cursor: dict[str, Any] | None = None,
) -> None:
    """Close the run; a successful one moves the account's cursor forward."""
    errors = [{"message": error[:2000]}] if error else []
    await conn.execute(
        "UPDATE processor_sync_runs SET status = $3, finished_at = clock_timestamp(), "
        "progress = lower($3), errors = errors || $4::jsonb "
        "WHERE company_id = $1 AND run_id = $2",
        company_id,
        run_id,
        status,
        errors,
    )
    if cursor is not None:
        await conn.execute(
            "UPDATE processor_accounts a SET cursor = $3, last_synced_at = clock_timestamp() "
            "FROM processor_sync_runs r WHERE r.company_id = $1 AND r.run_id = $2 "
            "AND a.company_id = r.company_id AND a.account_id = r.account_id",
            company_id,
            run_id,
            cursor,
        )


async def save_cursor(
    conn: asyncpg.Connection | asyncpg.Pool,
    company_id: UUID,
    account_id: UUID,
    cursor: dict[str, Any],
) -> None:
    """Everything up to the cursor is stored: the next step starts there."""
    await conn.execute(
        "UPDATE processor_accounts SET cursor = $3 WHERE company_id = $1 AND account_id = $2",
        company_id,
        account_id,
        cursor,
    )


async def list_runs(
    conn: asyncpg.Connection | asyncpg.Pool,
    company_id: UUID,
    *,
    account_id: UUID | None = None,
    limit: int = 20,
    before: dt.datetime | None = None,
) -> list[ProcessorRun]:
    rows = await conn.fetch(
        _RUN_SELECT + "WHERE r.company_id = $1 AND ($2::uuid IS NULL OR r.account_id = $2) "
        "AND ($3::timestamptz IS NULL OR r.requested_at < $3) "
        "ORDER BY r.requested_at DESC LIMIT $4",
        company_id,
        account_id,
        before,
        limit,
    )
    return [_run(r) for r in rows]
