"""updateBookkeepingSettings as a command: the change and its re-post and re-cost jobs at once."""

from __future__ import annotations

from uuid import UUID

import asyncpg
from arq.connections import ArqRedis

from service.commands.runner import Outcome, Wake, run_command
from service.ledger.inventory import RECOST_FUNCTION, request_recost
from service.ledger.reposting import REPOST_FUNCTION, request_full_repost
from service.ledger.settings import set_costing_method, update_settings


async def _recost_all(conn: asyncpg.Connection, company_id: UUID) -> str:
    skus = [
        r["sku"]
        for r in await conn.fetch(
            "SELECT sku FROM products WHERE company_id = $1 ORDER BY sku", company_id
        )
    ]
    return (await request_recost(conn, company_id, skus)).job_id


async def update_bookkeeping_settings(
    pool: asyncpg.Pool,
    queue: ArqRedis | None,
    company_id: UUID,
    *,
    accounting_basis: str | None,
    fulfillment_tracking: str | None,
    costing_method: str | None,
    store_ids: list[UUID],
    idempotency_key: str | None,
) -> Outcome:
    """A changed setting re-posts the books; a changed costing method re-costs every SKU."""

    async def body(conn: asyncpg.Connection) -> Outcome:
        change = await update_settings(
            conn,
            company_id,
            accounting_basis=accounting_basis,
            fulfillment_tracking=fulfillment_tracking,
            store_ids=store_ids,
        )
        wake: list[Wake] = []
        job_id = recost_id = None
        if change.changed:
            job = await request_full_repost(
                conn, company_id, change.settings.version, reason="settings changed"
            )
            job_id = job.job_id
            wake.append(Wake(REPOST_FUNCTION, job_id, (str(company_id), job_id)))
        if costing_method is not None and await set_costing_method(
            conn, company_id, costing_method
        ):
            recost_id = await _recost_all(conn, company_id)
            wake.append(Wake(RECOST_FUNCTION, recost_id, (str(company_id), recost_id)))
        return Outcome(result={"jobId": job_id, "recostJobId": recost_id}, wake=wake)

    return await run_command(
        pool, queue, company_id, "updateBookkeepingSettings", idempotency_key, body
    )
