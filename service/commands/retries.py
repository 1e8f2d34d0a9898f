"""Retrying failed work once its cause is fixed: a FAILED event or job goes back to the queue."""

from __future__ import annotations

import uuid
from uuid import UUID

import asyncpg
from arq.connections import ArqRedis

from service.commands.runner import Outcome, Wake, run_command
from service.ledger.ingest import retry_event
from service.ledger.job_kinds import function_for
from service.ledger.jobs import get_job
from service.sync.shopify_events import PROCESS_EVENT_FUNCTION, event_job_id


async def retry_ingest_event(
    pool: asyncpg.Pool, queue: ArqRedis | None, company_id: UUID, event_id: int
) -> Outcome:
    async def body(conn: asyncpg.Connection) -> Outcome:
        if not await retry_event(conn, company_id, event_id):
            return Outcome(refusals=[("input.id", "NOT_FOUND", "no failed event with this id")])
        wake = Wake(
            PROCESS_EVENT_FUNCTION,
            event_job_id(company_id, event_id),
            (str(company_id), event_id),
            events=True,
        )
        return Outcome(result={"eventId": event_id}, wake=[wake])

    return await run_command(pool, queue, company_id, "retryIngestEvent", None, body)


async def retry_job(
    pool: asyncpg.Pool, queue: ArqRedis | None, company_id: UUID, job_id: str
) -> Outcome:
    """The job runs again under its own row; the queue message gets a fresh id
    because arq keeps a failed job's result (and refuses its id) for an hour."""

    async def body(conn: asyncpg.Connection) -> Outcome:
        job = await get_job(conn, company_id, job_id)
        function = function_for(job.kind) if job is not None else None
        if job is None or job.status != "FAILED" or function is None:
            return Outcome(refusals=[("input.id", "NOT_FOUND", "no failed job with this id")])
        await conn.execute(
            "UPDATE jobs SET status = 'QUEUED', error = NULL, finished_at = NULL, "
            "enqueued_at = now() WHERE company_id = $1 AND job_id = $2",
            company_id,
            job_id,
        )
        message_id = f"{job_id}:retry:{uuid.uuid4().hex[:12]}"
        return Outcome(
            result={"jobId": job_id}, wake=[Wake(function, message_id, (str(company_id), job_id))]
        )

    return await run_command(pool, queue, company_id, "retryJob", None, body)
