"""setInventorySkuMapping and inventorySkuMappings: which inventory-system
products (and how many units of each) make one unit of a store SKU.

Finale's product id and Goflow's item number are not always the store's
SKU: a marketplace SKU can point to another product, a pack ships several
units, a bundle several products. Without a mapping a SKU is its own
product, one unit. A change re-reads the costs from the system.
"""

from __future__ import annotations

import asyncpg
import strawberry

from service.api.context import Info
from service.api.mutations.connect_inventory_system import InventoryProvider
from service.api.types.connection import Connection, check_first, decode_cursor, page
from service.api.types.job import Job
from service.api.types.user_error import UserError, UserErrorCode
from service.commands import connections as commands
from service.domain.inventory_costs import MAX_COMPONENT_UNITS, MAX_COMPONENTS, SkuComponent
from service.ledger.jobs import get_job

MAX_TEXT = 255


@strawberry.input
class SkuComponentInput:
    product_id: str = strawberry.field(description="Finale productId or Goflow item number.")
    units: int = strawberry.field(description="Units of that product in one unit of the SKU.")


@strawberry.input
class SetInventorySkuMappingInput:
    provider: InventoryProvider
    sku: str
    components: list[SkuComponentInput] = strawberry.field(
        description="Empty: the SKU is its own product again."
    )
    idempotency_key: str | None = strawberry.field(
        default=None, description="Accepted; replacing a mapping is idempotent by itself."
    )


@strawberry.type
class InventorySkuComponent:
    product_id: str
    units: int


@strawberry.type(description="The products that make one unit of a store SKU.")
class InventorySkuMapping:
    provider: InventoryProvider
    sku: str
    components: list[InventorySkuComponent]


@strawberry.type
class SetInventorySkuMappingPayload:
    mapping: InventorySkuMapping | None = None
    sync_job: Job | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


def _error(field: str, code: UserErrorCode, message: str) -> UserError:
    return UserError(field=field, code=code, message=message)


def validate(input: SetInventorySkuMappingInput) -> list[UserError]:
    errors: list[UserError] = []
    if not input.sku.strip() or len(input.sku) > MAX_TEXT:
        errors.append(_error("input.sku", UserErrorCode.INVALID, "sku must be 1-255 characters"))
    if len(input.components) > MAX_COMPONENTS:
        errors.append(
            _error(
                "input.components", UserErrorCode.INVALID, f"at most {MAX_COMPONENTS} components"
            )
        )
    seen: set[str] = set()
    for i, c in enumerate(input.components):
        where = f"input.components[{i}]"
        pid = c.product_id.strip()
        if not pid or len(pid) > MAX_TEXT:
            errors.append(_error(f"{where}.productId", UserErrorCode.INVALID, "1-255 characters"))
        elif pid in seen:
            errors.append(_error(f"{where}.productId", UserErrorCode.CONFLICT, f"{pid} twice"))
        seen.add(pid)
        if not 1 <= c.units <= MAX_COMPONENT_UNITS:
            errors.append(
                _error(f"{where}.units", UserErrorCode.INVALID, f"1 to {MAX_COMPONENT_UNITS}")
            )
    return errors


async def set_inventory_sku_mapping(
    info: Info, input: SetInventorySkuMappingInput
) -> SetInventorySkuMappingPayload:
    """Replace the SKU's components, all or nothing, and fetch costs again."""
    errors = validate(input)
    if errors:
        return SetInventorySkuMappingPayload(user_errors=errors)
    ctx = info.context
    sku = input.sku.strip()
    parts = [SkuComponent(c.product_id.strip(), c.units) for c in input.components]
    provider = input.provider.value
    outcome = await commands.set_inventory_sku_mapping(
        ctx.pool, ctx.queue, ctx.company_id, provider, sku, parts
    )
    job_id = outcome.result.get("jobId")
    job = await get_job(ctx.pool, ctx.company_id, job_id) if job_id else None
    mapping = InventorySkuMapping(
        provider=input.provider,
        sku=sku,
        components=[InventorySkuComponent(product_id=p.product_id, units=p.units) for p in parts],
    )
    return SetInventorySkuMappingPayload(
        mapping=mapping, sync_job=Job.from_record(job) if job else None
    )


async def inventory_sku_mappings(
    info: Info, provider: InventoryProvider, first: int = 50, after: str | None = None
) -> Connection[InventorySkuMapping]:
    """The merchant's SKU mappings for one system, by SKU."""
    ctx = info.context
    check_first(first)
    key = decode_cursor(after)
    rows = await ctx.pool.fetch(
        """
        SELECT sku, array_agg(product_id ORDER BY product_id) AS products,
               array_agg(units ORDER BY product_id) AS units
        FROM inventory_sku_maps WHERE company_id = $1 AND provider = $2
          AND ($3::text IS NULL OR sku > $3)
        GROUP BY sku ORDER BY sku LIMIT $4
        """,
        ctx.company_id,
        provider.value,
        key if isinstance(key, str) else None,
        first + 1,
    )
    total = await ctx.pool.fetchval(
        "SELECT count(DISTINCT sku) FROM inventory_sku_maps WHERE company_id = $1 "
        "AND provider = $2",
        ctx.company_id,
        provider.value,
    )

    def node(row: asyncpg.Record) -> InventorySkuMapping:
        return InventorySkuMapping(
            provider=provider,
            sku=row["sku"],
            components=[
                InventorySkuComponent(product_id=p, units=u)
                for p, u in zip(row["products"], row["units"], strict=True)
            ],
        )

    result: Connection[InventorySkuMapping] = page(rows, first, lambda r: r["sku"], total, node)
    return result
