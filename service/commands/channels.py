"""Channel statuses and gateway mappings: settings of a store that re-post its orders.

Each runs as a command: the idempotency key is replayed first, the change
and its re-post job are recorded in one transaction, and the job is woken
after commit. The result kept for replays names the job (and the gateway),
so a retry answers with the same job.
"""

from __future__ import annotations

from uuid import UUID

import asyncpg
from arq.connections import ArqRedis

from service.commands.runner import Outcome, Wake, run_command
from service.ledger.gateways import set_mapping
from service.ledger.jobs import JobRecord
from service.ledger.order_actions import CHANNEL_FUNCTION, request_store_repost
from service.ledger.order_actions import set_channel_status as set_status


def _wake(company_id: UUID, job: JobRecord | None) -> list[Wake]:
    if job is None:
        return []
    return [Wake(CHANNEL_FUNCTION, job.job_id, (str(company_id), job.job_id))]


async def set_channel_status(
    pool: asyncpg.Pool,
    queue: ArqRedis | None,
    company_id: UUID,
    store_id: UUID,
    source: str,
    status: str,
    idempotency_key: str | None,
) -> Outcome:
    async def body(conn: asyncpg.Connection) -> Outcome:
        job = await set_status(conn, company_id, store_id, source, status)
        return Outcome(result={"jobId": job.job_id if job else None}, wake=_wake(company_id, job))

    return await run_command(pool, queue, company_id, "setChannelStatus", idempotency_key, body)


async def set_gateway_mapping(
    pool: asyncpg.Pool,
    queue: ArqRedis | None,
    company_id: UUID,
    store_id: UUID,
    gateway: str,
    kind: str,
    idempotency_key: str | None,
) -> Outcome:
    async def body(conn: asyncpg.Connection) -> Outcome:
        record, changed = await set_mapping(conn, company_id, store_id, gateway, kind)
        job = None
        if changed:
            reason = f"gateway {gateway!r} is now {kind}"
            job = await request_store_repost(conn, company_id, store_id, reason)
        return Outcome(
            result={"jobId": job.job_id if job else None, "gateway": record.gateway},
            wake=_wake(company_id, job),
        )

    return await run_command(pool, queue, company_id, "setGatewayMapping", idempotency_key, body)
