"""Job functions: thin wrappers that hand the work to service code.

arq retries only on `Retry`; a lost database, queue or network connection
is transient, so it becomes a Retry with a delay instead of a failed job.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any
from uuid import UUID

import asyncpg
import httpx
from arq import Retry

from service.config import Settings
from service.db.queue import enqueue
from service.ledger.ingest import stale_pending_events
from service.ledger.inventory import RECOST, RECOST_FUNCTION, run_recost
from service.ledger.inventory_systems import (
    INVENTORY_FUNCTION,
    INVENTORY_SYNC,
    run_inventory_sync,
)
from service.ledger.inventory_systems import request_sync as request_inventory_sync
from service.ledger.jobs import fail_job, stale_queued_jobs
from service.ledger.order_actions import (
    CHANNEL_FUNCTION,
    CHANNEL_REPOST,
    ORDERS_FUNCTION,
    ORDERS_REPOST,
    run_channel_repost,
    run_orders_repost,
)
from service.ledger.reposting import (
    CLEANUP_FUNCTION,
    REPOST_FUNCTION,
    cleanup_retired_versions,
    run_full_repost,
)
from service.ledger.shopify_events import PROCESS_EVENT_FUNCTION, event_job_id, process_event
from service.ledger.sync_runs import INCREMENTAL, SYNC_FUNCTION, request_sync, sync_job_id

log = logging.getLogger("storebooks.worker")

# Worth another try: lost connections, and the losing side of a deadlock or
# serialization conflict between two jobs re-posting the same orders (its
# transaction was rolled back whole, so running it again is safe).
TRANSIENT = (
    OSError,
    asyncpg.PostgresConnectionError,
    asyncpg.TooManyConnectionsError,
    asyncpg.DeadlockDetectedError,
    asyncpg.SerializationError,
    httpx.TransportError,
)
MAX_TRIES = 5


def step_seconds(settings: Settings) -> float:
    """How long one step of a long job may run: well inside the job timeout,
    since arq fails a timed-out job for good instead of retrying it."""
    return max(1.0, min(60.0, settings.job_timeout_seconds / 3))


def _retry(ctx: dict[str, Any], exc: BaseException) -> Retry:
    log.warning("job will be retried after %s: %s", type(exc).__name__, exc)
    return Retry(defer=min(60, 2 ** ctx.get("job_try", 1)))


async def repost_company(ctx: dict[str, Any], company_id: str, job_id: str) -> str:
    """One step of a full re-post; the next step is a job of its own."""
    pool: asyncpg.Pool = ctx["pool"]
    settings: Settings = ctx["settings"]
    try:
        status = await run_full_repost(
            pool,
            UUID(company_id),
            job_id,
            batch_orders=settings.repost_batch_orders,
            step_seconds=step_seconds(settings),
        )
    except TRANSIENT as exc:
        raise _retry(ctx, exc) from exc
    except Exception as exc:
        if ctx.get("job_try", 1) >= MAX_TRIES:
            await fail_job(pool, UUID(company_id), job_id, f"{type(exc).__name__}: {exc}")
        raise
    if status == "BUSY":  # another re-post of this company holds the lock
        raise Retry(defer=2)
    if status == "CONTINUE":
        step = f"{job_id}:step:{uuid.uuid4().hex[:12]}"
        await enqueue(ctx["redis"], REPOST_FUNCTION, step, company_id, job_id)
    elif status == "DONE":
        cleanup = f"cleanup:{company_id}:{uuid.uuid4().hex[:12]}"
        await enqueue(ctx["redis"], CLEANUP_FUNCTION, cleanup, company_id)
    return status


async def cleanup_journal_versions(ctx: dict[str, Any], company_id: str | None = None) -> int:
    """Delete retired journal versions: of one company, or (as a cron) of all."""
    pool: asyncpg.Pool = ctx["pool"]
    if company_id is not None:
        companies = [UUID(company_id)]
    else:
        rows = await pool.fetch("SELECT DISTINCT company_id FROM books_retired")
        companies = [r["company_id"] for r in rows]
    try:
        return sum([await cleanup_retired_versions(pool, c) for c in companies])
    except TRANSIENT as exc:
        raise _retry(ctx, exc) from exc


async def repost_channel(ctx: dict[str, Any], company_id: str, job_id: str) -> bool:
    try:
        return await run_channel_repost(ctx["pool"], UUID(company_id), job_id)
    except TRANSIENT as exc:
        raise _retry(ctx, exc) from exc


async def recost_skus(ctx: dict[str, Any], company_id: str, job_id: str) -> bool:
    try:
        return await run_recost(ctx["pool"], UUID(company_id), job_id)
    except TRANSIENT as exc:
        raise _retry(ctx, exc) from exc


async def sync_inventory_costs(ctx: dict[str, Any], company_id: str, job_id: str) -> bool:
    settings: Settings = ctx["settings"]
    try:
        return await run_inventory_sync(
            ctx["pool"], settings.resolved_secret_key(), UUID(company_id), job_id
        )
    except TRANSIENT as exc:
        raise _retry(ctx, exc) from exc


async def schedule_inventory_syncs(ctx: dict[str, Any]) -> int:
    """Fetch costs hourly from every connected inventory system."""
    pool: asyncpg.Pool = ctx["pool"]
    started = 0
    for row in await pool.fetch("SELECT company_id, provider FROM inventory_connections"):
        async with pool.acquire() as conn:
            job = await request_inventory_sync(conn, row["company_id"], row["provider"])
        started += await enqueue(
            ctx["redis"], INVENTORY_FUNCTION, job.job_id, str(row["company_id"]), job.job_id
        )
    return started


async def repost_orders(ctx: dict[str, Any], company_id: str, job_id: str) -> bool:
    try:
        return await run_orders_repost(ctx["pool"], UUID(company_id), job_id)
    except TRANSIENT as exc:
        raise _retry(ctx, exc) from exc


async def process_shopify_event(ctx: dict[str, Any], company_id: str, event_id: int) -> str:
    try:
        outcome = await process_event(ctx["pool"], UUID(company_id), event_id)
    except TRANSIENT as exc:
        raise _retry(ctx, exc) from exc
    return outcome.status


async def sync_shopify_store(ctx: dict[str, Any], company_id: str, run_id: str) -> str:
    from service.ledger.shopify_sync import run_sync_step

    try:
        settings: Settings = ctx["settings"]
        result = await run_sync_step(
            ctx["pool"],
            settings.resolved_secret_key(),
            UUID(company_id),
            UUID(run_id),
            poll_seconds=settings.shopify_poll_seconds,
            step_seconds=step_seconds(settings),
        )
    except TRANSIENT as exc:
        raise _retry(ctx, exc) from exc
    if result.status == "CONTINUE":
        step = uuid.uuid4().hex[:12]
        await enqueue(
            ctx["redis"], SYNC_FUNCTION, sync_job_id(result.run_id, step), company_id, run_id
        )
    return result.status


async def refetch_waiting_orders(ctx: dict[str, Any]) -> int:
    """Read again the orders whose history waits for a missing part."""
    from service.ledger.shopify_sync import refetch_waiting_orders as refetch

    settings: Settings = ctx["settings"]
    try:
        return await refetch(ctx["pool"], settings.resolved_secret_key())
    except TRANSIENT as exc:
        log.warning("re-fetching waiting orders stopped: %s", exc)
        return 0


async def schedule_incremental_syncs(ctx: dict[str, Any]) -> int:
    """Start an incremental sync for every connected store whose backfill is done."""
    pool: asyncpg.Pool = ctx["pool"]
    rows = await pool.fetch(
        "SELECT s.company_id, s.store_id FROM stores s JOIN sync_state st "
        "USING (company_id, store_id) WHERE s.credentials IS NOT NULL "
        "AND st.backfill_completed_at IS NOT NULL"
    )
    started = 0
    for row in rows:
        async with pool.acquire() as conn:
            run, created = await request_sync(conn, row["company_id"], row["store_id"], INCREMENTAL)
        if created:
            started += 1
            await enqueue(
                ctx["redis"],
                SYNC_FUNCTION,
                sync_job_id(run.run_id, "start"),
                str(run.company_id),
                str(run.run_id),
            )
    return started


async def requeue_stale_jobs(ctx: dict[str, Any]) -> int:
    """Enqueue again the work whose queue message never arrived."""
    pool: asyncpg.Pool = ctx["pool"]
    count = 0
    for job in await stale_queued_jobs(pool, older_than_seconds=30):
        function = {
            "full_repost": REPOST_FUNCTION,
            CHANNEL_REPOST: CHANNEL_FUNCTION,
            RECOST: RECOST_FUNCTION,
            INVENTORY_SYNC: INVENTORY_FUNCTION,
            ORDERS_REPOST: ORDERS_FUNCTION,
        }.get(job.kind)
        if function is not None:
            count += await enqueue(
                ctx["redis"], function, job.job_id, str(job.company_id), job.job_id
            )
    for company_id, event_id in await stale_pending_events(pool, older_than_seconds=30):
        count += await enqueue(
            ctx["redis"],
            PROCESS_EVENT_FUNCTION,
            event_job_id(company_id, event_id),
            str(company_id),
            event_id,
        )
    if count:
        log.info("re-enqueued %d jobs", count)
    return count
