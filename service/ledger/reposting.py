"""Full re-posts of a company's books after a settings change.

The job id carries the settings version it was asked for, so two saves of
the same change share one job and a later change gets its own. A job that
finds a newer version already posted has nothing left to do.
"""

from __future__ import annotations

from uuid import UUID

import asyncpg

from service.ledger.jobs import JobRecord, finish_job, record_job, start_job

FULL_REPOST = "full_repost"
REPOST_FUNCTION = "repost_company"


def full_repost_job_id(company_id: UUID, settings_version: int) -> str:
    return f"repost:{company_id}:v{settings_version}"


async def request_full_repost(
    conn: asyncpg.Connection, company_id: UUID, settings_version: int, reason: str
) -> JobRecord:
    """Record the job in the caller's transaction; the caller enqueues after commit."""
    return await record_job(
        conn,
        company_id,
        full_repost_job_id(company_id, settings_version),
        FULL_REPOST,
        {"settingsVersion": settings_version, "reason": reason},
    )


async def run_full_repost(pool: asyncpg.Pool, company_id: UUID, job_id: str) -> bool:
    """Re-post the company's books under its current settings.

    Returns False when the job had already succeeded (a repeated delivery).
    Everything happens in one transaction holding the company's settings
    row, so two re-posts of one company never interleave and a crash leaves
    the previous books and the job's QUEUED/RUNNING state for the retry.
    """
    async with pool.acquire() as conn, conn.transaction():
        job = await start_job(conn, company_id, job_id)
        if job is None:
            return False
        version = await conn.fetchval(
            "SELECT version FROM bookkeeping_settings WHERE company_id = $1 FOR UPDATE",
            company_id,
        )
        await conn.execute(
            "UPDATE bookkeeping_settings SET posted_version = greatest(posted_version, $2) "
            "WHERE company_id = $1",
            company_id,
            version,
        )
        await finish_job(conn, company_id, job_id)
    return True
