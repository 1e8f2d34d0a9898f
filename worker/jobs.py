"""Job functions: thin wrappers that hand the work to service code.

How they are retried, failed and kept to a company's share of the slots is
in worker/running.py and worker/fairness.py.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any
from uuid import UUID

import asyncpg
from arq import Retry

from service.config import Settings, get_settings
from service.connectors.hosts import url_problem
from service.connectors.shopify.client import RetryLater
from service.db.queue import enqueue, enqueue_event
from service.ledger.ingest import record_failed_attempt, stale_pending_events
from service.ledger.inventory import run_recost
from service.ledger.inventory_systems import INVENTORY_FUNCTION
from service.ledger.inventory_systems import request_sync as request_inventory_sync
from service.ledger.job_kinds import function_for
from service.ledger.jobs import abandoned_jobs, fail_job, stale_queued_jobs
from service.ledger.marketplace_accounts import MARKETPLACE_FUNCTION
from service.ledger.marketplace_accounts import request_sync as request_marketplace_sync
from service.ledger.order_actions import (
    run_channel_repost,
    run_orders_repost,
)
from service.ledger.reposting import (
    CLEANUP_FUNCTION,
    REPOST_FUNCTION,
    cleanup_retired_versions,
    run_full_repost,
)
from service.ledger.sync_runs import (
    INCREMENTAL,
    SYNC_FUNCTION,
    finish_run,
    request_sync,
    sync_job_id,
)
from service.sync.inventory_systems import run_inventory_sync
from service.sync.marketplaces import run_marketplace_sync
from service.sync.shopify_events import PROCESS_EVENT_FUNCTION, event_job_id, process_event
from worker.running import (
    MAX_TRIES,
    TRANSIENT,
    capped,
    failure_reason,
    guarded,
    transient_retry,
)

__all__ = ["MAX_TRIES", "TRANSIENT", "guarded"]

log = logging.getLogger("storebooks.worker")

# A stored event whose processing raises this many times is FAILED (a poison payload).
EVENT_MAX_ATTEMPTS = 3


def step_seconds(settings: Settings) -> float:
    """How long one step of a long job may run: well inside the job timeout,
    since arq fails a timed-out job for good instead of retrying it."""
    return max(1.0, min(60.0, settings.job_timeout_seconds / 3))


@capped
async def repost_company(ctx: dict[str, Any], company_id: str, job_id: str) -> str:
    """One step of a full re-post; the next step is a job of its own."""
    pool: asyncpg.Pool = ctx["pool"]
    settings: Settings = ctx["settings"]
    status = await guarded(
        ctx,
        company_id,
        job_id,
        lambda: run_full_repost(
            pool,
            UUID(company_id),
            job_id,
            batch_orders=settings.repost_batch_orders,
            step_seconds=step_seconds(settings),
        ),
    )
    if status == "BUSY":  # another re-post of this company holds the lock
        raise Retry(defer=2)
    if status == "CONTINUE":
        step = f"{job_id}:step:{uuid.uuid4().hex[:12]}"
        await enqueue(ctx["redis"], REPOST_FUNCTION, step, company_id, job_id)
    elif status == "DONE":
        await _enqueue_cleanup(ctx, company_id)
    return status


async def cleanup_journal_versions(ctx: dict[str, Any], company_id: str | None = None) -> int:
    """Delete retired journal versions: of one company, or (as a cron) of all.

    Each company's deletion is a step that ends well inside the job timeout;
    what is left is the next step, a job of its own, so a large company's old
    books go in minutes rather than one timed-out job per cron period."""
    pool: asyncpg.Pool = ctx["pool"]
    settings: Settings = ctx["settings"]
    try:
        if company_id is None:  # the cron: one job per company
            rows = await pool.fetch("SELECT DISTINCT company_id FROM books_retired")
            for r in rows:
                await _enqueue_cleanup(ctx, str(r["company_id"]))
            return 0
        deleted, finished = await cleanup_retired_versions(
            pool, UUID(company_id), seconds=step_seconds(settings)
        )
        if not finished:
            await _enqueue_cleanup(ctx, company_id)
    except TRANSIENT as exc:
        raise transient_retry(ctx, exc) from exc
    return deleted


async def _enqueue_cleanup(ctx: dict[str, Any], company_id: str) -> None:
    step = f"cleanup:{company_id}:{uuid.uuid4().hex[:12]}"
    await enqueue(ctx["redis"], CLEANUP_FUNCTION, step, company_id)


@capped
async def repost_channel(ctx: dict[str, Any], company_id: str, job_id: str) -> bool:
    return await guarded(
        ctx, company_id, job_id, lambda: run_channel_repost(ctx["pool"], UUID(company_id), job_id)
    )


@capped
async def recost_skus(ctx: dict[str, Any], company_id: str, job_id: str) -> bool:
    return await guarded(
        ctx, company_id, job_id, lambda: run_recost(ctx["pool"], UUID(company_id), job_id)
    )


async def recost_moved_skus(ctx: dict[str, Any]) -> int:
    """Cost again the SKUs whose sales moved (new orders, restocks, actions)."""
    from service.ledger.inventory import recost_pending

    return await recost_pending(ctx["pool"])


@capped
async def sync_inventory_costs(ctx: dict[str, Any], company_id: str, job_id: str) -> bool:
    settings: Settings = ctx["settings"]
    row = await ctx["pool"].fetchrow(
        "SELECT c.provider, c.settings->>'baseUrl' AS url FROM jobs j JOIN inventory_connections c "
        "ON c.company_id = j.company_id AND c.provider = j.payload->>'provider' "
        "WHERE j.company_id = $1 AND j.job_id = $2",
        UUID(company_id),
        job_id,
    )
    problem = (
        url_problem(row["url"], row["provider"], allow_any=settings.allow_any_api_host)
        if row is not None and row["url"]
        else None
    )
    if problem is not None:  # stored while any host was allowed: never called here
        reason = f"the inventory system's address is not allowed: {problem}; connect it again"
        await fail_job(ctx["pool"], UUID(company_id), job_id, reason)
        return False
    return await guarded(
        ctx,
        company_id,
        job_id,
        lambda: run_inventory_sync(
            ctx["pool"], settings.resolved_secret_key(), UUID(company_id), job_id
        ),
    )


@capped
async def sync_marketplace(ctx: dict[str, Any], company_id: str, job_id: str) -> bool:
    """An Amazon seller account's or TikTok shop's settlements and orders."""
    settings: Settings = ctx["settings"]
    return await guarded(
        ctx,
        company_id,
        job_id,
        lambda: run_marketplace_sync(
            ctx["pool"], settings.resolved_secret_key(), UUID(company_id), job_id
        ),
    )


async def schedule_marketplace_syncs(ctx: dict[str, Any]) -> int:
    """Fetch new settlements hourly from every connected marketplace account."""
    pool: asyncpg.Pool = ctx["pool"]
    started = 0
    for row in await pool.fetch("SELECT company_id, store_id FROM marketplace_accounts"):
        async with pool.acquire() as conn:
            job = await request_marketplace_sync(conn, row["company_id"], row["store_id"])
        started += await enqueue(
            ctx["redis"], MARKETPLACE_FUNCTION, job.job_id, str(row["company_id"]), job.job_id
        )
    return started


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


@capped
async def repost_orders(ctx: dict[str, Any], company_id: str, job_id: str) -> bool:
    return await guarded(
        ctx, company_id, job_id, lambda: run_orders_repost(ctx["pool"], UUID(company_id), job_id)
    )


@capped
async def process_shopify_event(
    ctx: dict[str, Any], company_id: str, event_id: int, order_marker: str = ""
) -> str:
    """Process one stored event; one that keeps failing becomes FAILED, never stuck PENDING.

    `order_marker`: set while this job waits, so that the order's next
    webhooks enqueue no job of their own (see enqueue_new_events); cleared
    before the order's waiting webhooks are looked for."""
    if order_marker:
        await ctx["redis"].delete(order_marker)
    try:
        outcome = await process_event(ctx["pool"], UUID(company_id), event_id)
    except TRANSIENT as exc:
        raise transient_retry(ctx, exc) from exc
    except Exception as exc:
        log.exception("event %s of company %s failed", event_id, company_id)
        status = await record_failed_attempt(
            ctx["pool"], UUID(company_id), event_id, failure_reason(exc), EVENT_MAX_ATTEMPTS
        )
        if status == "PENDING" and ctx.get("job_try", 1) < MAX_TRIES:
            raise transient_retry(ctx, exc) from exc
        return status
    return outcome.status  # BUSY: the job holding the order takes this event too


@capped
async def _stored_host_problem(ctx: dict[str, Any], company_id: str, run_id: str) -> str | None:
    """A store connected before the allow-list (or while it was open) may hold an
    address this deployment must not call: checked again before every sync."""
    settings: Settings = ctx["settings"]
    url = await ctx["pool"].fetchval(
        "SELECT s.api_base_url FROM sync_runs r JOIN stores s USING (company_id, store_id) "
        "WHERE r.company_id = $1 AND r.run_id = $2",
        UUID(company_id),
        UUID(run_id),
    )
    if url is None:
        return None
    return url_problem(url, "shopify", allow_any=settings.allow_any_api_host)


async def sync_shopify_store(ctx: dict[str, Any], company_id: str, run_id: str) -> str:
    from service.sync.shopify_sync import run_sync_step

    problem = await _stored_host_problem(ctx, company_id, run_id)
    if problem is not None:
        await finish_run(
            ctx["pool"],
            UUID(company_id),
            UUID(run_id),
            "FAILED",
            progress="failed",
            error=f"the store's API address is not allowed: {problem}; connect it again",
        )
        return "FAILED"
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
    except RetryLater as exc:  # the shop asks for a wait: free the slot meanwhile
        if ctx.get("job_try", 1) < MAX_TRIES:
            raise Retry(defer=min(120.0, max(1.0, exc.wait))) from exc
        await _fail_run(ctx, company_id, run_id, exc, generic=False)
        return "FAILED"
    except TRANSIENT as exc:
        if ctx.get("job_try", 1) < MAX_TRIES:
            raise transient_retry(ctx, exc) from exc
        await _fail_run(ctx, company_id, run_id, exc)
        return "FAILED"
    except Retry:
        raise
    except Exception as exc:
        log.exception("sync run %s failed", run_id)
        await _fail_run(ctx, company_id, run_id, exc)
        return "FAILED"
    if result.status == "CONTINUE":
        step = uuid.uuid4().hex[:12]
        await enqueue(
            ctx["redis"], SYNC_FUNCTION, sync_job_id(result.run_id, step), company_id, run_id
        )
    return result.status


async def _fail_run(
    ctx: dict[str, Any], company_id: str, run_id: str, exc: BaseException, *, generic: bool = True
) -> None:
    """A crashed sync run ends FAILED, so that the next syncStore starts a new one.
    The reason names the kind of failure only: details stay in the worker's log."""
    reason = (
        f"the sync stopped on an internal error ({type(exc).__name__}); it can be started again"
    )
    if not generic:
        reason = f"the shop kept asking to wait ({exc}); the sync can be started again"
    await finish_run(
        ctx["pool"], UUID(company_id), UUID(run_id), "FAILED", progress="failed", error=reason
    )


async def refetch_waiting_orders(ctx: dict[str, Any]) -> int:
    """Read again the orders whose history waits for a missing part."""
    from service.sync.shopify_sync import refetch_waiting_orders as refetch

    settings: Settings = ctx["settings"]
    try:
        return await refetch(ctx["pool"], settings.resolved_secret_key())
    except (*TRANSIENT, RetryLater) as exc:
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


async def _requeue_abandoned(ctx: dict[str, Any]) -> int:
    """RUNNING jobs whose worker died with its queue message lost: run them again
    (a fresh message id; the job row and its work are the same)."""
    settings: Settings = ctx.get("settings") or get_settings()
    count = 0
    for job in await abandoned_jobs(
        ctx["pool"], older_than_seconds=2 * settings.job_timeout_seconds
    ):
        function = function_for(job.kind)
        if function is not None:
            message_id = f"{job.job_id}:again:{uuid.uuid4().hex[:8]}"
            count += await enqueue(
                ctx["redis"], function, message_id, str(job.company_id), job.job_id
            )
    return count


async def requeue_stale_jobs(ctx: dict[str, Any]) -> int:
    """Enqueue again the work whose queue message never arrived."""
    pool: asyncpg.Pool = ctx["pool"]
    count = 0
    for job in await stale_queued_jobs(pool, older_than_seconds=30):
        function = function_for(job.kind)
        if function is not None:
            count += await enqueue(
                ctx["redis"], function, job.job_id, str(job.company_id), job.job_id
            )
    count += await _requeue_abandoned(ctx)
    for company_id, event_id in await stale_pending_events(pool, older_than_seconds=30):
        count += await enqueue_event(
            ctx["redis"],
            PROCESS_EVENT_FUNCTION,
            event_job_id(company_id, event_id),
            str(company_id),
            event_id,
        )
    if count:
        log.info("re-enqueued %d jobs", count)
    return count
