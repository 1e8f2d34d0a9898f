"""Costs given by hand and purchases recorded: each a command with its re-post or re-cost.

The order line (or the orders missing a cost) is looked up inside the
transaction that stores the cost, so the answer and the change agree.
"""

from __future__ import annotations

from uuid import UUID

import asyncpg
from arq.connections import ArqRedis

from service.commands.runner import Outcome, Wake, run_command
from service.ledger.inventory import RECOST_FUNCTION, Purchase, record_purchases
from service.ledger.order_actions import ORDERS_FUNCTION, request_orders_repost
from service.ledger.order_posting import repost_order

OrderKey = tuple[UUID, str]


async def _store_costs(
    conn: asyncpg.Connection, company_id: UUID, targets: list[OrderKey], sku: str, cost: int
) -> None:
    for store_id, order_id in targets:
        await conn.execute(
            """
            INSERT INTO line_costs (company_id, store_id, order_id, sku, source, unit_cost)
            VALUES ($1, $2, $3, $4, 'MANUAL', $5)
            ON CONFLICT (company_id, store_id, order_id, sku, source) DO UPDATE
                SET unit_cost = excluded.unit_cost, missing = false, updated_at = now()
            """,
            company_id,
            store_id,
            order_id,
            sku,
            cost,
        )


async def resolve_missing_cost(
    pool: asyncpg.Pool,
    queue: ArqRedis | None,
    company_id: UUID,
    key: OrderKey,
    sku: str,
    cost: int,
    idempotency_key: str | None,
) -> Outcome:
    """One order line's cost; the order is re-posted in the same transaction."""

    async def body(conn: asyncpg.Connection) -> Outcome:
        lines = await conn.fetchval(
            "SELECT count(*) FROM order_skus WHERE company_id = $1 AND store_id = $2 "
            "AND order_id = $3 AND sku = $4",
            company_id,
            key[0],
            key[1],
            sku,
        )
        if not lines:
            return Outcome(refusals=[("input.orderId", "NOT_FOUND", f"no line with SKU {sku!r}")])
        await _store_costs(conn, company_id, [key], sku, cost)
        await repost_order(conn, company_id, *key)
        return Outcome(result={"orders": [[str(key[0]), key[1]]]})

    return await run_command(pool, queue, company_id, "resolveMissingCost", idempotency_key, body)


async def resolve_missing_costs_by_sku(
    pool: asyncpg.Pool,
    queue: ArqRedis | None,
    company_id: UUID,
    sku: str,
    cost: int,
    idempotency_key: str | None,
) -> Outcome:
    """Every order missing a cost for the SKU gets it; one job re-posts them."""

    async def body(conn: asyncpg.Connection) -> Outcome:
        rows = await conn.fetch(
            "SELECT DISTINCT m.store_id, m.order_id FROM missing_costs m JOIN books b "
            "ON b.company_id = m.company_id AND b.current_version = m.journal_version "
            "WHERE m.company_id = $1 AND m.sku = $2 ORDER BY 1, 2",
            company_id,
            sku,
        )
        if not rows:
            why = f"no order is missing a cost for SKU {sku!r}"
            return Outcome(refusals=[("input.sku", "NOT_APPLICABLE", why)])
        targets = [(r["store_id"], r["order_id"]) for r in rows]
        await _store_costs(conn, company_id, targets, sku, cost)
        job = await request_orders_repost(conn, company_id, targets, f"cost of {sku}")
        return Outcome(
            result={"jobId": job.job_id, "orders": [[str(s), o] for s, o in targets]},
            wake=[Wake(ORDERS_FUNCTION, job.job_id, (str(company_id), job.job_id))],
        )

    return await run_command(
        pool, queue, company_id, "resolveMissingCostsBySku", idempotency_key, body
    )


async def record_purchase_rows(
    pool: asyncpg.Pool,
    queue: ArqRedis | None,
    company_id: UUID,
    purchases: list[Purchase],
    operation: str,
    idempotency_key: str | None,
) -> Outcome:
    """Receipts of goods; one job re-costs the SKUs they move."""

    async def body(conn: asyncpg.Connection) -> Outcome:
        job = await record_purchases(conn, company_id, purchases)
        return Outcome(
            result={"jobId": job.job_id, "count": len(purchases)},
            wake=[Wake(RECOST_FUNCTION, job.job_id, (str(company_id), job.job_id))],
        )

    return await run_command(pool, queue, company_id, operation, idempotency_key, body)
