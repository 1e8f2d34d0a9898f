"""Amazon through the API: a seller account connected to a fake Selling
Partner API, its settlement fetched and uploaded, posted to the cent."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from decimal import Decimal
from typing import Any

import asyncpg
import httpx

from service.ledger.settlement_payouts import amazon_payouts
from service.ledger.verify import verify_company
from tests.conftest import GraphQL, Tenant
from tests.fakes.amazon.server import FakeAmazon, SellerAccount
from tests.fakes.amazon.settlements import sample_settlement
from tests.fakes.tiktok.server import FakeTikTok
from tests.fakes.tiktok.shop import sample_shop

CONNECT = """mutation($input: ConnectAmazonAccountInput!) { connectAmazonAccount(input: $input)
  { store { id platform } syncJob { id status } userErrors { field code message } } }"""
SETTLEMENTS = """query($store: ID) { settlements(storeId: $store) { totalCount nodes {
  settlementId marketplace source depositDate total { amount currencyCode } lineCount
  linesToReview { line description amount { amount } } cogsCsvUrl cogsXlsxUrl } } }"""
PL = """query($store: ID) { profitAndLoss(from: "2026-03-01", to: "2026-03-31", storeId: $store,
  columnsBy: CHANNEL) { lines { accountKey amount { amount } }
  columns { key netSales { amount } grossProfit { amount } } } }"""
BS = """query { balanceSheet(asOf: "2026-03-31") { lines { accountKey amount { amount } } } }"""
PURCHASE = """mutation($sku: String!, $cost: String!) { recordPurchase(input: {sku: $sku,
  date: "2026-01-05", units: 100, unitCost: $cost}) { userErrors { message } } }"""
RESTOCK = """mutation($input: ReportChannelRestockInput!) { reportChannelRestock(input: $input)
  { saved userErrors { field code message } } }"""


def seller() -> SellerAccount:
    orders = [
        {
            "AmazonOrderId": "111-0000002-0000002",
            "PurchaseDate": "2026-03-02T10:00:00Z",
            "OrderStatus": "Shipped",
            "FulfillmentChannel": "MFN",
            "MarketplaceId": "ATVPDKIKX0DER",
        }
    ]
    items = {
        "111-0000002-0000002": [{"SellerSKU": "CAP", "QuantityOrdered": 1, "QuantityShipped": 1}]
    }
    return SellerAccount(settlements=[sample_settlement()], gzipped={0}, orders=orders, items=items)


async def connect(gql: GraphQL, fake: FakeAmazon, **over: Any) -> dict[str, Any]:
    s = fake.seller
    body = {
        "name": "Amazon US",
        "region": "NA",
        "marketplaceIds": list(s.marketplace_ids),
        "clientId": s.client_id,
        "clientSecret": s.client_secret,
        "refreshToken": s.refresh_token,
        "apiBaseUrl": fake.base_url,
        "lwaUrl": f"{fake.base_url}/auth/o2/token",
        "currencyCode": "USD",
        **over,
    }
    result: dict[str, Any] = (await gql(CONNECT, {"input": body}))["data"]["connectAmazonAccount"]
    return result


async def upload(
    client: httpx.AsyncClient, tenant: Tenant, store: str, content: bytes, key: str | None = None
) -> dict[str, Any]:
    operations = {
        "query": "mutation($input: ImportAmazonSettlementInput!) { importAmazonSettlement("
        "input: $input) { created settlement { settlementId source } "
        "userErrors { field code message } } }",
        "variables": {"input": {"storeId": store, "file": None, "idempotencyKey": key}},
    }
    response = await client.post(
        "/graphql",
        headers=tenant.headers,
        data={
            "operations": json.dumps(operations),
            "map": json.dumps({"0": ["variables.input.file"]}),
        },
        files={"0": ("settlement.txt", content, "text/plain")},
    )
    payload: dict[str, Any] = response.json()["data"]["importAmazonSettlement"]
    return payload


def _by_key(lines: list[dict[str, Any]]) -> dict[str, Decimal]:
    return {ln["accountKey"]: Decimal(ln["amount"]["amount"]) for ln in lines}


async def test_amazon_settlement_from_the_api_and_by_upload_is_one_and_ties_out(
    gql: GraphQL,
    client: httpx.AsyncClient,
    tenant: Tenant,
    pool: asyncpg.Pool,
    run_worker: Callable[[], Awaitable[None]],
) -> None:
    await gql(PURCHASE, {"sku": "MUG", "cost": "5.00"})
    await run_worker()
    async with FakeAmazon(seller()) as fake:
        connected = await connect(gql, fake)
        assert connected["userErrors"] == [], connected
        store = connected["store"]["id"]
        await run_worker()
        assert "/reports/2021-06-30/reports" in fake.calls
    facts = await pool.fetchrow(
        "SELECT fulfillment, units FROM marketplace_orders WHERE company_id = $1",
        tenant.company_id,
    )
    assert (facts["fulfillment"], facts["units"]) == ("MERCHANT", [["CAP", 1]])
    body = (await gql(SETTLEMENTS, {"store": store}))["data"]["settlements"]
    assert body["totalCount"] == 1
    s = body["nodes"][0]
    assert (s["settlementId"], s["source"], s["depositDate"]) == (
        "12345678901",
        "API",
        "2026-03-17",
    )
    assert s["total"] == {"amount": "30.80", "currencyCode": "USD"}
    assert [r["description"] for r in s["linesToReview"]] == ["Adjustment/Misc/NewFeeType2026"]

    # The units Amazon shipped left stock in the product's costing too.
    from service.ledger.inventory import recost_pending

    while await recost_pending(pool, tenant.company_id):
        pass
    on_hand = await pool.fetchval(
        "SELECT on_hand FROM products WHERE company_id = $1 AND sku = 'MUG'", tenant.company_id
    )
    assert on_hand == 100 - 2

    # The same settlement downloaded by hand is the same settlement.
    again = await upload(client, tenant, store, sample_settlement().encode())
    assert again["userErrors"] == [] and again["created"] is False
    assert again["settlement"]["source"] == "API"

    # Books: tied to the deposit, facilitator tax nets to zero, reserves on the balance sheet.
    bs = _by_key((await gql(BS))["data"]["balanceSheet"]["lines"])
    assert bs.get("RIP", Decimal(0)) == 0 and bs.get("UNDEPOSITED_FUNDS", Decimal(0)) == 0
    assert bs["PROCESSOR_RESERVES"] == Decimal("2.00")
    pl = (await gql(PL, {"store": store}))["data"]["profitAndLoss"]
    lines = _by_key(pl["lines"])
    assert abs(lines["COGS"]) == Decimal("10.00")
    assert abs(lines["SELLING_FEES"]) == Decimal("7.35")
    assert [c["key"] for c in pl["columns"]] == ["amazon"]

    payouts = await amazon_payouts(pool, tenant.company_id)
    assert [(p.payout_id, p.amount, p.currency, str(p.payout_date)) for p in payouts] == [
        ("12345678901", 3080, "USD", "2026-03-17")
    ]
    from service.ledger.payouts import list_payouts

    async with pool.acquire() as conn:
        every = await list_payouts(conn, tenant.company_id)
    assert [(p.processor, p.payout_id, p.status) for p in every] == [
        ("amazon", "12345678901", "paid")
    ]

    csv_url = s["cogsCsvUrl"]
    got = await client.get(csv_url[csv_url.index("/reports") :], headers=tenant.headers)
    assert got.status_code == 200
    rows = got.text.splitlines()
    assert rows[0].startswith("Store,Channel,Settlement ID,Order ID")
    assert rows[1].startswith("Amazon US,amazon,12345678901,111-0000001-0000001,2026-03-02,MUG")
    assert rows[2].endswith("yes")  # CAP has no cost yet
    xlsx_url = s["cogsXlsxUrl"]
    got = await client.get(xlsx_url[xlsx_url.index("/reports") :], headers=tenant.headers)
    assert got.content[:2] == b"PK"
    assert (await verify_company(pool, tenant.company_id)).problems == []

    # CAP's cost arrives: the settlement that sold it is posted again.
    await gql(PURCHASE, {"sku": "CAP", "cost": "3.00"})
    await run_worker()
    lines = _by_key((await gql(PL, {"store": store}))["data"]["profitAndLoss"]["lines"])
    assert abs(lines["COGS"]) == Decimal("13.00")
    bs = _by_key((await gql(BS))["data"]["balanceSheet"]["lines"])

    # A basis switch re-posts everything: the settlement's entries come back the same.
    switch = """mutation { updateBookkeepingSettings(input: {accountingBasis: ACCRUAL})
      { userErrors { message } } }"""
    assert (await gql(switch))["data"]["updateBookkeepingSettings"]["userErrors"] == []
    await run_worker()
    assert _by_key((await gql(BS))["data"]["balanceSheet"]["lines"]) == bs
    # The seller's channel status applies to its settlements: SALES_ONLY drops the COGS.
    status = {"storeId": store, "source": "amazon", "status": "SALES_ONLY"}
    assert (await gql(CHANNEL, {"input": status}))["data"]["setChannelStatus"]["userErrors"] == []
    await run_worker()
    lines = _by_key((await gql(PL, {"store": store}))["data"]["profitAndLoss"]["lines"])
    assert lines.get("COGS", Decimal(0)) == 0
    assert (await verify_company(pool, tenant.company_id)).problems == []


async def test_bad_settlements_are_refused_whole(
    gql: GraphQL,
    client: httpx.AsyncClient,
    tenant: Tenant,
    pool: asyncpg.Pool,
    run_worker: Callable[[], Awaitable[None]],
) -> None:
    async with FakeAmazon(SellerAccount()) as fake:
        store = (await connect(gql, fake))["store"]["id"]
        await run_worker()
    wrong = await upload(client, tenant, store, sample_settlement(total="31.80").encode())
    assert wrong["userErrors"][0]["field"] == "input.file"
    assert "settlement 12345678901" in wrong["userErrors"][0]["message"]
    v1 = b"settlement-id\tsettlement-start-date\tprice-type\n1\t2\t3\n"
    bad = await upload(client, tenant, store, v1)
    assert bad["userErrors"][0]["message"].startswith("line 1:")
    assert (
        await pool.fetchval(
            "SELECT count(*) FROM settlements WHERE company_id = $1", tenant.company_id
        )
        == 0
    )
    ok = await upload(client, tenant, store, sample_settlement().encode(), key="s-1")
    assert ok["created"] is True and ok["settlement"]["source"] == "UPLOAD"

    # The merchant places the amount no rule knew: it leaves the review list and the
    # uncategorized account, and the settlement still ties out.
    mapping = """mutation($input: SetSettlementMappingInput!) { setSettlementMapping(input: $input)
      { changed userErrors { field message } } }"""
    words = {"storeId": store, "description": "Adjustment/Misc/NewFeeType2026"}
    body = await gql(mapping, {"input": {**words, "kind": "SELLING_FEE"}})
    assert body["data"]["setSettlementMapping"] == {"changed": True, "userErrors": []}
    listed = (await gql(SETTLEMENTS, {"store": store}))["data"]["settlements"]["nodes"]
    assert listed[0]["linesToReview"] == []
    bs = _by_key((await gql(BS))["data"]["balanceSheet"]["lines"])
    assert bs.get("UNCATEGORIZED", Decimal(0)) == 0 and bs["BANK"] == Decimal("30.80")
    assert (await verify_company(pool, tenant.company_id)).problems == []


async def test_a_refused_login_fails_the_sync_with_its_reason(
    gql: GraphQL, tenant: Tenant, pool: asyncpg.Pool, run_worker: Callable[[], Awaitable[None]]
) -> None:
    async with FakeAmazon(SellerAccount()) as fake:
        connected = await connect(gql, fake, refreshToken="Atzr|revoked")
        again = await connect(gql, fake, refreshToken="Atzr|revoked", name="Twice")
        assert [e["code"] for e in again["userErrors"]] == ["CONFLICT"]
        await run_worker()
    job = await pool.fetchrow(
        "SELECT status, error FROM jobs WHERE company_id = $1 AND kind = 'marketplace_sync'",
        tenant.company_id,
    )
    assert job["status"] == "FAILED" and "invalid_grant" in job["error"]
    assert connected["store"]["platform"] == "amazon"


async def test_restocks_for_a_marketplace_before_any_order(gql: GraphQL, tenant: Tenant) -> None:
    from service.api.ids import global_id

    store = global_id("Store", tenant.store_id)
    for channel in ("amazon", "tiktok"):
        body = await gql(
            RESTOCK,
            {
                "input": {
                    "storeId": store,
                    "channel": channel,
                    "period": "MONTH",
                    "date": "2026-03-01",
                    "amount": "-12.00",
                }
            },
        )
        assert body["data"]["reportChannelRestock"] == {"saved": 1, "userErrors": []}


TIKTOK = """mutation($input: ConnectTiktokShopInput!) { connectTiktokShop(input: $input)
  { store { id platform } syncJob { id } userErrors { field code message } } }"""


async def test_tiktok_shop_statements_through_the_api(
    gql: GraphQL,
    client: httpx.AsyncClient,
    tenant: Tenant,
    pool: asyncpg.Pool,
    run_worker: Callable[[], Awaitable[None]],
) -> None:
    await gql(PURCHASE, {"sku": "MUG", "cost": "5.00"})
    await gql(PURCHASE, {"sku": "CAP", "cost": "3.00"})
    await run_worker()
    shop = sample_shop()
    shop.expired_tokens.add(shop.access_token)  # the stored token has expired: refreshed once
    first_refresh = shop.refresh_token
    async with FakeTikTok(shop) as fake:
        body = {
            "name": "TikTok US",
            "appKey": shop.app_key,
            "appSecret": shop.app_secret,
            "accessToken": shop.access_token,
            "refreshToken": shop.refresh_token,
            "shopCipher": shop.shop_cipher,
            "apiBaseUrl": fake.base_url,
            "authBaseUrl": fake.base_url,
        }
        connected = (await gql(TIKTOK, {"input": body}))["data"]["connectTiktokShop"]
        assert connected["userErrors"] == []
        store = connected["store"]["id"]
        await run_worker()
        assert shop.refresh_token != first_refresh
        assert "/finance/202309/payments" in fake.calls
        # A second sync signs with the refreshed token it kept, and stores nothing twice.
        sync = "mutation($s: ID!) { syncMarketplace(input: {storeId: $s}) { job { id } } }"
        await gql(sync, {"s": store})
        await run_worker()
    jobs = await pool.fetch(
        "SELECT status, error FROM jobs WHERE company_id = $1 AND kind = 'marketplace_sync'",
        tenant.company_id,
    )
    assert [j["status"] for j in jobs] == ["SUCCEEDED", "SUCCEEDED"], jobs
    listed = (await gql(SETTLEMENTS, {"store": store}))["data"]["settlements"]
    assert listed["totalCount"] == 2
    assert [n["settlementId"] for n in listed["nodes"]] == ["st-0305", "st-0308"]
    review = listed["nodes"][1]["linesToReview"]
    assert [r["description"] for r in review] == ["ADJUSTMENT/PLATFORM_PENALTY"]
    from service.ledger.settlement_payouts import tiktok_payouts

    payouts = await tiktok_payouts(pool, tenant.company_id)
    assert [(p.payout_id, p.amount, str(p.payout_date)) for p in payouts] == [
        ("pay-1", 2847, "2026-03-10")
    ]
    pl = (await gql(PL, {"store": store}))["data"]["profitAndLoss"]
    assert [c["key"] for c in pl["columns"]] == ["tiktok"]
    assert abs(_by_key(pl["lines"])["COGS"]) == Decimal("13.00")
    assert (await verify_company(pool, tenant.company_id)).problems == []


OVERLAPS = """query { marketplaceOverlaps { source marketplace orders channelStatus message } }"""
CHANNEL = """mutation($input: SetChannelStatusInput!) { setChannelStatus(input: $input)
  { userErrors { message } } }"""
ALL_PL = """query { profitAndLoss(from: "2026-03-01", to: "2026-03-31", columnsBy: CHANNEL)
  { netIncome { amount } columns { key netSales { amount } grossProfit { amount } } } }"""


async def test_one_pl_by_channel_for_shopify_amazon_and_tiktok(
    gql: GraphQL,
    client: httpx.AsyncClient,
    tenant: Tenant,
    pool: asyncpg.Pool,
    run_worker: Callable[[], Awaitable[None]],
) -> None:
    """A web order in Shopify, the same Amazon order copied into Shopify by an
    app, the Amazon settlement (FBA and FBM) and the TikTok statements: the
    copy is flagged, excluded, and the books show one P&L by channel."""
    from service.api.ids import global_id
    from tests.e2e.test_seed_statements import _order, _pay, _ship
    from tests.fakes.shopify.generate import generate_shop
    from tests.fakes.shopify.server import FakeShopify
    from tests.integration.shopify_helpers import connect as connect_shopify
    from tests.integration.shopify_helpers import deliveries, post_webhook, process_pending

    for sku, cost in (("MUG", "5.00"), ("CAP", "3.00")):
        await gql(PURCHASE, {"sku": sku, "cost": cost})
    empty = generate_shop(0, seed=3)
    empty.domain = domain = f"mk-{tenant.company_id.hex[:8]}.myshopify.com"
    async with FakeShopify(empty) as shopify:
        await connect_shopify(gql, domain, shopify.base_url)
        web = _order(7001, "2026-03-04", 5000)
        copy = _order(7002, "2026-03-02", 4000, source_name="amazon")
        for o in (web, copy):
            _pay(o, "2026-03-04", o.lines[0].price)
            _ship(o, "2026-03-04")
            for n, (topic, body) in enumerate(deliveries(o)):
                await post_webhook(client, domain, topic, body, f"{o.id}-{n}")
        await process_pending(pool, tenant.company_id)
        await run_worker()  # the shop's backfill, while its API is up
    shopify_store = await pool.fetchval(
        "SELECT store_id FROM stores WHERE company_id = $1 AND shop_domain = $2",
        tenant.company_id,
        domain,
    )
    async with FakeAmazon(seller()) as amazon:
        assert (await connect(gql, amazon))["userErrors"] == []
        await run_worker()
    shop = sample_shop()
    async with FakeTikTok(shop) as tiktok:
        body = {
            "name": "TikTok US",
            "appKey": shop.app_key,
            "appSecret": shop.app_secret,
            "accessToken": shop.access_token,
            "refreshToken": shop.refresh_token,
            "shopCipher": shop.shop_cipher,
            "apiBaseUrl": tiktok.base_url,
            "authBaseUrl": tiktok.base_url,
        }
        assert (await gql(TIKTOK, {"input": body}))["data"]["connectTiktokShop"]["userErrors"] == []
        await run_worker()

    overlaps = (await gql(OVERLAPS))["data"]["marketplaceOverlaps"]
    assert [(o["source"], o["marketplace"], o["orders"]) for o in overlaps] == [
        ("amazon", "amazon", 1)
    ]
    before = (await gql(ALL_PL))["data"]["profitAndLoss"]
    store = global_id("Store", shopify_store)
    status = {"storeId": store, "source": "amazon", "status": "EXCLUDED"}
    assert (await gql(CHANNEL, {"input": status}))["data"]["setChannelStatus"]["userErrors"] == []
    await run_worker()
    assert (await gql(OVERLAPS))["data"]["marketplaceOverlaps"] == []
    after = (await gql(ALL_PL))["data"]["profitAndLoss"]
    columns = {c["key"]: Decimal(c["netSales"]["amount"]) for c in after["columns"]}
    assert set(columns) == {"web", "amazon", "tiktok"}
    old = {c["key"]: Decimal(c["netSales"]["amount"]) for c in before["columns"]}
    assert old["amazon"] - columns["amazon"] == Decimal("40.00")  # the copy no longer counts
    assert columns["web"] == Decimal("50.00")
    bs = _by_key((await gql(BS))["data"]["balanceSheet"]["lines"])
    assert bs["BANK"] == Decimal("30.80") + Decimal("28.47")  # both deposits, to the cent
    assert bs["UNDEPOSITED_FUNDS"] == 0
    assert bs["RIP"] == Decimal("50.00")  # the web order's payment waits for its processor
    assert (await verify_company(pool, tenant.company_id)).problems == []
