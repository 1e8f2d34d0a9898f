"""What the dashboard needs from the API, over HTTP as it asks for it.

Statement columns by store keyed by the store's opaque id and named; the
viewer's role; a job's progress; the MISSING_COSTS tab; statements as CSV
and XLSX files; the dashboard's files and GraphiQL served from the package.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from decimal import Decimal

import asyncpg
import httpx
import pytest

from service.api.ids import global_id
from service.ledger.demo import load_demo_activity
from service.ledger.job_progress import ORDERS_SHARE, job_progress
from tests.conftest import GraphQL, Tenant

TODAY = dt.date.today()
FROM, TO = str(TODAY - dt.timedelta(days=60)), str(TODAY)


@pytest.fixture
async def demo(pool: asyncpg.Pool, tenant: Tenant) -> Tenant:
    await load_demo_activity(pool, tenant.company_id, tenant.store_id)
    return tenant


async def test_columns_by_store_are_keyed_by_opaque_ids_and_named(
    gql: GraphQL, demo: Tenant
) -> None:
    body = await gql(
        "query($f: Date!, $t: Date!) { stores { id name } "
        "profitAndLoss(from: $f, to: $t, columnsBy: STORE) { netSales { amount } "
        "columns { key name netSales { amount } } } }",
        {"f": FROM, "t": TO},
    )
    data = body["data"]
    [store] = data["stores"]
    [column] = data["profitAndLoss"]["columns"]
    assert column["key"] == store["id"] == global_id("Store", demo.store_id)
    assert column["name"] == "Test store"
    assert column["netSales"] == data["profitAndLoss"]["netSales"]
    by_channel = await gql(
        "query($f: Date!, $t: Date!) { profitAndLoss(from: $f, to: $t, columnsBy: CHANNEL) "
        "{ columns { key name } } }",
        {"f": FROM, "t": TO},
    )
    keys = {c["key"]: c["name"] for c in by_channel["data"]["profitAndLoss"]["columns"]}
    assert {"web", "pos"} <= set(keys) and keys["web"] == "web"
    by_month = await gql(
        "query($f: Date!, $t: Date!) { profitAndLoss(from: $f, to: $t, columnsBy: MONTH) "
        "{ columns { key name } } }",
        {"f": FROM, "t": TO},
    )
    for c in by_month["data"]["profitAndLoss"]["columns"]:
        assert c["key"].endswith("-01") and c["name"] == c["key"][:7]


async def test_viewer_names_the_company_and_the_role(gql: GraphQL, tenant: Tenant) -> None:
    body = await gql("{ viewer { companyName role tokenName } }")
    viewer = body["data"]["viewer"]
    assert viewer["role"] == "ADMIN"
    assert viewer["companyName"].startswith("Test company")


async def test_missing_costs_tab_lists_the_orders_missing_a_cost(
    gql: GraphQL, demo: Tenant
) -> None:
    body = await gql(
        "{ orders(first: 50, filter: {tab: MISSING_COSTS}) { totalCount nodes { missingCosts } }"
        " missingCosts(first: 50) { nodes { orderName } } }"
    )
    orders = body["data"]["orders"]
    assert orders["totalCount"] == len(
        {m["orderName"] for m in body["data"]["missingCosts"]["nodes"]}
    )
    assert orders["totalCount"] > 0 and all(n["missingCosts"] > 0 for n in orders["nodes"])


async def test_a_running_full_repost_reports_its_progress(
    gql: GraphQL, demo: Tenant, pool: asyncpg.Pool
) -> None:
    body = await gql(
        "mutation { updateBookkeepingSettings(input: {accountingBasis: ACCRUAL}) "
        "{ repostJob { id status progress } } }"
    )
    job = body["data"]["updateBookkeepingSettings"]["repostJob"]
    assert job["status"] == "QUEUED" and job["progress"] == 0
    job_id = await pool.fetchval(
        "SELECT job_id FROM jobs WHERE company_id = $1 AND status = 'QUEUED'", demo.company_id
    )
    keys = await pool.fetch(
        "SELECT store_id, order_id FROM order_sources WHERE company_id = $1 "
        "ORDER BY store_id, order_id",
        demo.company_id,
    )
    fourth = keys[3]
    await pool.execute(
        "UPDATE books SET build_job_id = $2, build_cursor = $3 WHERE company_id = $1",
        demo.company_id,
        job_id,
        f"order:{fourth['store_id']}:{fourth['order_id']}",
    )
    try:
        share = await job_progress(pool, demo.company_id, job_id, "RUNNING")
        assert share == pytest.approx(ORDERS_SHARE * 4 / len(keys))
        await pool.execute(
            "UPDATE books SET build_cursor = 'processor' WHERE company_id = $1", demo.company_id
        )
        assert await job_progress(pool, demo.company_id, job_id, "RUNNING") == ORDERS_SHARE
        assert await job_progress(pool, demo.company_id, job_id, "SUCCEEDED") == 1.0
        assert await job_progress(pool, demo.company_id, "another", "RUNNING") is None
    finally:
        await pool.execute(
            "UPDATE books SET build_job_id = NULL, build_cursor = NULL WHERE company_id = $1",
            demo.company_id,
        )


async def test_statements_download_as_csv_and_xlsx(
    client: httpx.AsyncClient, gql: GraphQL, demo: Tenant
) -> None:
    body = await gql(
        "query($f: Date!, $t: Date!) { profitAndLoss(from: $f, to: $t) { netSales { amount } } }",
        {"f": FROM, "t": TO},
    )
    net_sales = body["data"]["profitAndLoss"]["netSales"]["amount"]
    url = f"/reports/statement.csv?statement=pl&from={FROM}&to={TO}&columnsBy=MONTH"
    got = await client.get(url, headers=demo.headers)
    assert got.status_code == 200 and got.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(got.text)))
    assert rows[0][:2] == ["Account", "Key"] and rows[0][-1] == "Total"
    [net] = [r for r in rows if r[0] == "Net sales"]
    assert Decimal(net[-1]) == Decimal(net_sales)
    assert sum(Decimal(x) for x in net[2:-1]) == Decimal(net_sales)
    for kind in ("bs", "tb"):
        xlsx = await client.get(
            f"/reports/statement.xlsx?statement={kind}&from={FROM}&to={TO}", headers=demo.headers
        )
        assert xlsx.status_code == 200
        with zipfile.ZipFile(io.BytesIO(xlsx.content)) as z:
            assert "xl/worksheets/sheet1.xml" in z.namelist()
    assert (await client.get(url)).status_code == 401
    bad = await client.get(
        "/reports/statement.csv?statement=pl&to=2025-01-01", headers=demo.headers
    )
    assert bad.status_code == 400 and "from" in bad.json()["error"]
    wrong = await client.get(
        f"/reports/statement.csv?statement=pl&from={TO}&to={FROM}", headers=demo.headers
    )
    assert wrong.status_code == 400 and "after" in wrong.json()["error"]
    nope = await client.get(f"/reports/statement.pdf?to={TO}", headers=demo.headers)
    assert nope.status_code == 404


async def test_the_dashboard_and_graphiql_come_from_the_package(
    client: httpx.AsyncClient,
) -> None:
    index = await client.get("/")
    assert index.status_code == 200 and "/js/app.js" in index.text
    script = await client.get("/js/app.js")
    assert script.status_code == 200 and "javascript" in script.headers["content-type"]
    page = await client.get("/graphql", headers={"Accept": "text/html"})
    assert page.status_code == 200
    assert "/vendor/graphiql/graphiql.min.js" in page.text
    assert "unpkg" not in page.text and "https://" not in page.text
    vendor = await client.get("/vendor/react/react.production.min.js")
    assert vendor.status_code == 200
    assert (await client.get("/nothing-here.js")).status_code == 404


async def test_journal_entries_drill_down_by_store_and_channel(gql: GraphQL, demo: Tenant) -> None:
    query = (
        "query($f: JournalEntryFilter) { journalEntries(first: 50, filter: $f) "
        "{ totalCount nodes { lines { accountKey channel } } } }"
    )
    every = (await gql(query, {"f": {"accountKey": "GROSS_SALES"}}))["data"]["journalEntries"]
    store = global_id("Store", demo.store_id)
    mine = await gql(query, {"f": {"accountKey": "GROSS_SALES", "storeId": store}})
    assert mine["data"]["journalEntries"]["totalCount"] == every["totalCount"] > 0
    pos = await gql(query, {"f": {"accountKey": "GROSS_SALES", "channel": "pos"}})
    found = pos["data"]["journalEntries"]
    assert 0 < found["totalCount"] < every["totalCount"]
    for entry in found["nodes"]:
        assert any(
            x["channel"] == "pos" for x in entry["lines"] if x["accountKey"] == "GROSS_SALES"
        )
    other = await gql(
        query, {"f": {"storeId": global_id("Store", "00000000-0000-0000-0000-000000000000")}}
    )
    assert other["data"]["journalEntries"]["totalCount"] == 0
    bad = await gql(query, {"f": {"storeId": "nope"}})
    assert "filter.storeId" in bad["errors"][0]["message"]


async def test_inventory_systems_are_listed_without_their_secrets(
    gql: GraphQL, tenant: Tenant, pool: asyncpg.Pool
) -> None:
    from service.ledger.inventory_systems import connect

    query = "{ inventorySystems { provider account lastSyncedAt recentSyncs { status } } }"
    assert (await gql(query))["data"]["inventorySystems"] == []
    async with pool.acquire() as conn:
        await connect(
            conn,
            tenant.company_id,
            "test-secret-key",
            "FINALE",
            {"account": "acme"},
            {"apiKey": "k", "apiSecret": "s"},
        )
    [system] = (await gql(query))["data"]["inventorySystems"]
    assert system == {
        "provider": "FINALE",
        "account": "acme",
        "lastSyncedAt": None,
        "recentSyncs": [],
    }


async def test_an_order_tells_its_history_in_time_order(gql: GraphQL, demo: Tenant) -> None:
    body = await gql(
        '{ orders(first: 5, filter: {name: "#1003"}) { nodes { '
        "history { at kind description amount { amount } } } } }"
    )
    [order] = body["data"]["orders"]["nodes"]
    kinds = [e["kind"] for e in order["history"]]
    assert kinds == ["ORDER_PLACED", "PAYMENT", "FULFILLMENT", "REFUND"]
    assert [e["at"] for e in order["history"]] == sorted(e["at"] for e in order["history"])
    refund = order["history"][-1]
    assert "restock return" in refund["description"]
    assert refund["amount"]["amount"] in refund["description"]


async def test_settings_list_each_store_channel_with_its_status(gql: GraphQL, demo: Tenant) -> None:
    query = "{ bookkeepingSettings { stores { channels { channel status } } } }"
    [store] = (await gql(query))["data"]["bookkeepingSettings"]["stores"]
    assert store["channels"] == [
        {"channel": "pos", "status": "INCLUDED"},
        {"channel": "web", "status": "INCLUDED"},
    ]
    body = await gql(
        'mutation($s: ID!) { setChannelStatus(input: {storeId: $s, source: "pos", '
        "status: EXCLUDED}) { userErrors { message } } }",
        {"s": global_id("Store", demo.store_id)},
    )
    assert body["data"]["setChannelStatus"]["userErrors"] == []
    [store] = (await gql(query))["data"]["bookkeepingSettings"]["stores"]
    assert {"channel": "pos", "status": "EXCLUDED"} in store["channels"]
