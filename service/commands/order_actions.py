"""applyOrderAction as a command: replayed first, checked and applied in one transaction.

The check reads the orders in the same transaction that changes them, so a
balance closed by a concurrent request cannot be closed twice; a retry of a
request that already closed it replays its result instead of being told
the balance is gone.
"""

from __future__ import annotations

import datetime as dt
from uuid import UUID

import asyncpg
from arq.connections import ArqRedis

from service.commands.runner import Outcome, run_command
from service.ledger.order_actions import apply_order_action as apply_action
from service.ledger.orders import orders_by_keys

OPERATION = "applyOrderAction"
CLOSING = {"CLOSE_UNCOLLECTED": "uncollected", "CLOSE_OVERCOLLECTED": "over-collected"}

OrderKey = tuple[UUID, str]


def _refusal(summary: object, action: str) -> str | None:
    """Why the action does not apply to this order, or None."""
    balance = getattr(summary, "open_balance", 0)
    if action == "CLOSE_OVERCOLLECTED" and balance >= 0:
        return f"order {getattr(summary, 'name', '')} has no over-collected balance"
    if action == "CLOSE_UNCOLLECTED" and balance <= 0:
        return f"order {getattr(summary, 'name', '')} has no uncollected balance"
    return None


async def _check(
    conn: asyncpg.Connection, company_id: UUID, keys: dict[int, OrderKey], action: str
) -> list[tuple[str | None, str, str]]:
    version = await conn.fetchval(
        "SELECT current_version FROM books WHERE company_id = $1", company_id
    )
    found = await orders_by_keys(conn, company_id, version, list(keys.values()))
    refusals: list[tuple[str | None, str, str]] = []
    for i, key in keys.items():
        summary = found.get(key)
        if summary is None:
            refusals.append((f"input.orderIds.{i}", "NOT_FOUND", f"no order {key[1]!r}"))
        elif (why := _refusal(summary, action)) is not None:
            refusals.append((f"input.orderIds.{i}", "NOT_APPLICABLE", why))
    return refusals


async def apply_order_action(
    pool: asyncpg.Pool,
    queue: ArqRedis | None,
    company_id: UUID,
    keys: dict[int, OrderKey],
    action: str,
    date: dt.date | None,
    idempotency_key: str | None,
) -> Outcome:
    """All or nothing: any refused order means no order is changed."""

    async def body(conn: asyncpg.Connection) -> Outcome:
        refusals = await _check(conn, company_id, keys, action)
        if refusals:
            return Outcome(refusals=refusals)
        await apply_action(conn, company_id, list(keys.values()), action, date)
        return Outcome(result={"applied": True})

    return await run_command(pool, queue, company_id, OPERATION, idempotency_key, body)
