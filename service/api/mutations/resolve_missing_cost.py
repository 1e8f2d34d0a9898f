"""resolveMissingCost and resolveMissingCostsBySku: a person supplies the cost."""

from __future__ import annotations

from uuid import UUID

import strawberry

from service.api.context import Info
from service.api.loaders import load_books
from service.api.types.job import Job
from service.api.types.order import Order, parse_order_id
from service.api.types.user_error import UserError, UserErrorCode
from service.commands import costs
from service.commands.runner import Outcome
from service.domain.money import MoneyError, to_minor
from service.ledger.jobs import get_job
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


async def resolve_missing_cost(
    info: Info, input: ResolveMissingCostInput
) -> ResolveMissingCostPayload:
    ctx = info.context
    key = parse_order_id(input.order_id)
    _, currency = await load_books(ctx)
    if key is None:
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
    outcome = await costs.resolve_missing_cost(
        ctx.pool, ctx.queue, ctx.company_id, key, input.sku, cost, input.idempotency_key
    )
    if outcome.refusals:  # the line is looked up with the change, in its transaction
        return ResolveMissingCostPayload(user_errors=_not_found(input))
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
    outcome = await costs.resolve_missing_costs_by_sku(
        ctx.pool, ctx.queue, ctx.company_id, input.sku, cost, input.idempotency_key
    )
    if outcome.refusals:
        return ResolveMissingCostPayload(user_errors=_user_errors(outcome))
    targets = [(UUID(s), o) for s, o in outcome.result["orders"]]
    job = await get_job(ctx.pool, ctx.company_id, outcome.result["jobId"])
    found = await orders_by_keys(ctx.pool, ctx.company_id, version, targets)
    return ResolveMissingCostPayload(
        orders=[Order.from_summary(o) for o in found.values()],
        repost_job=Job.from_record(job) if job else None,
    )


def _not_found(input: ResolveMissingCostInput) -> list[UserError]:
    return [
        UserError(
            field="input.orderId",
            code=UserErrorCode.NOT_FOUND,
            message=f"no line with SKU {input.sku[:100]!r} on order {input.order_id[:100]!r}",
        )
    ]


def _user_errors(outcome: Outcome) -> list[UserError]:
    return [UserError(field=f, code=UserErrorCode(c), message=m) for f, c, m in outcome.refusals]
