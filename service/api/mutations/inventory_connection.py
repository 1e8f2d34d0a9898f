"""testInventoryConnection: fetch one shipped order's cost now, to show the
merchant at once whether costs will come through (and from where)."""

from __future__ import annotations

import datetime as dt

import strawberry

from service.api.context import Info
from service.api.mutations.connect_inventory_system import InventoryProvider
from service.api.types.money import Money
from service.api.types.user_error import UserError, UserErrorCode
from service.domain.inventory_costs import to_minor
from service.sync.inventory_systems import (
    ConnectionProblem,
    NotConnected,
    sample_inventory_cost,
)

HOW = {
    InventoryProvider.FINALE: (
        "Finale records each sale's cost when its shipment ships (stock history); "
        "storebooks reads that cost per shipped unit."
    ),
    InventoryProvider.GOFLOW: (
        "Goflow publishes no cost per order; storebooks uses the product cost Goflow holds "
        "for the ship date (its inventory adjustments)."
    ),
}


@strawberry.input
class TestInventoryConnectionInput:
    provider: InventoryProvider


@strawberry.type(description="One shipped product's cost as the inventory system gives it.")
class InventoryCostSample:
    order_reference: str = strawberry.field(description="The order as the system names it.")
    product_id: str = strawberry.field(description="The system's product id (SKU mapping key).")
    units: int
    shipped_on: dt.date
    unit_cost: Money | None = strawberry.field(
        description="Cost per unit; null when the system has none (it will show as missing)."
    )
    exact_unit_cost: str | None = strawberry.field(description="The cost exactly as sent.")
    source: str = strawberry.field(description="The endpoint and field the cost came from.")


@strawberry.type
class TestInventoryConnectionPayload:
    ok: bool = False
    message: str = ""
    sample: InventoryCostSample | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


def _refused(
    message: str, code: UserErrorCode = UserErrorCode.INVALID
) -> TestInventoryConnectionPayload:
    return TestInventoryConnectionPayload(
        message=message, user_errors=[UserError(field="input.provider", code=code, message=message)]
    )


async def test_inventory_connection(
    info: Info, input: TestInventoryConnectionInput
) -> TestInventoryConnectionPayload:
    """Ask the connected system for the latest shipped sale of the last 30 days."""
    ctx = info.context
    currency = await ctx.pool.fetchval(
        "SELECT coalesce(min(currency_code), 'USD') FROM stores WHERE company_id = $1",
        ctx.company_id,
    )
    try:
        sample = await sample_inventory_cost(
            ctx.pool, ctx.secret_key, ctx.company_id, input.provider.value
        )
    except NotConnected:
        return _refused(f"{input.provider.value} is not connected", UserErrorCode.NOT_APPLICABLE)
    except ConnectionProblem as exc:
        reason = "The credentials were refused" if exc.auth else "No cost could be read"
        return _refused(f"{reason}: {exc}")
    if sample is None:
        return TestInventoryConnectionPayload(
            ok=True,
            message=f"Connected. No order shipped in the last 30 days. {HOW[input.provider]}",
        )
    cost = sample.unit_cost
    found = InventoryCostSample(
        order_reference=sample.order_ref,
        product_id=sample.product_id,
        units=sample.units,
        shipped_on=sample.shipped_on,
        unit_cost=None if cost is None else Money.of(to_minor(cost, currency), currency),
        exact_unit_cost=None if cost is None else str(cost),
        source=sample.where,
    )
    state = "costs come through" if cost is not None else "this unit has no cost yet"
    return TestInventoryConnectionPayload(
        ok=True, message=f"Connected; {state}. {HOW[input.provider]}", sample=found
    )
