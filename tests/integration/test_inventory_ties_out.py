"""Inventory in the books equals the value of the units on hand, on every
date (posting rule 14.4), through the API: purchases, orders shipped days
after they were placed, a refund that restocks, a damaged unit and a
restock reported by hand, costed by moving average and then by FIFO."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Awaitable, Callable
from decimal import Decimal

import asyncpg
import httpx
import pytest

from service.ledger.inventory import recost_pending
from service.ledger.verify import verify_company
from tests.conftest import GraphQL, Tenant
from tests.e2e.test_seed_statements import _at, _order, _pay, _refund, _ship
from tests.fakes.shopify.generate import generate_shop
from tests.fakes.shopify.server import FakeShopify
from tests.integration.shopify_helpers import connect, deliveries, post_webhook, process_pending

SHEET = """query($d: Date!) { balanceSheet(asOf: $d) { lines { accountKey amount { amount } } }
  inventoryValuation(asOf: $d) { total { amount } lines { sku units value { amount } } } }"""
STATUS = "{ booksStatus { upToDate pendingRecosts } }"


@pytest.fixture
async def shop(
    gql: GraphQL, tenant: Tenant, client: httpx.AsyncClient, pool: asyncpg.Pool
) -> AsyncIterator[None]:
    """Three MUG orders: shipped two days after placing, one partly
    refunded with its unit restocked."""
    empty = generate_shop(0, seed=9)
    empty.domain = domain = f"stock-{tenant.company_id.hex[:8]}.myshopify.com"
    orders = []
    for oid, placed, shipped, units in (
        (3001, "2025-03-02", "2025-03-04", 2),
        (3002, "2025-03-06", "2025-03-08", 4),
        (3003, "2025-03-09", "2025-03-11", 3),
    ):
        o = _order(oid, placed, 1500)
        o.lines[0].sku, o.lines[0].quantity = "MUG", units
        _pay(o, placed, 1500 * units)
        _ship(o, shipped)
        o.fulfillments[0].lines[0].quantity = units
        o.fulfillments[0].at = _at(shipped, 17)
        orders.append(o)
    _refund(orders[1], "2025-03-14", 1500, restock="return")
    async with FakeShopify(empty) as fake:
        store = (await connect(gql, domain, fake.base_url))["store"]["id"]
        body = await gql(
            "mutation($s: ID!) { updateBookkeepingSettings(input: "
            "{fulfillmentTracking: ORDER_FULFILLED_DATE, storeId: $s}) "
            "{ userErrors { message } } }",
            {"s": store},
        )
        assert body["data"]["updateBookkeepingSettings"]["userErrors"] == []
        for o in orders:
            for n, (topic, payload) in enumerate(deliveries(o)):
                await post_webhook(client, domain, topic, payload, f"{o.id}-{n}")
        await process_pending(pool, tenant.company_id)
        yield


async def _settle(
    pool: asyncpg.Pool, tenant: Tenant, run_worker: Callable[[], Awaitable[None]]
) -> None:
    """What the workers do: run the queued jobs, then cost the moved SKUs."""
    for _ in range(5):
        await run_worker()
        if not await recost_pending(pool, tenant.company_id):
            return
    raise AssertionError("the costing never settled")


async def _tie_out(gql: GraphQL) -> list[tuple[str, Decimal]]:
    seen = []
    day = dt.date(2025, 2, 28)
    while day <= dt.date(2025, 4, 2):
        data = (await gql(SHEET, {"d": day.isoformat()}))["data"]
        books = sum(
            (
                Decimal(ln["amount"]["amount"])
                for ln in data["balanceSheet"]["lines"]
                if ln["accountKey"] == "INVENTORY"
            ),
            Decimal(0),
        )
        valued = Decimal(data["inventoryValuation"]["total"]["amount"])
        assert books == valued, day
        seen.append((day.isoformat(), books))
        day += dt.timedelta(days=1)
    return seen


async def test_inventory_ties_out_on_every_date(
    shop: None,
    gql: GraphQL,
    tenant: Tenant,
    pool: asyncpg.Pool,
    run_worker: Callable[[], Awaitable[None]],
) -> None:
    csv = (
        "sku,date,units,unit_cost\n"
        "MUG,2025-03-01,3,3.00\n"
        "MUG,2025-03-05,10,5.00\n"
        "MUG,2025-03-10,4,4.10\n"
    )
    body = await gql(
        "mutation($csv: String!) { importPurchasesCsv(input: {csv: $csv}) "
        "{ userErrors { message } } }",
        {"csv": csv},
    )
    assert body["data"]["importPurchasesCsv"]["userErrors"] == []
    body = await gql(
        'mutation { recordInventoryAdjustment(input: {sku: "MUG", date: "2025-03-12", '
        "units: 1, reason: DAMAGE}) { userErrors { field message } } }"
    )
    assert body["data"]["recordInventoryAdjustment"]["userErrors"] == []
    await _settle(pool, tenant, run_worker)
    assert (await gql(STATUS))["data"]["booksStatus"] == {"upToDate": True, "pendingRecosts": 0}
    average = await _tie_out(gql)
    # 17 received, 9 shipped, 1 back, 1 damaged: 8 on hand at the month's end.
    final = (await gql(SHEET, {"d": "2025-03-31"}))["data"]["inventoryValuation"]["lines"]
    assert [(ln["sku"], ln["units"]) for ln in final] == [("MUG", 8)]

    body = await gql(
        "mutation { updateBookkeepingSettings(input: {costingMethod: FIFO}) "
        "{ userErrors { message } } }"
    )
    assert body["data"]["updateBookkeepingSettings"]["userErrors"] == []
    await _settle(pool, tenant, run_worker)
    fifo = await _tie_out(gql)
    assert average != fifo  # the methods value the same stock differently...
    assert average[0] == fifo[0]  # ...but agree before anything was sold
    assert (await verify_company(pool, tenant.company_id)).clean
