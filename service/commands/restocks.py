"""Restocks as commands: SKU rows (all or none) and channel-level amounts.

A bad row raises RestockRowsError out of the transaction, so nothing is
saved and the key is not kept: the corrected request may use it again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from uuid import UUID

import asyncpg
from arq.connections import ArqRedis

from service.commands.runner import Outcome, run_command
from service.domain.restocks import BulkMode
from service.ledger.restocks import report_channel_restock as report
from service.ledger.restocks import save_sku_restocks


async def save_restock_rows(
    pool: asyncpg.Pool,
    queue: ArqRedis | None,
    company_id: UUID,
    store_id: UUID,
    channel: str,
    rows: Sequence[dict[str, str]],
    mode: BulkMode,
    operation: str,
    idempotency_key: str | None,
) -> Outcome:
    async def body(conn: asyncpg.Connection) -> Outcome:
        saved = await save_sku_restocks(conn, company_id, store_id, channel, rows, mode)
        return Outcome(result={"saved": len(saved)})

    return await run_command(pool, queue, company_id, operation, idempotency_key, body)


async def report_channel_restock(
    pool: asyncpg.Pool,
    queue: ArqRedis | None,
    company_id: UUID,
    store_id: UUID,
    channel: str,
    period: tuple[dt.date, dt.date],
    amount: int,
    idempotency_key: str | None,
) -> Outcome:
    async def body(conn: asyncpg.Connection) -> Outcome:
        await report(conn, company_id, store_id, channel, period[0], period[1], amount)
        return Outcome(result={"saved": 1})

    return await run_command(pool, queue, company_id, "reportChannelRestock", idempotency_key, body)
