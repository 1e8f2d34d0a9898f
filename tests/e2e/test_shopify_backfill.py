"""A whole shop through the connector: backfill, webhooks, a killed sync.

The shop is the fake Shopify's, 500 orders with payouts. A clean
backfill gives the reference histories; webhooks for the same orders,
duplicated and shuffled, must leave them exactly as they are; a store fed
by webhooks alone must end with the same histories; a sync stopped midway
and started again must finish with the same result.
"""

from __future__ import annotations

import asyncio
import dataclasses
from uuid import UUID

import asyncpg
import httpx
import pytest

from service.api.ids import decode_uuid
from service.ledger.companies import create_company
from service.sync.shopify_sync import run_sync_step
from tests.conftest import GraphQL, Servers, Tenant
from tests.fakes.shopify.generate import generate_shop
from tests.fakes.shopify.model import FakeShopData, FOrder
from tests.fakes.shopify.server import FakeShopify
from tests.integration.shopify_helpers import (
    connect,
    histories,
    post_webhook,
    process_pending,
    shuffled_with_duplicates,
)

ORDERS = 500
WEBHOOK_ONLY = 250  # enough for every kind of order the generator makes


@pytest.fixture(scope="module")
def shop() -> FakeShopData:
    return generate_shop(ORDERS, seed=20261121)


def _domain(tenant: Tenant, kind: str) -> str:
    return f"{kind}-{tenant.company_id.hex[:10]}.myshopify.com"


async def _backfill(
    gql: GraphQL,
    pool: asyncpg.Pool,
    servers: Servers,
    fake: FakeShopify,
    domain: str,
    company_id: UUID,
) -> tuple[UUID, UUID]:
    payload = await connect(gql, domain, fake.base_url)
    assert payload["userErrors"] == []
    store_id = decode_uuid(payload["store"]["id"], "Store")
    run_id = decode_uuid(payload["syncRun"]["id"], "SyncRun")
    assert store_id and run_id
    secret = servers.settings.resolved_secret_key()
    while True:
        step = await run_sync_step(pool, secret, company_id, run_id, poll_seconds=0.01)
        if step.status != "CONTINUE":
            break
    assert step.status == "DONE"
    return store_id, run_id


async def test_webhooks_after_a_backfill_change_nothing(
    gql: GraphQL,
    tenant: Tenant,
    pool: asyncpg.Pool,
    servers: Servers,
    client: httpx.AsyncClient,
    shop: FakeShopData,
) -> None:
    domain = _domain(tenant, "backfill")
    data = dataclasses.replace(shop, domain=domain)
    async with FakeShopify(data) as fake:
        store_id, _ = await _backfill(gql, pool, servers, fake, domain, tenant.company_id)
    clean = await histories(pool, tenant.company_id, store_id)
    assert len(clean) == ORDERS

    runs = (
        await gql(
            "{ syncRuns(first: 1) { nodes { status ordersSynced payoutsSynced "
            "balanceTransactionsSynced errors } } }"
        )
    )["data"]["syncRuns"]["nodes"][0]
    assert runs["status"] == "SUCCEEDED"
    assert runs["ordersSynced"] == ORDERS
    # A scheduled payout has not moved money yet: it is synced once it has.
    moved = [p for p in shop.payouts if p.status in ("PAID", "IN_TRANSIT")]
    assert runs["payoutsSynced"] == len(moved)
    # The payout's own balance line is the payout record itself.
    records = [b for b in shop.balance_transactions if b.type != "PAYOUT"]
    assert runs["balanceTransactionsSynced"] == len(records)
    assert runs["errors"] == []

    for webhook_id, topic, payload in shuffled_with_duplicates(shop.orders, seed=5):
        response = await post_webhook(client, domain, topic, payload, webhook_id)
        assert response.status_code == 200
    await process_pending(pool, tenant.company_id)
    failed = await pool.fetch(
        "SELECT topic, error FROM raw_events WHERE company_id = $1 AND status = 'FAILED' LIMIT 5",
        tenant.company_id,
    )
    assert [dict(r) for r in failed] == []
    assert await histories(pool, tenant.company_id, store_id) == clean

    # A store fed by webhooks alone ends with the very same histories.
    some = shop.orders[:WEBHOOK_ONLY]
    other = await _webhook_only_store(gql, pool, client, some)
    assert other == {str(o.id): clean[str(o.id)] for o in some}


async def _webhook_only_store(
    gql: GraphQL, pool: asyncpg.Pool, client: httpx.AsyncClient, orders: list[FOrder]
) -> dict[str, str]:
    async with pool.acquire() as conn:
        created = await create_company(conn, "Webhooks only")
    tenant = Tenant(created.company_id, created.api_token, UUID(int=0))
    domain = _domain(tenant, "hooks")
    payload = await connect(gql, domain, as_tenant=tenant)  # connected, never synced
    store_id = decode_uuid(payload["store"]["id"], "Store")
    assert store_id is not None
    for webhook_id, topic, p in shuffled_with_duplicates(orders, seed=9):
        await post_webhook(client, domain, topic, p, webhook_id)
    await process_pending(pool, tenant.company_id)
    return await histories(pool, tenant.company_id, store_id)


async def test_a_sync_stopped_midway_finishes_with_the_same_result(
    gql: GraphQL,
    tenant: Tenant,
    pool: asyncpg.Pool,
    servers: Servers,
    shop: FakeShopData,
) -> None:
    domain = _domain(tenant, "killed")
    data = dataclasses.replace(shop, domain=domain)
    secret = servers.settings.resolved_secret_key()
    async with FakeShopify(data) as fake:
        payload = await connect(gql, domain, fake.base_url)
        store_id = decode_uuid(payload["store"]["id"], "Store")
        run_id = decode_uuid(payload["syncRun"]["id"], "SyncRun")
        assert store_id and run_id
        task = asyncio.create_task(
            run_sync_step(pool, secret, tenant.company_id, run_id, poll_seconds=0.01)
        )
        while True:  # stop it once some orders are in, like a worker killed mid-batch
            synced = await pool.fetchval(
                "SELECT orders_synced FROM sync_runs WHERE company_id = $1 AND run_id = $2",
                tenant.company_id,
                run_id,
            )
            if (synced and synced >= 250) or task.done():
                break
            await asyncio.sleep(0.01)
        assert not task.done(), "the sync finished before it could be stopped"
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        midway = await histories(pool, tenant.company_id, store_id)
        assert 0 < len(midway) < ORDERS
        while (
            step := await run_sync_step(pool, secret, tenant.company_id, run_id, poll_seconds=0.01)
        ).status == "CONTINUE":
            pass
        assert step.status == "DONE"
    resumed = await histories(pool, tenant.company_id, store_id)

    clean_domain = _domain(tenant, "clean")
    async with FakeShopify(dataclasses.replace(shop, domain=clean_domain)) as fake:
        clean_store, _ = await _backfill(gql, pool, servers, fake, clean_domain, tenant.company_id)
    assert resumed == await histories(pool, tenant.company_id, clean_store)
