"""Connecting a PayPal or Stripe account to a store, and syncing it now.

The account (credentials sealed) and its first run are recorded in one
transaction; the run's job is woken after commit.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

import asyncpg
from arq.connections import ArqRedis

from service.commands.runner import Outcome, Wake, run_command
from service.ledger.processor_accounts import (
    PROCESSOR_SYNC_FUNCTION,
    connect_account,
    job_id,
    request_run,
)


def _wake(company_id: UUID, run_id: UUID) -> Wake:
    return Wake(PROCESSOR_SYNC_FUNCTION, job_id(run_id), (str(company_id), str(run_id)))


async def connect_processor_account(
    pool: asyncpg.Pool,
    queue: ArqRedis | None,
    company_id: UUID,
    secret_key: str,
    processor: str,
    store_id: UUID,
    settings: dict[str, Any],
    credentials: dict[str, Any],
    idempotency_key: str | None,
) -> Outcome:
    async def body(conn: asyncpg.Connection) -> Outcome:
        account = await connect_account(
            conn, company_id, secret_key, processor, store_id, settings, credentials
        )
        run = await request_run(conn, company_id, account.account_id)
        return Outcome(
            result={"accountId": str(account.account_id), "runId": str(run.run_id)},
            wake=[_wake(company_id, run.run_id)],
        )

    return await run_command(
        pool, queue, company_id, "connectProcessorAccount", idempotency_key, body
    )


async def sync_processor_account(
    pool: asyncpg.Pool,
    queue: ArqRedis | None,
    company_id: UUID,
    account_id: UUID,
    idempotency_key: str | None = None,
) -> Outcome:
    """A run now; the one already queued or running if there is one."""

    async def body(conn: asyncpg.Connection) -> Outcome:
        run = await request_run(conn, company_id, account_id)
        return Outcome(result={"runId": str(run.run_id)}, wake=[_wake(company_id, run.run_id)])

    return await run_command(pool, queue, company_id, "syncProcessorAccount", idempotency_key, body)
