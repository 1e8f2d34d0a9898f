"""Orders, order actions, channel statuses and drill-down over GraphQL."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from decimal import Decimal
from typing import Any

import asyncpg
import httpx
import pytest

from service.ledger.verify import verify_company
from tests.conftest import GraphQL, Tenant
from tests.fakes.shopify.generate import generate_shop
from tests.fakes.shopify.model import FOrder
from tests.fakes.shopify.server import FakeShopify
from tests.integration.shopify_helpers import connect, deliveries, post_webhook, process_pending

ORDERS = """query($tab: OrderTab!, $first: Int!, $after: String) {
  orders(first: $first, after: $after, filter: {tab: $tab}) {
    totalCount pageInfo { hasNextPage endCursor }
    nodes { id name channel paymentStatus fulfillmentStatus booksStatus
            openBalance { amount } total { amount } } } }"""
ACTION = """mutation($input: ApplyOrderActionInput!) { applyOrderAction(input: $input) {
  orders { id booksStatus openBalance { amount } } userErrors { field code message } } }"""


@pytest.fixture
async def shop(
    gql: GraphQL, tenant: Tenant, client: httpx.AsyncClient, pool: asyncpg.Pool
) -> AsyncIterator[list[FOrder]]:
    """A connected store fed 40 generated orders through its webhooks."""
    data = generate_shop(40, seed=31)
    domain = f"books-{tenant.company_id.hex[:8]}.myshopify.com"
    empty = generate_shop(0, seed=31)
    empty.domain = domain
    async with FakeShopify(empty) as fake:  # so its backfill, if a worker runs, finds nothing
        await connect(gql, domain, fake.base_url)
        for order in data.orders:
            for n, (topic, payload) in enumerate(deliveries(order)):
                await post_webhook(client, domain, topic, payload, f"{order.id}-{n}")
        await process_pending(pool, tenant.company_id)
        yield data.orders


async def _orders(gql: GraphQL, tab: str, first: int = 100) -> list[dict[str, Any]]:
    body = await gql(ORDERS, {"tab": tab, "first": first})
    nodes: list[dict[str, Any]] = body["data"]["orders"]["nodes"]
    return nodes


async def test_orders_are_listed_and_paged(gql: GraphQL, shop: list[FOrder]) -> None:
    seen: list[str] = []
    after = None
    while True:
        body = await gql(ORDERS, {"tab": "ALL", "first": 15, "after": after})
        page = body["data"]["orders"]
        assert page["totalCount"] == len(shop)
        seen += [n["name"] for n in page["nodes"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert sorted(seen) == sorted(o.name for o in shop)
    assert len(set(seen)) == len(seen)


async def test_unpaid_tab_is_orders_with_an_open_balance(gql: GraphQL, shop: list[FOrder]) -> None:
    everything = await _orders(gql, "ALL")
    unpaid = {o["id"] for o in await _orders(gql, "UNPAID")}
    assert unpaid == {o["id"] for o in everything if Decimal(o["openBalance"]["amount"]) != 0}


async def test_void_action_removes_every_entry_and_include_brings_them_back(
    gql: GraphQL, shop: list[FOrder], tenant: Tenant, pool: asyncpg.Pool
) -> None:
    order = (await _orders(gql, "ALL"))[0]
    entries_q = (
        "query($id: ID!) { order(id: $id) { journalEntries { rule lines { accountKey } } } }"
    )
    before = (await gql(entries_q, {"id": order["id"]}))["data"]["order"]["journalEntries"]
    body = await gql(ACTION, {"input": {"orderIds": [order["id"]], "action": "VOID"}})
    payload = body["data"]["applyOrderAction"]
    assert payload["userErrors"] == []
    assert payload["orders"][0]["booksStatus"] == "VOID"
    void = (await gql(entries_q, {"id": order["id"]}))["data"]["order"]["journalEntries"]
    assert void == []
    assert order["id"] in {o["id"] for o in await _orders(gql, "VOID")}
    # The order says who voided it and when.
    who = "query($id: ID!) { order(id: $id) { actions { kind at tokenName summary } } }"
    [action] = (await gql(who, {"id": order["id"]}))["data"]["order"]["actions"]
    assert action["kind"] == "applyOrderAction" and action["at"]
    assert action["tokenName"] is not None
    assert action["summary"]["input"]["action"] == "VOID"
    await gql(ACTION, {"input": {"orderIds": [order["id"]], "action": "INCLUDE"}})
    again = (await gql(entries_q, {"id": order["id"]}))["data"]["order"]["journalEntries"]
    assert again == before
    assert (await verify_company(pool, tenant.company_id)).problems == []


async def test_closing_a_balance_that_is_not_there_is_a_user_error(
    gql: GraphQL, shop: list[FOrder]
) -> None:
    settled = [o for o in await _orders(gql, "ALL") if Decimal(o["openBalance"]["amount"]) >= 0]
    body = await gql(
        ACTION,
        {
            "input": {
                "orderIds": [settled[0]["id"]],
                "action": "CLOSE_OVERCOLLECTED",
                "date": "2025-01-01",
            }
        },
    )
    errors = body["data"]["applyOrderAction"]["userErrors"]
    assert [(e["field"], e["code"]) for e in errors] == [("input.orderIds.0", "NOT_APPLICABLE")]
    body = await gql(
        ACTION, {"input": {"orderIds": [settled[0]["id"]], "action": "CLOSE_UNCOLLECTED"}}
    )
    codes = {e["code"] for e in body["data"]["applyOrderAction"]["userErrors"]}
    assert "REQUIRED" in codes


async def test_close_uncollected_books_bad_debt_on_accrual(
    gql: GraphQL, shop: list[FOrder], run_worker: Callable[[], Awaitable[None]]
) -> None:
    await gql(
        "mutation { updateBookkeepingSettings(input: {accountingBasis: ACCRUAL}) "
        "{ userErrors { message } } }"
    )
    await run_worker()
    owing = [o for o in await _orders(gql, "UNPAID") if Decimal(o["openBalance"]["amount"]) > 0]
    if not owing:
        pytest.skip("the generated shop has no order with money owed")
    target = owing[0]
    owed = Decimal(target["openBalance"]["amount"])
    body = await gql(
        ACTION,
        {
            "input": {
                "orderIds": [target["id"]],
                "action": "CLOSE_UNCOLLECTED",
                "date": "2026-06-30",
                "idempotencyKey": "close-1",
            }
        },
    )
    payload = body["data"]["applyOrderAction"]
    assert payload["userErrors"] == []
    # The same request again replays its result before any check (the balance is gone now);
    # the same key with another input is a client bug and is refused.
    request = {"orderIds": [target["id"]], "action": "CLOSE_UNCOLLECTED", "date": "2026-06-30"}
    again = await gql(ACTION, {"input": {**request, "idempotencyKey": "close-1"}})
    assert again["data"]["applyOrderAction"]["userErrors"] == []
    other = await gql(
        ACTION, {"input": {**request, "date": "2026-07-01", "idempotencyKey": "close-1"}}
    )
    [reused] = other["data"]["applyOrderAction"]["userErrors"]
    assert reused["code"] == "IDEMPOTENCY_KEY_REUSED"
    pl = await gql(
        '{ profitAndLoss(from: "2026-06-30", to: "2026-06-30") '
        "{ lines { accountKey amount { amount } } } }"
    )
    lines = {
        ln["accountKey"]: Decimal(ln["amount"]["amount"])
        for ln in pl["data"]["profitAndLoss"]["lines"]
    }
    assert lines["BAD_DEBT"] == owed


async def test_an_order_of_another_company_does_not_exist(
    gql: GraphQL, shop: list[FOrder], pool: asyncpg.Pool
) -> None:
    from service.ledger.companies import create_company

    async with pool.acquire() as conn:
        other = await create_company(conn, "Stranger")
    order = (await _orders(gql, "ALL"))[0]
    stranger = Tenant(other.company_id, other.api_token, other.company_id)
    body = await gql(
        ACTION, {"input": {"orderIds": [order["id"]], "action": "VOID"}}, as_tenant=stranger
    )
    errors = body["data"]["applyOrderAction"]["userErrors"]
    assert [e["code"] for e in errors] == ["NOT_FOUND"]
    seen = await gql(
        "query($id: ID!) { order(id: $id) { id } }", {"id": order["id"]}, as_tenant=stranger
    )
    assert seen["data"]["order"] is None
    assert (await _orders(gql, "VOID")) == []


async def test_excluding_a_channel_reposts_only_its_orders(
    gql: GraphQL,
    shop: list[FOrder],
    tenant: Tenant,
    pool: asyncpg.Pool,
    run_worker: Callable[[], Awaitable[None]],
) -> None:
    before = {o["name"]: o for o in await _orders(gql, "ALL")}
    channel = sorted({o["channel"] for o in before.values()})[0]
    stores = (await gql("{ stores { id shopDomain } }"))["data"]["stores"]
    store = next(st["id"] for st in stores if st["shopDomain"])
    body = await gql(
        "mutation($input: SetChannelStatusInput!) { setChannelStatus(input: $input) "
        "{ repostJob { status } userErrors { message } } }",
        {"input": {"storeId": store, "source": channel, "status": "EXCLUDED"}},
    )
    assert body["data"]["setChannelStatus"]["repostJob"]["status"] == "QUEUED"
    await run_worker()
    after = {o["name"]: o for o in await _orders(gql, "ALL")}
    for name, order in after.items():
        was = before[name]
        if order["channel"] == channel and was["booksStatus"] in ("INCLUDED", "EXCLUDED"):
            assert order["booksStatus"] == "EXCLUDED", name  # an order status would win
        else:
            assert order == was, name  # orders of other channels are not touched
    assert (await verify_company(pool, tenant.company_id)).problems == []


async def test_journal_drill_down_links_lines_to_orders_and_rules(
    gql: GraphQL, shop: list[FOrder]
) -> None:
    body = await gql(
        '{ journalEntries(first: 20, filter: {accountKey: "GROSS_SALES"}) { totalCount '
        "nodes { date rule memo lines { accountKey amount { amount } rule order { name } } } } }"
    )
    entries = body["data"]["journalEntries"]
    assert entries["totalCount"] > 0
    for entry in entries["nodes"]:
        assert sum(Decimal(ln["amount"]["amount"]) for ln in entry["lines"]) == 0
        assert any(ln["accountKey"] == "GROSS_SALES" for ln in entry["lines"])
        assert all(ln["rule"] == entry["rule"] for ln in entry["lines"])
        assert entry["lines"][0]["order"]["name"].startswith("#")


async def test_bad_ranges_and_accounts_are_named(gql: GraphQL) -> None:
    body = await gql(
        '{ profitAndLoss(from: "2025-02-01", to: "2025-01-01") { netSales { amount } } }'
    )
    assert "invalid date range" in body["errors"][0]["message"]
    body = await gql('{ journalEntries(filter: {accountKey: "NOPE"}) { totalCount } }')
    assert "unknown account key 'NOPE'" in body["errors"][0]["message"]


async def test_trial_balance_debits_equal_credits(gql: GraphQL, shop: list[FOrder]) -> None:
    body = await gql(
        '{ trialBalance(from: "2024-01-01", to: "2030-12-31") '
        "{ totalDebit { amount } totalCredit { amount } lines { accountKey } } }"
    )
    tb = body["data"]["trialBalance"]
    assert tb["totalDebit"] == tb["totalCredit"]
    assert Decimal(tb["totalDebit"]["amount"]) > 0


async def test_profit_and_loss_columns_add_up(gql: GraphQL, shop: list[FOrder]) -> None:
    body = await gql(
        '{ profitAndLoss(from: "2024-01-01", to: "2025-12-31", columnsBy: MONTH) '
        "{ netSales { amount } columns { key netSales { amount } } } }"
    )
    pl = body["data"]["profitAndLoss"]
    assert len(pl["columns"]) > 1
    total = sum(Decimal(c["netSales"]["amount"]) for c in pl["columns"])
    assert total == Decimal(pl["netSales"]["amount"])


async def test_products_are_the_skus_orders_carry(gql: GraphQL, shop: list[FOrder]) -> None:
    skus = {ln.sku for o in shop for ln in o.lines if ln.sku and not ln.gift_card}
    body = await gql("{ products(first: 250) { totalCount nodes { sku title } } }")
    products = body["data"]["products"]
    assert products["totalCount"] == len(skus)
    assert {p["sku"] for p in products["nodes"]} == skus
