"""COGS through the API: missing costs, fixes, purchases, restocks."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Callable
from decimal import Decimal
from typing import Any

import asyncpg
import httpx
import pytest

from service.ledger.verify import verify_company
from tests.conftest import GraphQL, Tenant
from tests.e2e.test_seed_statements import _order, _pay, _ship
from tests.fakes.shopify.generate import generate_shop
from tests.fakes.shopify.server import FakeShopify
from tests.integration.shopify_helpers import connect, deliveries, post_webhook, process_pending

MISSING = "{ missingCosts(first: 50) { totalCount nodes { orderId orderName sku quantity } } }"
PL = """query($from: Date!, $to: Date!) { profitAndLoss(from: $from, to: $to)
  { lines { accountKey amount { amount } } } }"""


async def _cogs(gql: GraphQL, start: str, end: str) -> Decimal:
    body = await gql(PL, {"from": start, "to": end})
    lines = body["data"]["profitAndLoss"]["lines"]
    return next(Decimal(ln["amount"]["amount"]) for ln in lines if ln["accountKey"] == "COGS")


@pytest.fixture
async def store(
    gql: GraphQL, tenant: Tenant, client: httpx.AsyncClient, pool: asyncpg.Pool
) -> AsyncIterator[str]:
    """Three paid, shipped web orders: two of MUG (2 units, then 3), one of CAP (1)."""
    empty = generate_shop(0, seed=5)
    empty.domain = domain = f"costs-{tenant.company_id.hex[:8]}.myshopify.com"
    orders = []
    for oid, day, sku, units in (
        (2001, "2025-03-03", "MUG", 2),
        (2002, "2025-03-10", "MUG", 3),
        (2003, "2025-03-12", "CAP", 1),
    ):
        o = _order(oid, day, 1500)
        o.lines[0].sku, o.lines[0].quantity = sku, units
        _pay(o, day, 1500 * units)
        _ship(o, day)
        o.fulfillments[0].lines[0].quantity = units
        orders.append(o)
    async with FakeShopify(empty) as fake:
        payload = await connect(gql, domain, fake.base_url)
        for o in orders:
            for n, (topic, body) in enumerate(deliveries(o)):
                await post_webhook(client, domain, topic, body, f"{o.id}-{n}")
        await process_pending(pool, tenant.company_id)
        yield payload["store"]["id"]


async def test_missing_costs_post_at_zero_and_a_fix_reposts_only_that_order(
    gql: GraphQL, store: str, tenant: Tenant, pool: asyncpg.Pool
) -> None:
    missing = (await gql(MISSING))["data"]["missingCosts"]
    assert missing["totalCount"] == 3
    assert await _cogs(gql, "2025-03-01", "2025-03-31") == 0
    flag = await gql('{ profitAndLoss(from: "2025-03-01", to: "2025-03-31") { missingCostLines } }')
    assert flag["data"]["profitAndLoss"]["missingCostLines"] == 3
    first = next(n for n in missing["nodes"] if n["orderName"] == "#2001")
    before = await pool.fetch(
        "SELECT entry_key, entry_id FROM journal_entries WHERE company_id = $1 "
        "AND order_id <> '2001' ORDER BY 1",
        tenant.company_id,
    )
    body = await gql(
        "mutation($input: ResolveMissingCostInput!) { resolveMissingCost(input: $input) "
        "{ orders { name } userErrors { field code message } } }",
        {"input": {"orderId": first["orderId"], "sku": "MUG", "unitCost": "4.00"}},
    )
    assert body["data"]["resolveMissingCost"]["userErrors"] == []
    assert await _cogs(gql, "2025-03-03", "2025-03-03") == Decimal("8.00")
    after = await pool.fetch(
        "SELECT entry_key, entry_id FROM journal_entries WHERE company_id = $1 "
        "AND order_id <> '2001' ORDER BY 1",
        tenant.company_id,
    )
    assert after == before  # no other order was re-posted
    remaining = (await gql(MISSING))["data"]["missingCosts"]
    assert remaining["totalCount"] == 2
    flag = await gql('{ profitAndLoss(from: "2025-03-01", to: "2025-03-31") { missingCostLines } }')
    assert flag["data"]["profitAndLoss"]["missingCostLines"] == 2  # the per-day counters moved
    counters = await pool.fetch(
        "SELECT day, lines FROM missing_cost_days WHERE company_id = $1 ORDER BY day",
        tenant.company_id,
    )
    assert [(str(r["day"]), r["lines"]) for r in counters] == [
        ("2025-03-03", 0),
        ("2025-03-10", 1),
        ("2025-03-12", 1),
    ]
    assert (await verify_company(pool, tenant.company_id)).problems == []


async def test_resolving_by_sku_fixes_every_order_of_it(
    gql: GraphQL, store: str, run_worker: Callable[[], Awaitable[None]]
) -> None:
    body = await gql(
        'mutation { resolveMissingCostsBySku(input: {sku: "MUG", unitCost: "5.00"}) '
        "{ orders { name } repostJob { status } userErrors { message } } }"
    )
    payload = body["data"]["resolveMissingCostsBySku"]
    assert sorted(o["name"] for o in payload["orders"]) == ["#2001", "#2002"]
    assert payload["repostJob"]["status"] == "QUEUED"
    await run_worker()
    assert await _cogs(gql, "2025-03-01", "2025-03-31") == Decimal("25.00")
    left = (await gql(MISSING))["data"]["missingCosts"]["nodes"]
    assert [n["sku"] for n in left] == ["CAP"]
    one_day = '{ profitAndLoss(from: "2025-03-11", to: "2025-03-12") { missingCostLines } }'
    assert (await gql(one_day))["data"]["profitAndLoss"]["missingCostLines"] == 1


async def test_bad_costs_are_user_errors(gql: GraphQL, store: str) -> None:
    missing = (await gql(MISSING))["data"]["missingCosts"]["nodes"]
    body = await gql(
        "mutation($input: ResolveMissingCostInput!) { resolveMissingCost(input: $input) "
        "{ userErrors { field code } } }",
        {"input": {"orderId": missing[0]["orderId"], "sku": "MUG", "unitCost": "-1.00"}},
    )
    assert body["data"]["resolveMissingCost"]["userErrors"][0]["field"] == "input.unitCost"
    body = await gql(
        "mutation($input: ResolveMissingCostInput!) { resolveMissingCost(input: $input) "
        "{ userErrors { field code } } }",
        {"input": {"orderId": missing[0]["orderId"], "sku": "NOPE", "unitCost": "1.00"}},
    )
    assert body["data"]["resolveMissingCost"]["userErrors"] == [
        {"field": "input.orderId", "code": "NOT_FOUND"}
    ]


async def test_purchases_cost_the_sales_by_moving_average(
    gql: GraphQL,
    store: str,
    tenant: Tenant,
    pool: asyncpg.Pool,
    run_worker: Callable[[], Awaitable[None]],
) -> None:
    csv = (
        "sku,date,units,unit_cost,reference\nMUG,2025-03-01,10,3.00,opening\n"
        "MUG,2025-03-05,10,5.00,PO-7\nCAP,2025-03-01,4,2.50,opening\n"
    )
    body = await gql(
        "mutation($csv: String!) { importPurchasesCsv(input: {csv: $csv}) "
        "{ purchasesRecorded recostJob { status } userErrors { field message } } }",
        {"csv": csv},
    )
    assert body["data"]["importPurchasesCsv"]["purchasesRecorded"] == 3
    await run_worker()
    # MUG: 2 sold at 3.00 on Mar 3; then 8 @3 + 10 @5 = 4.111.. average; 3 sold on Mar 10.
    assert await _cogs(gql, "2025-03-03", "2025-03-03") == Decimal("6.00")
    assert await _cogs(gql, "2025-03-10", "2025-03-10") == Decimal("12.33")
    assert await _cogs(gql, "2025-03-12", "2025-03-12") == Decimal("2.50")
    products = (
        await gql(
            "{ products(first: 10) { nodes { sku onHand averageCost { amount } "
            "inventoryValue { amount } } } }"
        )
    )["data"]["products"]["nodes"]
    mug = next(p for p in products if p["sku"] == "MUG")
    assert mug["onHand"] == 15
    assert (await gql(MISSING))["data"]["missingCosts"]["totalCount"] == 0
    assert (await verify_company(pool, tenant.company_id)).problems == []


async def test_a_bad_purchase_file_saves_nothing(
    gql: GraphQL, store: str, pool: asyncpg.Pool, tenant: Tenant
) -> None:
    csv = "sku,date,units,unit_cost\nMUG,2025-03-01,10,3.00\nMUG,03/05/2025,x,-5\n"
    body = await gql(
        "mutation($csv: String!) { importPurchasesCsv(input: {csv: $csv}) "
        "{ purchasesRecorded userErrors { field message } } }",
        {"csv": csv},
    )
    errors = body["data"]["importPurchasesCsv"]["userErrors"]
    assert {e["field"] for e in errors} == {"row 2.date", "row 2.units", "row 2.unitCost"}
    assert (
        await pool.fetchval(
            "SELECT count(*) FROM purchases WHERE company_id = $1", tenant.company_id
        )
        == 0
    )


async def _upload_restocks(
    client: httpx.AsyncClient, tenant: Tenant, store: str, mode: str, content: bytes
) -> dict[str, Any]:
    """importRestocksCsv as a client sends it: a GraphQL multipart request."""
    operations = {
        "query": "mutation($input: ImportRestocksCsvInput!) { importRestocksCsv(input: $input) "
        "{ saved userErrors { message } } }",
        "variables": {"input": {"storeId": store, "channel": "web", "mode": mode, "file": None}},
    }
    response = await client.post(
        "/graphql",
        headers=tenant.headers,
        data={
            "operations": json.dumps(operations),
            "map": json.dumps({"0": ["variables.input.file"]}),
        },
        files={"0": ("restocks.csv", content, "text/csv")},
    )
    payload: dict[str, Any] = response.json()["data"]["importRestocksCsv"]
    return payload


RESTOCK = """mutation($input: ReportChannelRestockInput!) { reportChannelRestock(input: $input)
  { saved userErrors { field message } } }"""


async def test_channel_restock_moves_cogs_into_inventory_at_period_end(
    gql: GraphQL, store: str
) -> None:
    body = await gql(
        RESTOCK,
        {
            "input": {
                "storeId": store,
                "channel": "web",
                "period": "MONTH",
                "date": "2025-03-15",
                "amount": "-12.50",
            }
        },
    )
    assert body["data"]["reportChannelRestock"] == {"saved": 1, "userErrors": []}
    assert await _cogs(gql, "2025-03-31", "2025-03-31") == Decimal("-12.50")
    sheet = await gql(
        '{ balanceSheet(asOf: "2025-03-31") { lines { accountKey amount { amount } } } }'
    )
    lines = {
        ln["accountKey"]: Decimal(ln["amount"]["amount"])
        for ln in sheet["data"]["balanceSheet"]["lines"]
    }
    assert lines["INVENTORY"] == Decimal("12.50")
    listed = await gql("{ restocks { kind channel periodStart periodEnd amount { amount } } }")
    assert listed["data"]["restocks"][0]["periodEnd"] == "2025-03-31"
    # A retry under one idempotency key is saved once (it was saved twice before).
    request = {
        "storeId": store,
        "channel": "web",
        "period": "DAY",
        "date": "2025-03-20",
        "amount": "-1.00",
        "idempotencyKey": "restock-r1",
    }
    for _ in range(2):
        again = await gql(RESTOCK, {"input": request})
        assert again["data"]["reportChannelRestock"]["userErrors"] == []
    assert await _cogs(gql, "2025-03-20", "2025-03-20") == Decimal("-1.00")


async def test_sku_restocks_replace_or_add_on_top(
    gql: GraphQL, store: str, run_worker: Callable[[], Awaitable[None]]
) -> None:
    await gql(
        'mutation { resolveMissingCostsBySku(input: {sku: "MUG", unitCost: "4.00"}) '
        "{ userErrors { message } } }"
    )
    await gql(
        'mutation { recordPurchase(input: {sku: "MUG", date: "2025-01-01", units: 5, '
        'unitCost: "4.00"}) { userErrors { message } } }'
    )
    await run_worker()  # the purchase sets MUG's average cost, at which restocks are valued
    bulk = """mutation($input: BulkEditRestocksInput!) { bulkEditRestocks(input: $input)
      { saved userErrors { field message } } }"""
    rows = [{"sku": "MUG", "month": "2025-04", "units": 2}]
    base = {"storeId": store, "channel": "web", "rows": rows}
    first = await gql(bulk, {"input": {**base, "mode": "REPLACE"}})
    assert first["data"]["bulkEditRestocks"] == {"saved": 1, "userErrors": []}
    await gql(bulk, {"input": {**base, "mode": "ADD_ON_TOP"}})
    assert await _cogs(gql, "2025-04-30", "2025-04-30") == Decimal("-16.00")  # 4 units at 4.00
    await gql(bulk, {"input": {**base, "mode": "REPLACE"}})
    assert await _cogs(gql, "2025-04-30", "2025-04-30") == Decimal("-8.00")


async def test_a_bad_restock_file_changes_nothing_and_names_every_bad_line(
    gql: GraphQL,
    store: str,
    client: httpx.AsyncClient,
    tenant: Tenant,
    pool: asyncpg.Pool,
    run_worker: Callable[[], Awaitable[None]],
) -> None:
    await gql(
        'mutation { recordPurchase(input: {sku: "MUG", date: "2025-01-01", units: 5, '
        'unitCost: "4.00"}) { userErrors { message } } }'
    )
    await run_worker()
    before = await pool.fetchval(
        "SELECT count(*) FROM journal_entries WHERE company_id = $1", tenant.company_id
    )
    content = "sku,month,units\nMUG,2025-04,2\nGHOST,2025-04,1\nMUG,April,1\nMUG,2025-05,two\n"
    payload = await _upload_restocks(client, tenant, store, "ADD_ON_TOP", content.encode())
    assert payload["saved"] == 0
    messages = [e["message"] for e in payload["userErrors"]]
    assert any(m.startswith("line 3:") and "GHOST" in m for m in messages), messages
    assert any(m.startswith("line 4:") for m in messages), messages
    assert any(m.startswith("line 5:") for m in messages), messages
    assert (
        await pool.fetchval(
            "SELECT count(*) FROM journal_entries WHERE company_id = $1", tenant.company_id
        )
        == before
    )


async def test_costs_flow_in_from_an_inventory_system(
    gql: GraphQL,
    store: str,
    tenant: Tenant,
    pool: asyncpg.Pool,
    run_worker: Callable[[], Awaitable[None]],
) -> None:
    import datetime as dt

    from tests.fakes.finale import FakeFinale, FinaleAccount

    finale = FinaleAccount()
    finale.ship("#2001", dt.date(2025, 3, 3), [("MUG", 2, Decimal("3.255"))])
    finale.ship("#2002", dt.date(2025, 3, 10), [("MUG", 3, None)])
    async with FakeFinale(finale, account="acme", api_key="K", api_secret="S") as fake:
        body = await gql(
            "mutation($input: ConnectInventorySystemInput!) { connectInventorySystem(input: $input)"
            " { syncJob { status } userErrors { field message } } }",
            {
                "input": {
                    "provider": "FINALE",
                    "account": "acme",
                    "apiKey": "K",
                    "apiSecret": "S",
                    "baseUrl": fake.base_url,
                }
            },
        )
        assert body["data"]["connectInventorySystem"]["userErrors"] == []
        await run_worker()
        # #2001: Finale's 3.255 average, rounded to 3.26 a unit; #2002: shipped without a cost.
        assert await _cogs(gql, "2025-03-03", "2025-03-03") == Decimal("6.52")
        missing = (await gql(MISSING))["data"]["missingCosts"]["nodes"]
        assert sorted(n["orderName"] for n in missing) == ["#2002", "#2003"]
        # The merchant gives the mug an average cost in Finale (a back-dated
        # change re-values the shipment) and syncs again: #2002 is costed.
        before = await pool.fetch(
            "SELECT entry_key, entry_id FROM journal_entries WHERE company_id = $1 "
            "AND order_id <> '2002' ORDER BY 1",
            tenant.company_id,
        )
        finale.history[-1].cost = Decimal("3.50")
        body = await gql(
            "mutation { syncInventoryCosts(provider: FINALE) { syncJob { status } userErrors"
            " { message } } }"
        )
        assert body["data"]["syncInventoryCosts"]["userErrors"] == []
        await run_worker()
    assert await _cogs(gql, "2025-03-10", "2025-03-10") == Decimal("10.50")
    missing = (await gql(MISSING))["data"]["missingCosts"]["nodes"]
    assert [n["orderName"] for n in missing] == ["#2003"]
    after = await pool.fetch(
        "SELECT entry_key, entry_id FROM journal_entries WHERE company_id = $1 "
        "AND order_id <> '2002' ORDER BY 1",
        tenant.company_id,
    )
    assert after == before  # only the order whose cost changed was re-posted
    assert (await verify_company(pool, tenant.company_id)).problems == []
    body = await gql(
        "mutation { connectInventorySystem(input: {provider: GOFLOW}) { userErrors { field } } }"
    )
    fields = {e["field"] for e in body["data"]["connectInventorySystem"]["userErrors"]}
    assert fields == {"input.subdomain", "input.token"}


async def test_cogs_report_lists_costed_and_missing_units_as_files(
    gql: GraphQL,
    store: str,
    client: httpx.AsyncClient,
    tenant: Tenant,
    run_worker: Callable[[], Awaitable[None]],
) -> None:
    import io
    import zipfile

    await gql(
        'mutation { resolveMissingCostsBySku(input: {sku: "MUG", unitCost: "4.00"}) '
        "{ userErrors { message } } }"
    )
    await run_worker()
    body = await gql(
        '{ cogsReport(from: "2025-03-01", to: "2025-03-31") '
        "{ csvUrl xlsxUrl lines missingLines totalCost { amount } } }"
    )
    report = body["data"]["cogsReport"]
    assert (report["lines"], report["missingLines"]) == (3, 1)
    assert Decimal(report["totalCost"]["amount"]) == Decimal("20.00")
    csv_response = await client.get(report["csvUrl"], headers=tenant.headers)
    assert csv_response.status_code == 200
    text = csv_response.text.splitlines()
    assert text[0].startswith("Store,Channel,Order,Order ID,Date,SKU,Quantity,Unit cost,Total cost")
    assert len(text) == 4
    xlsx = await client.get(report["xlsxUrl"], headers=tenant.headers)
    assert zipfile.ZipFile(io.BytesIO(xlsx.content)).testzip() is None
    assert (await client.get(report["csvUrl"])).status_code == 401


async def test_switching_to_fifo_costs_the_sales_by_layers(
    gql: GraphQL, store: str, run_worker: Callable[[], Awaitable[None]]
) -> None:
    csv = "sku,date,units,unit_cost\nMUG,2025-03-01,3,3.00\nMUG,2025-03-05,10,5.00\n"
    await gql(
        "mutation($csv: String!) { importPurchasesCsv(input: {csv: $csv}) "
        "{ userErrors { message } } }",
        {"csv": csv},
    )
    await run_worker()
    # Moving average: 1 left at 3.00 + 10 at 5.00 -> 4.8181... a unit; the
    # shipment of 3 posts its exact cost, 14.4545... rounded once to 14.45.
    assert await _cogs(gql, "2025-03-10", "2025-03-10") == Decimal("14.45")
    body = await gql(
        "mutation { updateBookkeepingSettings(input: {costingMethod: FIFO}) "
        "{ bookkeepingSettings { costingMethod } userErrors { message } } }"
    )
    payload = body["data"]["updateBookkeepingSettings"]
    assert payload["bookkeepingSettings"]["costingMethod"] == "FIFO"
    await run_worker()
    # FIFO: the last unit at 3.00, then two at 5.00: exactly 13.00 for the 3
    # units, the cost of the layers they came from.
    assert await _cogs(gql, "2025-03-10", "2025-03-10") == Decimal("13.00")


async def test_sku_restock_and_a_good_file_post_at_the_product_cost(
    gql: GraphQL,
    store: str,
    client: httpx.AsyncClient,
    tenant: Tenant,
    run_worker: Callable[[], Awaitable[None]],
) -> None:
    await gql(
        'mutation { recordPurchase(input: {sku: "CAP", date: "2025-01-01", units: 10, '
        'unitCost: "2.00"}) { userErrors { message } } }'
    )
    await run_worker()
    product = await gql(
        '{ product(sku: "CAP") { onHand averageCost { amount } inventoryValue { amount } } }'
    )
    assert product["data"]["product"]["averageCost"]["amount"] == "2.00"
    one = await gql(
        "mutation($input: SetSkuRestocksInput!) { setSkuRestocks(input: $input) "
        "{ saved userErrors { message } } }",
        {
            "input": {
                "storeId": store,
                "channel": "web",
                "sku": "CAP",
                "month": "2025-05",
                "units": 3,
            }
        },
    )
    assert one["data"]["setSkuRestocks"] == {"saved": 1, "userErrors": []}
    assert await _cogs(gql, "2025-05-31", "2025-05-31") == Decimal("-6.00")
    content = b"sku,month,units\nCAP,2025-05,1\nCAP,2025-06,2\n"
    saved = await _upload_restocks(client, tenant, store, "REPLACE", content)
    assert saved == {"saved": 2, "userErrors": []}
    assert await _cogs(gql, "2025-05-31", "2025-05-31") == Decimal("-2.00")
    assert await _cogs(gql, "2025-06-30", "2025-06-30") == Decimal("-4.00")
    bad = await gql(
        RESTOCK,
        {
            "input": {
                "storeId": store,
                "channel": "faire",
                "period": "DAY",
                "date": "2025-05-01",
                "amount": "-1.00",
            }
        },
    )
    assert bad["data"]["reportChannelRestock"]["userErrors"][0]["field"] == "input.channel"
