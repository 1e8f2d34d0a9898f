"""Webhooks in any order (posting rule 13.5): a refund that arrives before
the payment it gives back leaves the order in the books, with its last
good entries, NEEDS_DATA and the reason; the order is read again from
Shopify and posts in full as soon as the missing part is there."""

from __future__ import annotations

import copy
from uuid import UUID

import asyncpg
import httpx

from service.api.ids import decode_uuid
from service.config import Settings
from service.ledger.verify import verify_company
from service.sync.shopify_sync import refetch_waiting_orders
from tests.conftest import GraphQL, Tenant
from tests.fakes.shopify.generate import generate_shop
from tests.fakes.shopify.model import FOrder
from tests.fakes.shopify.rest import rest_order, rest_refund
from tests.fakes.shopify.server import FakeShopify
from tests.integration.shopify_helpers import connect, post_webhook, process_pending

STATUS = "{ booksStatus { upToDate ordersNeedingData } }"
WAITING = (
    "{ orders(first: 10, filter: {tab: NEEDS_DATA}) { totalCount"
    " nodes { sourceOrderId booksStatus postingError journalEntries { rule } } } }"
)


def _refunded_order(seed: int) -> FOrder:
    """An order of the fake shop paid by card and partly refunded in money."""
    for order in generate_shop(60, seed=seed).orders:
        paid = [
            t for t in order.payments if t.kind in ("sale", "capture") and t.status == "success"
        ]
        money_back = [
            t
            for r in order.refunds
            for t in r.transactions
            if t.kind == "refund" and t.status == "success" and t.amount > 0
        ]
        if paid and money_back and not order.cancelled_at and not order.test:
            return order
    raise AssertionError("no refunded order in the fake shop")


async def test_refund_before_its_sale_waits_then_posts(
    gql: GraphQL,
    tenant: Tenant,
    client: httpx.AsyncClient,
    pool: asyncpg.Pool,
    settings: Settings,
) -> None:
    order = _refunded_order(seed=31)
    # Accrual, set before any order exists: placement posts at once, so
    # the order has entries to keep while it waits.
    await pool.execute(
        "UPDATE bookkeeping_settings SET accounting_basis = 'ACCRUAL' WHERE company_id = $1",
        tenant.company_id,
    )
    data = generate_shop(0, seed=31)
    data.orders = [order]
    data.domain = domain = f"wait-{tenant.company_id.hex[:8]}.myshopify.com"
    async with FakeShopify(data) as fake:
        store = await connect(gql, domain, fake.base_url)
        store_id = decode_uuid(store["store"]["id"], "Store")
        assert store_id is not None
        placed = copy.deepcopy(order)
        placed.refunds = []
        await post_webhook(client, domain, "orders/create", rest_order(placed), "w1")
        await post_webhook(client, domain, "refunds/create", rest_refund(order, 0), "w2")
        await process_pending(pool, tenant.company_id)

        status = (await gql(STATUS))["data"]["booksStatus"]
        assert status == {"upToDate": False, "ordersNeedingData": 1}
        waiting = (await gql(WAITING))["data"]["orders"]
        assert waiting["totalCount"] == 1
        [node] = waiting["nodes"]
        assert node["booksStatus"] == "NEEDS_DATA"
        assert "waiting for the payment" in node["postingError"]
        # The order keeps the entries of the last history that posted.
        assert node["journalEntries"] != []
        report = await verify_company(pool, tenant.company_id)
        assert any("NEEDS_DATA" in p for p in report.problems), report.problems
        assert not any("differs" in p for p in report.problems), report.problems

        attempts = await refetch_waiting_orders(
            pool, settings.resolved_secret_key(), company_id=tenant.company_id
        )
        assert attempts == 1

    status = (await gql(STATUS))["data"]["booksStatus"]
    assert status["ordersNeedingData"] == 0
    assert (await gql(WAITING))["data"]["orders"]["totalCount"] == 0
    rules = await _rules(pool, tenant.company_id, store_id, str(order.id))
    assert {"accrual.placed", "accrual.payment", "accrual.refund"} <= rules
    assert (await verify_company(pool, tenant.company_id)).clean


async def test_an_order_whose_part_never_comes_stays_listed(
    gql: GraphQL,
    tenant: Tenant,
    client: httpx.AsyncClient,
    pool: asyncpg.Pool,
    settings: Settings,
) -> None:
    """Shopify does not know the order either: attempts are counted and
    bounded, the reason stays visible, nothing is dropped."""
    order = _refunded_order(seed=32)
    empty = generate_shop(0, seed=32)
    empty.domain = domain = f"gone-{tenant.company_id.hex[:8]}.myshopify.com"
    async with FakeShopify(empty) as fake:
        await connect(gql, domain, fake.base_url)
        await post_webhook(client, domain, "refunds/create", rest_refund(order, 0), "w1")
        placed = copy.deepcopy(order)
        placed.refunds = []
        await post_webhook(client, domain, "orders/create", rest_order(placed), "w2")
        await process_pending(pool, tenant.company_id)
        await refetch_waiting_orders(
            pool, settings.resolved_secret_key(), company_id=tenant.company_id
        )
    row = await pool.fetchrow(
        "SELECT attempts, last_error FROM order_refetches WHERE company_id = $1",
        tenant.company_id,
    )
    assert row["attempts"] == 1 and "Shopify" in row["last_error"]
    assert (await gql(WAITING))["data"]["orders"]["totalCount"] == 1


async def _rules(pool: asyncpg.Pool, company_id: UUID, store_id: UUID, order_id: str) -> set[str]:
    rows = await pool.fetch(
        "SELECT DISTINCT e.rule FROM journal_entries e JOIN books b USING (company_id) "
        "WHERE e.company_id = $1 AND e.journal_version = b.current_version AND e.subject LIKE $2",
        company_id,
        f"%{order_id}%",
    )
    return {r["rule"] for r in rows}
