"""resolveMissingCost and resolveMissingCostsBySku: a person supplies the cost."""

from __future__ import annotations

from uuid import UUID

import asyncpg
import strawberry

from service.api.context import Info
from service.api.loaders import load_books
from service.api.types.job import Job
from service.api.types.order import Order, parse_order_id
from service.api.types.user_error import UserError, UserErrorCode
from service.db.queue import enqueue
from service.domain.money import MoneyError, to_minor
from service.ledger.order_actions import ORDERS_FUNCTION, request_orders_repost
from service.ledger.order_posting import repost_order
from service.ledger.orders import orders_by_keys


@strawberry.input
class ResolveMissingCostInput:
    order_id: strawberry.ID
    sku: str
    unit_cost: str = strawberry.field(description="Cost per unit, a decimal string.")
    idempotency_key: str | None = None


@strawberry.input
class ResolveMissingCostsBySkuInput:
    sku: str
    unit_cost: str
    idempotency_key: str | None = None


@strawberry.type
class ResolveMissingCostPayload:
    orders: list[Order] = strawberry.field(default_factory=list)
    repost_job: Job | None = strawberry.field(
        default=None, description="Re-posts the orders in the background (the bulk form)."
    )
    user_errors: list[UserError] = strawberry.field(default_factory=list)


def _cost(raw: str, currency: str) -> tuple[int | None, UserError | None]:
    try:
        cost = to_minor(raw.strip(), currency)
    except MoneyError:
        return None, UserError(
            field="input.unitCost",
            code=UserErrorCode.INVALID,
            message=f"unit cost {raw!r} is not an amount",
        )
    if cost < 0:
        return None, UserError(
            field="input.unitCost",
            code=UserErrorCode.INVALID,
            message="a unit cost cannot be negative",
        )
    return cost, None


async def _store_costs(
    conn: asyncpg.Connection,
    company_id: UUID,
    targets: list[tuple[UUID, str]],
    sku: str,
    cost: int,
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
    info: Info, input: ResolveMissingCostInput
) -> ResolveMissingCostPayload:
    ctx = info.context
    key = parse_order_id(input.order_id)
    _, currency = await load_books(ctx)
    lines = 0
    if key is not None:
        lines = await ctx.pool.fetchval(
            "SELECT count(*) FROM order_skus WHERE company_id = $1 AND store_id = $2 "
            "AND order_id = $3 AND sku = $4",
            ctx.company_id,
            key[0],
            key[1],
            input.sku,
        )
    if key is None or not lines:
        return ResolveMissingCostPayload(
            user_errors=[
                UserError(
                    field="input.orderId",
                    code=UserErrorCode.NOT_FOUND,
                    message=f"no line with SKU {input.sku!r} on order {input.order_id!r}",
                )
            ]
        )
    cost, error = _cost(input.unit_cost, currency)
    if error or cost is None:
        return ResolveMissingCostPayload(user_errors=[error] if error else [])
    async with ctx.pool.acquire() as conn, conn.transaction():
        await _store_costs(conn, ctx.company_id, [key], input.sku, cost)
        await repost_order(conn, ctx.company_id, *key)
    ctx.loaders.clear()
    version, _ = await load_books(ctx)
    found = await orders_by_keys(ctx.pool, ctx.company_id, version, [key])
    return ResolveMissingCostPayload(orders=[Order.from_summary(o) for o in found.values()])


async def resolve_missing_costs_by_sku(
    info: Info, input: ResolveMissingCostsBySkuInput
) -> ResolveMissingCostPayload:
    """Every order listed as missing a cost for the SKU gets this cost."""
    ctx = info.context
    version, currency = await load_books(ctx)
    cost, error = _cost(input.unit_cost, currency)
    if error or cost is None:
        return ResolveMissingCostPayload(user_errors=[error] if error else [])
    rows = await ctx.pool.fetch(
        "SELECT DISTINCT store_id, order_id FROM missing_costs WHERE company_id = $1 "
        "AND journal_version = $2 AND sku = $3 ORDER BY 1, 2",
        ctx.company_id,
        version,
        input.sku,
    )
    if not rows:
        return ResolveMissingCostPayload(
            user_errors=[
                UserError(
                    field="input.sku",
                    code=UserErrorCode.NOT_APPLICABLE,
                    message=f"no order is missing a cost for SKU {input.sku!r}",
                )
            ]
        )
    targets = [(r["store_id"], r["order_id"]) for r in rows]
    async with ctx.pool.acquire() as conn, conn.transaction():
        await _store_costs(conn, ctx.company_id, targets, input.sku, cost)
        job = await request_orders_repost(conn, ctx.company_id, targets, f"cost of {input.sku}")
    await enqueue(ctx.queue, ORDERS_FUNCTION, job.job_id, str(ctx.company_id), job.job_id)
    found = await orders_by_keys(ctx.pool, ctx.company_id, version, targets)
    return ResolveMissingCostPayload(
        orders=[Order.from_summary(o) for o in found.values()], repost_job=Job.from_record(job)
    )
