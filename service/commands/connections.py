"""Connecting sales channels and inventory systems, and asking them for data now.

Each is a command: the stored connection (credentials encrypted) and the
sync it starts are recorded in one transaction, and the sync's job is woken
after commit.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

import asyncpg
from arq.connections import ArqRedis

from service.commands.runner import Outcome, Wake, run_command
from service.domain.inventory_costs import SkuComponent
from service.ledger.inventory_systems import INVENTORY_FUNCTION, connect, request_sync, save_sku_map
from service.ledger.jobs import JobRecord
from service.ledger.sync_runs import BACKFILL, SYNC_FUNCTION, sync_job_id
from service.ledger.sync_runs import request_sync as request_store_sync
from service.sync.shopify_stores import ShopAlreadyConnected, connect_store


def _inventory_wake(company_id: UUID, job: JobRecord) -> Wake:
    return Wake(INVENTORY_FUNCTION, job.job_id, (str(company_id), job.job_id))


async def connect_shopify_store(
    pool: asyncpg.Pool,
    queue: ArqRedis | None,
    company_id: UUID,
    secret_key: str,
    store: dict[str, Any],
    idempotency_key: str | None,
) -> Outcome:
    """Store the shop's connection and start its backfill; a shop of another
    company is a CONFLICT (from the check, or from the unique index when two
    companies connect it at the same moment)."""

    async def body(conn: asyncpg.Connection) -> Outcome:
        try:
            async with conn.transaction():  # a savepoint: the loser's error stays here
                record = await connect_store(conn, company_id, secret_key, **store)
        except (ShopAlreadyConnected, asyncpg.UniqueViolationError):
            why = f"{store['shop_domain']} is already connected to another company"
            return Outcome(refusals=[("input.shopDomain", "CONFLICT", why)])
        run, _ = await request_store_sync(conn, company_id, record.store_id, BACKFILL)
        wake = Wake(
            SYNC_FUNCTION, sync_job_id(run.run_id, "start"), (str(company_id), str(run.run_id))
        )
        return Outcome(
            result={"storeId": str(record.store_id), "runId": str(run.run_id)}, wake=[wake]
        )

    return await run_command(pool, queue, company_id, "connectShopifyStore", idempotency_key, body)


async def sync_store(
    pool: asyncpg.Pool, queue: ArqRedis | None, company_id: UUID, store_id: UUID, kind: str
) -> Outcome:
    """A sync of the store now; the one already queued or running if there is one."""

    async def body(conn: asyncpg.Connection) -> Outcome:
        run, _ = await request_store_sync(conn, company_id, store_id, kind)
        wake = Wake(
            SYNC_FUNCTION, sync_job_id(run.run_id, "start"), (str(company_id), str(run.run_id))
        )
        return Outcome(result={"runId": str(run.run_id)}, wake=[wake])

    return await run_command(pool, queue, company_id, "syncStore", None, body)


async def connect_inventory_system(
    pool: asyncpg.Pool,
    queue: ArqRedis | None,
    company_id: UUID,
    secret_key: str,
    provider: str,
    settings: dict[str, str],
    credentials: dict[str, Any],
) -> Outcome:
    async def body(conn: asyncpg.Connection) -> Outcome:
        await connect(conn, company_id, secret_key, provider, settings, credentials)
        job = await request_sync(conn, company_id, provider)
        return Outcome(result={"jobId": job.job_id}, wake=[_inventory_wake(company_id, job)])

    return await run_command(pool, queue, company_id, "connectInventorySystem", None, body)


async def sync_inventory_costs(
    pool: asyncpg.Pool, queue: ArqRedis | None, company_id: UUID, provider: str
) -> Outcome:
    async def body(conn: asyncpg.Connection) -> Outcome:
        job = await request_sync(conn, company_id, provider)
        return Outcome(result={"jobId": job.job_id}, wake=[_inventory_wake(company_id, job)])

    return await run_command(pool, queue, company_id, "syncInventoryCosts", None, body)


async def set_inventory_sku_mapping(
    pool: asyncpg.Pool,
    queue: ArqRedis | None,
    company_id: UUID,
    provider: str,
    sku: str,
    parts: Sequence[SkuComponent],
) -> Outcome:
    """Save the mapping; a connected system fetches the SKU's costs again."""

    async def body(conn: asyncpg.Connection) -> Outcome:
        await save_sku_map(conn, company_id, provider, sku, list(parts))
        connected = await conn.fetchval(
            "SELECT 1 FROM inventory_connections WHERE company_id = $1 AND provider = $2",
            company_id,
            provider,
        )
        if not connected:
            return Outcome(result={"jobId": None})
        job = await request_sync(conn, company_id, provider)
        return Outcome(result={"jobId": job.job_id}, wake=[_inventory_wake(company_id, job)])

    return await run_command(pool, queue, company_id, "setInventorySkuMapping", None, body)
