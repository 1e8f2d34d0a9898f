"""Durable records of background jobs.

A job row is written in the same transaction as the change that needs it,
and the queue message is only a wake-up call: if the message is lost (the
queue restarted, the enqueue failed after commit), the worker's sweep finds
the row still queued and enqueues it again under the same id.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg

JOB_COLUMNS = (
    "company_id, job_id, kind, status, payload, attempts, error, "
    "enqueued_at, started_at, finished_at"
)


@dataclass(frozen=True, slots=True)
class JobRecord:
    company_id: UUID
    job_id: str
    kind: str
    status: str
    payload: dict[str, Any]
    attempts: int
    error: str | None
    enqueued_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


def _record(row: asyncpg.Record) -> JobRecord:
    return JobRecord(**dict(row))


async def record_job(
    conn: asyncpg.Connection, company_id: UUID, job_id: str, kind: str, payload: dict[str, Any]
) -> JobRecord:
    """Write the job row; the same id recorded twice stays one job."""
    await conn.execute(
        "INSERT INTO jobs (company_id, job_id, kind, payload) VALUES ($1, $2, $3, $4) "
        "ON CONFLICT (company_id, job_id) DO NOTHING",
        company_id,
        job_id,
        kind,
        payload,
    )
    job = await get_job(conn, company_id, job_id)
    assert job is not None
    return job


async def get_job(
    conn: asyncpg.Connection | asyncpg.Pool, company_id: UUID, job_id: str
) -> JobRecord | None:
    row = await conn.fetchrow(
        f"SELECT {JOB_COLUMNS} FROM jobs WHERE company_id = $1 AND job_id = $2",
        company_id,
        job_id,
    )
    return _record(row) if row else None


async def start_job(conn: asyncpg.Connection, company_id: UUID, job_id: str) -> JobRecord | None:
    """Mark a job running; None when it already succeeded (a repeated delivery)."""
    row = await conn.fetchrow(
        f"""
        UPDATE jobs SET status = 'RUNNING', attempts = attempts + 1, started_at = now(),
               error = NULL
        WHERE company_id = $1 AND job_id = $2 AND status <> 'SUCCEEDED'
        RETURNING {JOB_COLUMNS}
        """,
        company_id,
        job_id,
    )
    return _record(row) if row else None


async def finish_job(conn: asyncpg.Connection, company_id: UUID, job_id: str) -> None:
    await conn.execute(
        "UPDATE jobs SET status = 'SUCCEEDED', finished_at = now() "
        "WHERE company_id = $1 AND job_id = $2",
        company_id,
        job_id,
    )


async def fail_job(
    conn: asyncpg.Connection | asyncpg.Pool, company_id: UUID, job_id: str, error: str
) -> None:
    await conn.execute(
        "UPDATE jobs SET status = 'FAILED', finished_at = now(), error = $3 "
        "WHERE company_id = $1 AND job_id = $2",
        company_id,
        job_id,
        error[:2000],
    )


async def recent_jobs(
    conn: asyncpg.Connection | asyncpg.Pool, company_id: UUID, limit: int
) -> list[JobRecord]:
    rows = await conn.fetch(
        f"SELECT {JOB_COLUMNS} FROM jobs WHERE company_id = $1 "
        "ORDER BY enqueued_at DESC, job_id DESC LIMIT $2",
        company_id,
        limit,
    )
    return [_record(r) for r in rows]


async def unfinished_job_count(conn: asyncpg.Connection | asyncpg.Pool, company_id: UUID) -> int:
    count: int = await conn.fetchval(
        "SELECT count(*) FROM jobs WHERE company_id = $1 AND status IN ('QUEUED', 'RUNNING')",
        company_id,
    )
    return count


async def stale_queued_jobs(
    conn: asyncpg.Connection | asyncpg.Pool, older_than_seconds: int
) -> list[JobRecord]:
    rows = await conn.fetch(
        f"SELECT {JOB_COLUMNS} FROM jobs WHERE status = 'QUEUED' "
        "AND enqueued_at < now() - make_interval(secs => $1) ORDER BY enqueued_at LIMIT 1000",
        float(older_than_seconds),
    )
    return [_record(r) for r in rows]


async def abandoned_jobs(
    conn: asyncpg.Connection | asyncpg.Pool, older_than_seconds: int
) -> list[JobRecord]:
    """RUNNING for longer than any job may run: their worker is gone. A full
    re-post is left out: it runs in many steps under one row, and a lock of its own."""
    rows = await conn.fetch(
        f"SELECT {JOB_COLUMNS} FROM jobs WHERE status = 'RUNNING' AND kind <> 'full_repost' "
        "AND started_at < now() - make_interval(secs => $1) ORDER BY started_at LIMIT 1000",
        float(older_than_seconds),
    )
    return [_record(r) for r in rows]
