"""The connector's jobs in a real worker: webhook processing, backfill and on-demand sync."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable

import asyncpg
import httpx

from service.api.ids import decode_uuid
from tests.conftest import GraphQL, Tenant
from tests.fakes.shopify.generate import generate_shop
from tests.fakes.shopify.rest import rest_order
from tests.fakes.shopify.server import FakeShopify
from tests.integration.shopify_helpers import connect, histories, post_webhook

RUNS = (
    "{ syncRuns(first: 5) { nodes { id kind status ordersSynced errors ordersTotal ordersSeen"
    " queries queryCost payoutsSynced balanceTransactionsSynced } } }"
)


async def test_the_worker_processes_stored_webhooks(
    gql: GraphQL,
    tenant: Tenant,
    client: httpx.AsyncClient,
    pool: asyncpg.Pool,
    run_worker: Callable[[], Awaitable[None]],
) -> None:
    empty = generate_shop(0, seed=11)
    empty.domain = domain = f"worker-{tenant.company_id.hex[:8]}.myshopify.com"
    async with FakeShopify(empty) as fake:  # its backfill finds nothing
        payload = await connect(gql, domain, fake.base_url)
        store_id = decode_uuid(payload["store"]["id"], "Store")
        assert store_id is not None
        order = generate_shop(1, seed=11).orders[0]
        await post_webhook(client, domain, "orders/create", rest_order(order), "w1")
        status = (await gql("{ booksStatus { upToDate pendingEvents } }"))["data"]["booksStatus"]
        assert status == {"upToDate": False, "pendingEvents": 1}
        await run_worker()
    status = (await gql("{ booksStatus { upToDate pendingEvents } }"))["data"]["booksStatus"]
    assert status["pendingEvents"] == 0
    assert list(await histories(pool, tenant.company_id, store_id)) == [str(order.id)]


async def test_backfill_then_sync_store_picks_up_changes(
    gql: GraphQL,
    tenant: Tenant,
    pool: asyncpg.Pool,
    run_worker: Callable[[], Awaitable[None]],
) -> None:
    data = generate_shop(40, seed=12)
    data.domain = f"sync-{tenant.company_id.hex[:8]}.myshopify.com"
    async with FakeShopify(data) as fake:
        payload = await connect(gql, data.domain, fake.base_url)
        store_id = decode_uuid(payload["store"]["id"], "Store")
        assert store_id is not None
        await run_worker()
        runs = (await gql(RUNS))["data"]["syncRuns"]["nodes"]
        assert [(r["kind"], r["status"], r["ordersSynced"]) for r in runs] == [
            ("BACKFILL", "SUCCEEDED", 40)
        ]
        [backfill] = runs
        assert (backfill["ordersTotal"], backfill["ordersSeen"]) == (40, 40)
        assert backfill["queries"] > 0 and backfill["queryCost"] > 0
        assert backfill["balanceTransactionsSynced"] > 0
        before = await histories(pool, tenant.company_id, store_id)
        products = (
            await gql("{ products(first: 250) { nodes { sku channelUnitCost { amount } } } }")
        )["data"]["products"]["nodes"]
        costs = {p["sku"]: p["channelUnitCost"] for p in products}
        catalog: dict[str, int | None] = {}
        for v in sorted(data.variants, key=lambda v: v.id):  # the oldest variant of a SKU wins
            if v.sku:
                catalog.setdefault(v.sku, v.cost)
        for sku, cost in costs.items():
            if sku in catalog and catalog[sku] is not None:
                assert cost is not None, sku
        missing = await gql("{ missingCosts(first: 250) { nodes { sku } } }")
        assert all(catalog.get(n["sku"]) is None for n in missing["data"]["missingCosts"]["nodes"])

        target = data.orders[5]
        later = max(o.updated_at for o in data.orders) + dt.timedelta(days=1)
        data.add_appeasement_refund(target.id, 500, later)
        data.touch(target.id, later)
        body = await gql(
            "mutation($id: ID!) { syncStore(storeId: $id) { syncRun { kind status } "
            "userErrors { message } } }",
            {"id": payload["store"]["id"]},
        )
        assert body["data"]["syncStore"]["syncRun"]["kind"] == "INCREMENTAL"
        await run_worker()
    after = await histories(pool, tenant.company_id, store_id)
    changed = {k for k in after if after[k] != before.get(k)}
    assert changed == {str(target.id)}
    runs = (await gql(RUNS))["data"]["syncRuns"]["nodes"]
    assert runs[0]["kind"] == "INCREMENTAL" and runs[0]["status"] == "SUCCEEDED"
    # Payouts and balance transactions go on from where the backfill left them.
    assert runs[0]["balanceTransactionsSynced"] == 0
    assert runs[0]["ordersSeen"] >= 1 and runs[0]["ordersTotal"] is None


async def test_missing_scopes_are_named_at_connect_and_the_sync_goes_on(
    gql: GraphQL,
    tenant: Tenant,
    run_worker: Callable[[], Awaitable[None]],
) -> None:
    """No read_all_orders nor read_products, and no Shopify Payments: the
    store connects with the missing scopes named; the backfill syncs the
    orders it may see and says what it skipped."""
    data = generate_shop(30, seed=13)
    data.domain = f"scopes-{tenant.company_id.hex[:8]}.myshopify.com"
    recent_from = sorted(o.created_at for o in data.orders)[20]
    now = recent_from + dt.timedelta(days=60)
    granted = frozenset({"read_orders", "read_inventory"})
    async with FakeShopify(data, scopes=granted, payments=False, now=now) as fake:
        payload = await connect(gql, data.domain, fake.base_url)
        assert payload["userErrors"] == [] and payload["scopesChecked"] is True
        assert payload["missingScopes"] == [
            {"handle": "read_all_orders", "required": False},
            {"handle": "read_products", "required": False},
            {"handle": "read_shopify_payments_payouts", "required": False},
        ]
        await run_worker()
    [run] = (await gql(RUNS))["data"]["syncRuns"]["nodes"]
    recent = sum(1 for o in data.orders if o.created_at >= recent_from)
    assert (run["status"], run["ordersSynced"], run["ordersTotal"]) == ("SUCCEEDED", recent, recent)
    skipped = {e["phase"]: e["message"] for e in run["errors"] if "phase" in e}
    assert "read_products" in skipped["products"]
    assert "no Shopify Payments account" in skipped["payouts"]


async def test_a_token_without_read_orders_is_refused(gql: GraphQL, tenant: Tenant) -> None:
    data = generate_shop(1, seed=14)
    data.domain = f"noorders-{tenant.company_id.hex[:8]}.myshopify.com"
    async with FakeShopify(data, scopes=frozenset({"read_products"})) as fake:
        payload = await connect(gql, data.domain, fake.base_url)
    assert payload["store"] is None
    [error] = payload["userErrors"]
    assert error["field"] == "input.accessToken" and "read_orders" in error["message"]


async def test_sync_store_refuses_unknown_and_unconnected_stores(
    gql: GraphQL, tenant: Tenant
) -> None:
    from service.api.ids import global_id

    body = await gql(
        "mutation($id: ID!) { syncStore(storeId: $id) { userErrors { field code } } }",
        {"id": global_id("Store", tenant.store_id)},
    )
    assert body["data"]["syncStore"]["userErrors"] == [
        {"field": "storeId", "code": "NOT_APPLICABLE"}
    ]
    body = await gql('mutation { syncStore(storeId: "nope") { userErrors { field code } } }')
    assert body["data"]["syncStore"]["userErrors"] == [{"field": "storeId", "code": "NOT_FOUND"}]
