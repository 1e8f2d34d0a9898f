"""A month of shipped orders costed by Finale and by Goflow through the API,
with pack and bundle SKUs mapped."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Awaitable, Callable
from decimal import Decimal
from typing import Any

import asyncpg
import httpx
import pytest

from service.ledger.verify import verify_company
from tests.conftest import GraphQL, Tenant
from tests.e2e.test_seed_statements import _order, _pay, _ship
from tests.fakes.finale import FakeFinale, FinaleAccount
from tests.fakes.goflow import FakeGoflow, GoflowAccount
from tests.fakes.local_server import free_port
from tests.fakes.shopify.generate import generate_shop
from tests.fakes.shopify.server import FakeShopify
from tests.integration.shopify_helpers import connect, deliveries, post_webhook, process_pending

MUG, CAP = Decimal("4.10"), Decimal("2.005")
# Store SKU -> the inventory products one unit of it ships.
RECIPES: dict[str, list[tuple[str, int]]] = {
    "MUG": [("MUG", 1)],
    "MUG-6PK": [("MUG", 6)],
    "GIFT": [("MUG", 1), ("CAP", 2)],
}
COST = {"MUG": MUG, "CAP": CAP}
SKUS = ["MUG", "MUG-6PK", "GIFT"]
ORDERS = [(3001 + n, dt.date(2025, 3, 2 + 2 * n), SKUS[n % 3], 1 + n % 3) for n in range(12)]
PL = """query($from: Date!, $to: Date!) { profitAndLoss(from: $from, to: $to)
  { lines { accountKey amount { amount } } missingCostLines } }"""
MAP = """mutation($input: SetInventorySkuMappingInput!) { setInventorySkuMapping(input: $input)
  { mapping { sku components { productId units } } syncJob { status }
    userErrors { field code } } }"""
TEST = """mutation($p: InventoryProvider!) { testInventoryConnection(input: {provider: $p})
  { ok message sample { orderReference productId units unitCost { amount } source }
    userErrors { field code message } } }"""


def expected_cogs() -> Decimal:
    total = Decimal(0)
    for _, _, sku, units in ORDERS:
        unit = sum(COST[p] * n for p, n in RECIPES[sku])
        total += units * unit.quantize(Decimal("0.01"), rounding="ROUND_HALF_UP")
    return total


async def _cogs(gql: GraphQL) -> tuple[Decimal, int]:
    body = (await gql(PL, {"from": "2025-03-01", "to": "2025-03-31"}))["data"]["profitAndLoss"]
    cogs = next(
        Decimal(ln["amount"]["amount"]) for ln in body["lines"] if ln["accountKey"] == "COGS"
    )
    return cogs, body["missingCostLines"]


@pytest.fixture
async def month(
    gql: GraphQL, tenant: Tenant, client: httpx.AsyncClient, pool: asyncpg.Pool
) -> AsyncIterator[None]:
    """Twelve paid, shipped web orders over March 2025: mugs, six-packs, gift sets."""
    empty = generate_shop(0, seed=11)
    empty.domain = domain = f"inv-{tenant.company_id.hex[:8]}.myshopify.com"
    async with FakeShopify(empty) as fake:
        await connect(gql, domain, fake.base_url)
        for oid, day, sku, units in ORDERS:
            o = _order(oid, day.isoformat(), 2000)
            o.lines[0].sku, o.lines[0].quantity = sku, units
            _pay(o, day.isoformat(), 2000 * units)
            _ship(o, day.isoformat())
            o.fulfillments[0].lines[0].quantity = units
            for n, (topic, body) in enumerate(deliveries(o)):
                await post_webhook(client, domain, topic, body, f"{o.id}-{n}")
        await process_pending(pool, tenant.company_id)
        yield


async def _map_packs(gql: GraphQL, provider: str) -> None:
    for sku in ("MUG-6PK", "GIFT"):
        parts = [{"productId": p, "units": n} for p, n in RECIPES[sku]]
        body = await gql(MAP, {"input": {"provider": provider, "sku": sku, "components": parts}})
        assert body["data"]["setInventorySkuMapping"]["userErrors"] == []


async def _connect(gql: GraphQL, fields: dict[str, Any]) -> None:
    body = await gql(
        "mutation($input: ConnectInventorySystemInput!) { connectInventorySystem(input: $input)"
        " { syncJob { status } userErrors { field message } } }",
        {"input": fields},
    )
    assert body["data"]["connectInventorySystem"]["userErrors"] == []


async def test_a_month_of_finale_shipments_costs_every_unit(
    gql: GraphQL,
    month: None,
    tenant: Tenant,
    pool: asyncpg.Pool,
    run_worker: Callable[[], Awaitable[None]],
) -> None:
    finale = FinaleAccount()
    for oid, day, sku, units in ORDERS:
        items = [(p, n * units, COST[p]) for p, n in RECIPES[sku]]
        finale.ship(f"#{oid}", day, items, packed_first=oid % 2 == 0)
    today = dt.datetime.now(dt.UTC).date()
    finale.ship("#9999", today, [("MUG", 1, MUG)])  # a sale outside the books, for the test
    await _map_packs(gql, "FINALE")
    async with FakeFinale(finale, account="acme", api_key="K", api_secret="S") as fake:
        creds = {"account": "acme", "apiKey": "K", "apiSecret": "S", "baseUrl": fake.base_url}
        await _connect(gql, {"provider": "FINALE", **creds})
        await run_worker()
        tested = (await gql(TEST, {"p": "FINALE"}))["data"]["testInventoryConnection"]
    assert await _cogs(gql) == (expected_cogs(), 0)
    assert tested["ok"] and tested["userErrors"] == []
    assert tested["sample"]["orderReference"] == "#9999"
    assert tested["sample"]["unitCost"] == {"amount": "4.10"}
    assert "transactionCostPerUnit" in tested["sample"]["source"]
    assert (await verify_company(pool, tenant.company_id)).problems == []


async def test_a_month_of_goflow_orders_costs_every_unit_at_the_product_cost(
    gql: GraphQL,
    month: None,
    tenant: Tenant,
    pool: asyncpg.Pool,
    run_worker: Callable[[], Awaitable[None]],
) -> None:
    goflow = GoflowAccount()
    goflow.adjust(dt.datetime(2025, 2, 20, tzinfo=dt.UTC), [("MUG", 500, MUG), ("CAP", 200, CAP)])
    for oid, day, sku, units in ORDERS:
        lines = [(p, n * units, Decimal("20")) for p, n in RECIPES[sku]]
        goflow.ship(str(oid), dt.datetime.combine(day, dt.time(17), dt.UTC), lines)
    await _map_packs(gql, "GOFLOW")
    async with FakeGoflow(goflow, token="gf", page_size=5) as fake:
        await _connect(
            gql,
            {"provider": "GOFLOW", "subdomain": "acme", "token": "gf", "baseUrl": fake.base_url},
        )
        await run_worker()
        tested = (await gql(TEST, {"p": "GOFLOW"}))["data"]["testInventoryConnection"]
    assert await _cogs(gql) == (expected_cogs(), 0)
    assert tested["ok"] and tested["sample"] is None
    assert "publishes no cost per order" in tested["message"]
    assert (await verify_company(pool, tenant.company_id)).problems == []


async def test_mappings_are_listed_and_bad_ones_refused(gql: GraphQL, tenant: Tenant) -> None:
    await _map_packs(gql, "FINALE")
    listed = await gql(
        "{ inventorySkuMappings(provider: FINALE) { totalCount nodes { sku components"
        " { productId units } } } }"
    )
    nodes = listed["data"]["inventorySkuMappings"]["nodes"]
    assert [n["sku"] for n in nodes] == ["GIFT", "MUG-6PK"]
    assert nodes[1]["components"] == [{"productId": "MUG", "units": 6}]
    bad = await gql(
        MAP,
        {
            "input": {
                "provider": "FINALE",
                "sku": "MUG-6PK",
                "components": [{"productId": "MUG", "units": 0}, {"productId": "MUG", "units": 1}],
            }
        },
    )
    errors = bad["data"]["setInventorySkuMapping"]["userErrors"]
    assert {(e["field"], e["code"]) for e in errors} == {
        ("input.components[0].units", "INVALID"),
        ("input.components[1].productId", "CONFLICT"),
    }
    again = await gql("{ inventorySkuMappings(provider: FINALE) { totalCount } }")
    assert again["data"]["inventorySkuMappings"]["totalCount"] == 2  # nothing half-applied
    body = await gql(TEST, {"p": "GOFLOW"})
    assert body["data"]["testInventoryConnection"]["userErrors"][0]["code"] == "NOT_APPLICABLE"


async def test_a_refused_login_is_shown_by_the_connection_test(
    gql: GraphQL, tenant: Tenant
) -> None:
    async with FakeFinale(FinaleAccount(), account="acme", api_key="K", api_secret="S") as fake:
        creds = {"account": "acme", "apiKey": "K", "apiSecret": "WRONG", "baseUrl": fake.base_url}
        await _connect(gql, {"provider": "FINALE", **creds})
        tested = (await gql(TEST, {"p": "FINALE"}))["data"]["testInventoryConnection"]
    assert tested["ok"] is False
    (error,) = tested["userErrors"]
    assert (error["field"], error["code"]) == ("input.provider", "INVALID")
    assert error["message"].startswith("The credentials were refused")


async def test_an_unreachable_system_is_reported_while_the_person_waits(
    gql: GraphQL, tenant: Tenant
) -> None:
    """Nothing listens on the port: the test gives up after a few seconds of
    retries and says so, rather than holding the request open."""
    creds = {"account": "acme", "apiKey": "K", "apiSecret": "S"}
    await _connect(
        gql, {"provider": "FINALE", **creds, "baseUrl": f"http://127.0.0.1:{free_port()}"}
    )
    tested = (await gql(TEST, {"p": "FINALE"}))["data"]["testInventoryConnection"]
    assert tested["ok"] is False
    (error,) = tested["userErrors"]
    assert error["message"].startswith("No cost could be read: FINALE is not answering now")
