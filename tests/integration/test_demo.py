"""The demo company `make dev` opens on has books worth looking at, and they verify."""

from __future__ import annotations

import datetime as dt

import asyncpg

from service.ledger.demo import load_demo_activity
from service.ledger.verify import verify_company
from tests.conftest import GraphQL, Tenant


async def test_demo_activity_posts_clean_books(
    gql: GraphQL, tenant: Tenant, pool: asyncpg.Pool
) -> None:
    await load_demo_activity(pool, tenant.company_id, tenant.store_id)
    body = await gql(
        '{ profitAndLoss(from: "2000-01-01", to: "2100-01-01") '
        "{ netSales { amount } grossProfit { amount } } "
        "orders(first: 50) { totalCount } missingCosts { totalCount } }"
    )
    data = body["data"]
    assert data["orders"]["totalCount"] == 12
    assert float(data["profitAndLoss"]["netSales"]["amount"]) > 0
    assert data["missingCosts"]["totalCount"] > 0  # one product has no cost on purpose
    assert (await verify_company(pool, tenant.company_id)).problems == []
    today = dt.date.today().isoformat()
    sheet = await gql(
        "query($d: Date!) { balanceSheet(asOf: $d) { lines { accountKey amount { amount } } } "
        "inventoryValuation(asOf: $d) { total { amount } } }",
        {"d": today},
    )
    lines = {
        ln["accountKey"]: ln["amount"]["amount"] for ln in sheet["data"]["balanceSheet"]["lines"]
    }
    # The balance sheet's inventory is what the units on hand are worth.
    assert lines["INVENTORY"] == sheet["data"]["inventoryValuation"]["total"]["amount"]
    assert float(lines["INVENTORY"]) > 0
