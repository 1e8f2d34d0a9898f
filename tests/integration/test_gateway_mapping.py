"""A store's gateway mapping (posting rule 13.2) and order edits, through
the webhook endpoint and the API as a merchant would use them."""

from __future__ import annotations

import copy
from collections.abc import Awaitable, Callable
from typing import Any

import asyncpg
import httpx

from tests.conftest import GraphQL, Tenant
from tests.integration.shopify_helpers import connect, post_webhook, process_pending
from tests.unit.shopify.payloads import money_set, rest_order, rest_txn

AT = "2024-03-01T10:05:00-05:00"
MAPPINGS = (
    "query($review: Boolean) { gatewayMappings(needsReview: $review)"
    " { gateway kind setBy needsReview } }"
)
SET = """
mutation($input: SetGatewayMappingInput!) {
  setGatewayMapping(input: $input) {
    gatewayMapping { gateway kind setBy needsReview }
    repostJob { id }
    userErrors { field code message }
  }
}
"""
ORDER = "{ orders(first: 5) { nodes { name openBalance { amount } paymentStatus } } }"


async def _store(
    gql: GraphQL, tenant: Tenant, prefix: str, base_url: str | None = None
) -> tuple[str, str]:
    domain = f"{prefix}-{tenant.company_id.hex[:8]}.myshopify.com"
    payload = await connect(gql, domain, base_url)
    return domain, payload["store"]["id"]


async def test_a_gateway_mapped_offline_reposts_the_stores_orders(
    gql: GraphQL,
    tenant: Tenant,
    client: httpx.AsyncClient,
    pool: asyncpg.Pool,
    run_worker: Callable[[], Awaitable[None]],
    empty_shopify: str,
) -> None:
    domain, store_id = await _store(gql, tenant, "zelle", empty_shopify)
    await post_webhook(client, domain, "orders/create", rest_order("40.00"), "w1")
    sale = rest_txn(9001, "sale", "40.00", "Zelle", AT)
    await post_webhook(client, domain, "order_transactions/create", sale, "w2")
    await process_pending(pool, tenant.company_id)
    [order] = (await gql(ORDER))["data"]["orders"]["nodes"]
    assert (order["openBalance"]["amount"], order["paymentStatus"]) == ("0.00", "PAID")

    review = (await gql(MAPPINGS, {"review": True}))["data"]["gatewayMappings"]
    assert review == [
        {"gateway": "Zelle", "kind": "PROCESSOR", "setBy": "DEFAULT", "needsReview": True}
    ]
    first = {"storeId": store_id, "gateway": "Zelle", "kind": "OFFLINE", "idempotencyKey": "z1"}
    body = (await gql(SET, {"input": first}))["data"]["setGatewayMapping"]
    assert body["userErrors"] == []
    assert body["gatewayMapping"] == {
        "gateway": "Zelle",
        "kind": "OFFLINE",
        "setBy": "MERCHANT",
        "needsReview": False,
    }
    assert body["repostJob"] is not None
    again = (await gql(SET, {"input": first}))["data"]["setGatewayMapping"]
    assert again["repostJob"] == body["repostJob"]  # replayed, not applied twice
    await run_worker()
    [order] = (await gql(ORDER))["data"]["orders"]["nodes"]
    assert (order["openBalance"]["amount"], order["paymentStatus"]) == ("40.00", "MANUALLY_PAID")
    assert (await gql(MAPPINGS, {"review": True}))["data"]["gatewayMappings"] == []

    same = dict(first, idempotencyKey="z2")
    unchanged = (await gql(SET, {"input": same}))["data"]["setGatewayMapping"]
    assert unchanged["repostJob"] is None


async def test_set_gateway_mapping_names_bad_fields(gql: GraphQL, tenant: Tenant) -> None:
    _, store_id = await _store(gql, tenant, "bad")
    unknown = {"storeId": "U3RvcmU6bm9wZQ==", "gateway": "x", "kind": "OFFLINE"}
    body = (await gql(SET, {"input": unknown}))["data"]["setGatewayMapping"]
    assert [(e["field"], e["code"]) for e in body["userErrors"]] == [("input.storeId", "NOT_FOUND")]
    long = {"storeId": store_id, "gateway": "x" * 201, "kind": "OFFLINE"}
    body = (await gql(SET, {"input": long}))["data"]["setGatewayMapping"]
    assert [(e["field"], e["code"]) for e in body["userErrors"]] == [("input.gateway", "INVALID")]


def _edited(order: dict[str, Any]) -> dict[str, Any]:
    """The order after an edit removed one of its two tees."""
    edited = copy.deepcopy(order)
    edited["updated_at"] = "2024-03-02T10:00:00-05:00"
    edited["line_items"][0]["current_quantity"] = 1
    return edited


async def test_an_order_edit_changes_the_books(
    gql: GraphQL, tenant: Tenant, client: httpx.AsyncClient, pool: asyncpg.Pool
) -> None:
    domain, _ = await _store(gql, tenant, "edit")
    order = rest_order("20.00")
    order["line_items"][0]["quantity"] = 2
    order["line_items"][0]["current_quantity"] = 2
    order["total_price"] = "40.00"
    order["total_price_set"] = money_set("40.00")
    order["updated_at"] = "2024-03-01T10:00:00-05:00"
    await post_webhook(client, domain, "orders/create", order, "w1")
    edit = {
        "order_edit": {
            "id": 77,
            "order_id": 1001,
            "committed_at": "2024-03-02T10:00:00-05:00",
            "line_items": {"additions": [], "removals": [{"id": 501, "delta": 1}]},
        }
    }
    await post_webhook(client, domain, "orders/edited", edit, "w2")
    await process_pending(pool, tenant.company_id)
    [order_row] = (await gql(ORDER))["data"]["orders"]["nodes"]
    assert order_row["openBalance"]["amount"] == "40.00"  # two tees, unpaid
    waiting = await pool.fetchval(
        "SELECT reason FROM order_refetches WHERE company_id = $1", tenant.company_id
    )
    assert waiting.startswith("order edited")
    statuses = await pool.fetch(
        "SELECT topic, status FROM raw_events WHERE company_id = $1 ORDER BY event_id",
        tenant.company_id,
    )
    assert [(r["topic"], r["status"]) for r in statuses][-1] == ("orders/edited", "PROCESSED")
    await post_webhook(client, domain, "orders/updated", _edited(order), "w3")
    await process_pending(pool, tenant.company_id)
    total = await pool.fetchval(
        "SELECT total FROM order_summaries s JOIN books b USING (company_id) "
        "WHERE s.company_id = $1 AND s.journal_version = b.current_version",
        tenant.company_id,
    )
    assert total == 2000
    [order_row] = (await gql(ORDER))["data"]["orders"]["nodes"]
    assert order_row["openBalance"]["amount"] == "20.00"
    assert (
        await pool.fetchval(
            "SELECT count(*) FROM order_refetches WHERE company_id = $1", tenant.company_id
        )
        == 0
    )
