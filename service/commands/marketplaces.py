"""Marketplace accounts and settlements as commands.

Connecting an account records the store, its sealed credentials and its
first sync in one transaction; an uploaded settlement is stored and posted
whole or refused whole (its lines must add up to its total), and the same
settlement already fetched through the API is answered as already there.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

import asyncpg
from arq.connections import ArqRedis

from service.commands.runner import Outcome, Wake, run_command
from service.domain.marketplace import LineKind, Settlement, SettlementError
from service.ledger.jobs import JobRecord
from service.ledger.marketplace_accounts import (
    MARKETPLACE_FUNCTION,
    AccountAlreadyConnected,
    connect_account,
    request_sync,
)
from service.ledger.settlements import save_settlement, set_mapping


def _wake(company_id: UUID, job: JobRecord) -> Wake:
    return Wake(MARKETPLACE_FUNCTION, job.job_id, (str(company_id), job.job_id))


async def connect_marketplace(
    pool: asyncpg.Pool,
    queue: ArqRedis | None,
    company_id: UUID,
    secret_key: str,
    account: dict[str, Any],
    idempotency_key: str | None,
) -> Outcome:
    """``account``: marketplace, name, timezone, currency, settings, credentials."""

    async def body(conn: asyncpg.Connection) -> Outcome:
        try:
            store_id = await connect_account(conn, company_id, secret_key, **account)
        except AccountAlreadyConnected as exc:
            return Outcome(refusals=[("input", "CONFLICT", str(exc))])
        job = await request_sync(conn, company_id, store_id)
        return Outcome(
            result={"storeId": str(store_id), "jobId": job.job_id}, wake=[_wake(company_id, job)]
        )

    operation = f"connect{account['marketplace'].capitalize()}Account"
    return await run_command(pool, queue, company_id, operation, idempotency_key, body)


async def sync_marketplace(
    pool: asyncpg.Pool, queue: ArqRedis | None, company_id: UUID, store_id: UUID
) -> Outcome:
    async def body(conn: asyncpg.Connection) -> Outcome:
        job = await request_sync(conn, company_id, store_id)
        return Outcome(result={"jobId": job.job_id}, wake=[_wake(company_id, job)])

    return await run_command(pool, queue, company_id, "syncMarketplace", None, body)


async def import_settlement(
    pool: asyncpg.Pool,
    queue: ArqRedis | None,
    company_id: UUID,
    store_id: UUID,
    settlement: Settlement,
    idempotency_key: str | None,
) -> Outcome:
    async def body(conn: asyncpg.Connection) -> Outcome:
        try:
            async with conn.transaction():
                created = await save_settlement(conn, company_id, store_id, settlement, "UPLOAD")
        except SettlementError as exc:
            return Outcome(refusals=[("input.file", "INVALID", str(exc))])
        return Outcome(result={"settlementId": settlement.settlement_id, "created": created})

    return await run_command(pool, queue, company_id, "importSettlement", idempotency_key, body)


async def set_settlement_mapping(
    pool: asyncpg.Pool,
    queue: ArqRedis | None,
    company_id: UUID,
    store_id: UUID,
    description: str,
    kind: LineKind,
    idempotency_key: str | None,
) -> Outcome:
    """Place a combination no rule knows; the store's settlements are posted again."""

    async def body(conn: asyncpg.Connection) -> Outcome:
        changed = await set_mapping(conn, company_id, store_id, description, kind)
        return Outcome(result={"changed": changed})

    return await run_command(pool, queue, company_id, "setSettlementMapping", idempotency_key, body)
