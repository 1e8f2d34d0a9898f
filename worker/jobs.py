"""Job functions: thin wrappers that hand the work to service code.

arq retries only on `Retry`; a lost database or queue connection is
transient, so it becomes a Retry with a delay instead of a failed job.
"""

from __future__ import annotations

import logging
from typing import Any
from uuid import UUID

import asyncpg
from arq import Retry

from service.config import get_settings
from service.db.queue import enqueue
from service.ledger.jobs import fail_job, stale_queued_jobs
from service.ledger.reposting import REPOST_FUNCTION, run_full_repost

log = logging.getLogger("storebooks.worker")

TRANSIENT = (OSError, asyncpg.PostgresConnectionError, asyncpg.TooManyConnectionsError)
MAX_TRIES = 5


async def repost_company(ctx: dict[str, Any], company_id: str, job_id: str) -> bool:
    pool: asyncpg.Pool = ctx["pool"]
    try:
        return await run_full_repost(pool, UUID(company_id), job_id)
    except TRANSIENT as exc:
        raise Retry(defer=min(60, 2 ** ctx.get("job_try", 1))) from exc
    except Exception as exc:
        if ctx.get("job_try", 1) >= MAX_TRIES:
            await fail_job(pool, UUID(company_id), job_id, f"{type(exc).__name__}: {exc}")
        raise


async def requeue_stale_jobs(ctx: dict[str, Any]) -> int:
    """Enqueue again the jobs whose queue message never arrived."""
    pool: asyncpg.Pool = ctx["pool"]
    count = 0
    for job in await stale_queued_jobs(pool, older_than_seconds=30):
        if job.kind == "full_repost":
            count += await enqueue(
                ctx["redis"], REPOST_FUNCTION, job.job_id, str(job.company_id), job.job_id
            )
    if count:
        log.info("re-enqueued %d queued jobs", count)
    return count


def job_timeout() -> int:
    return get_settings().job_timeout_seconds
