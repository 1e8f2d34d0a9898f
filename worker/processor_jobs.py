"""Job functions for PayPal and Stripe accounts: one sync run, and the hourly schedule."""

from __future__ import annotations

import logging
import uuid
from typing import Any
from uuid import UUID

import asyncpg
from arq import Retry

from service.config import Settings
from service.connectors.hosts import url_problem
from service.connectors.retry import RetryLater
from service.db.queue import enqueue
from service.ledger.processor_accounts import (
    PROCESSOR_SYNC_FUNCTION,
    finish_run,
    get_account,
    get_run,
    job_id,
    request_run,
)
from service.sync.processors import run_processor_sync
from worker.jobs import step_seconds
from worker.running import MAX_TRIES, TRANSIENT, capped, transient_retry

log = logging.getLogger("storebooks.worker")


async def _host_problem(ctx: dict[str, Any], company_id: UUID, run_id: UUID) -> str | None:
    """An address stored while any host was allowed is never called here."""
    settings: Settings = ctx["settings"]
    run = await get_run(ctx["pool"], company_id, run_id)
    account = await get_account(ctx["pool"], company_id, run.account_id) if run else None
    url = account.settings.get("baseUrl") if account else None
    if account is None or not url:
        return None
    return url_problem(url, account.processor, allow_any=settings.allow_any_api_host)


@capped
async def sync_processor_account(ctx: dict[str, Any], company_id: str, run_id: str) -> str:
    pool: asyncpg.Pool = ctx["pool"]
    company, run = UUID(company_id), UUID(run_id)
    problem = await _host_problem(ctx, company, run)
    if problem is not None:
        reason = f"the account's API address is not allowed: {problem}; connect it again"
        await finish_run(pool, company, run, "FAILED", error=reason)
        return "FAILED"
    settings: Settings = ctx["settings"]
    try:
        status = await run_processor_sync(
            pool,
            settings.resolved_secret_key(),
            company,
            run,
            step_seconds=step_seconds(settings),
        )
    except RetryLater as exc:
        if ctx.get("job_try", 1) < MAX_TRIES:
            raise Retry(defer=min(120.0, max(1.0, exc.wait))) from exc
        reason = f"the processor kept asking to wait ({exc}); the sync can be started again"
    except TRANSIENT as exc:
        if ctx.get("job_try", 1) < MAX_TRIES:
            raise transient_retry(ctx, exc) from exc
        reason = f"the sync stopped on {type(exc).__name__}; it can be started again"
    except Exception as exc:
        log.exception("processor sync run %s failed", run_id)
        reason = f"the sync stopped on an internal error ({type(exc).__name__})"
    else:
        if status == "CONTINUE":
            step = f"{job_id(run)}:step:{uuid.uuid4().hex[:12]}"
            await enqueue(ctx["redis"], PROCESSOR_SYNC_FUNCTION, step, company_id, run_id)
        return status
    await finish_run(pool, company, run, "FAILED", error=reason)
    return "FAILED"


async def schedule_processor_syncs(ctx: dict[str, Any]) -> int:
    """Read every connected PayPal and Stripe account's new records, hourly."""
    pool: asyncpg.Pool = ctx["pool"]
    started = 0
    for row in await pool.fetch("SELECT company_id, account_id FROM processor_accounts"):
        async with pool.acquire() as conn:
            run = await request_run(conn, row["company_id"], row["account_id"])
        started += await enqueue(
            ctx["redis"],
            PROCESSOR_SYNC_FUNCTION,
            job_id(run.run_id),
            str(row["company_id"]),
            str(run.run_id),
        )
    return started
