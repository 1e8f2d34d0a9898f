"""Running a marketplace account's sync as a recorded job."""

from __future__ import annotations

from uuid import UUID

import asyncpg

from service.connectors.amazon.client import AmazonError
from service.connectors.tiktok.client import TikTokError
from service.ledger.jobs import fail_job, finish_job, start_job
from service.ledger.marketplace_accounts import MarketplaceAccount, load_account, mark_synced
from service.sync.amazon import sync_amazon
from service.sync.tiktok import sync_tiktok


async def run_marketplace_sync(
    pool: asyncpg.Pool, secret_key: str, company_id: UUID, job_id: str
) -> bool:
    """Sync one account; refusals and a refused login are the job's failure reason."""
    async with pool.acquire() as conn, conn.transaction():
        job = await start_job(conn, company_id, job_id)
    if job is None:
        return False
    store_id = UUID(job.payload["storeId"])
    account = await load_account(pool, company_id, store_id, secret_key)
    if account is None:
        await fail_job(pool, company_id, job_id, "the marketplace account is not connected")
        return False
    try:
        problems = await _sync(pool, secret_key, company_id, account)
    except (AmazonError, TikTokError) as exc:
        problems = [str(exc)]
    error = "; ".join(problems) or None
    await mark_synced(pool, company_id, store_id, error)
    if error:
        await fail_job(pool, company_id, job_id, error)
        return False
    async with pool.acquire() as conn, conn.transaction():
        await finish_job(conn, company_id, job_id)
    return True


async def _sync(
    pool: asyncpg.Pool, secret_key: str, company_id: UUID, account: MarketplaceAccount
) -> list[str]:
    if account.marketplace == "amazon":
        return await sync_amazon(pool, company_id, account)
    if account.marketplace == "tiktok":
        return await sync_tiktok(pool, secret_key, company_id, account)
    return [f"no sync for {account.marketplace}"]
