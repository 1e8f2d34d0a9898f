"""Connecting test stores to a fake Shopify, and delivering its webhooks."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from typing import Any
from uuid import UUID

import asyncpg
import httpx

from service.ledger.order_sources import stored_histories
from service.sync.shopify_events import process_event
from tests.conftest import GraphQL, Tenant
from tests.fakes.shopify.model import FOrder
from tests.fakes.shopify.rest import rest_fulfillment, rest_order, rest_refund, rest_transaction
from tests.fakes.shopify.webhooks import webhook_request

SECRET = "whsec_test_secret"
TOKEN = "shpat_test"

CONNECT = """
mutation Connect($input: ConnectShopifyStoreInput!) {
  connectShopifyStore(input: $input) {
    store { id shopDomain timezone currencyCode }
    syncRun { id kind status }
    scopesChecked missingScopes { handle required }
    userErrors { field code message }
  }
}
"""


async def connect(
    gql: GraphQL,
    domain: str,
    base_url: str | None = None,
    *,
    as_tenant: Tenant | None = None,
    **extra: Any,
) -> dict[str, Any]:
    variables = {
        "input": {
            "shopDomain": domain,
            "webhookSecret": SECRET,
            "accessToken": TOKEN,
            "apiBaseUrl": base_url,
            "timezone": "America/New_York",
            "currencyCode": "USD",
            **extra,
        }
    }
    body = await gql(CONNECT, variables, as_tenant=as_tenant)
    payload: dict[str, Any] = body["data"]["connectShopifyStore"]
    return payload


def deliveries(order: FOrder) -> list[tuple[str, dict[str, Any]]]:
    """Every webhook Shopify sends for the order's final state."""
    out: list[tuple[str, dict[str, Any]]] = [("orders/create", rest_order(order))]
    out += [("order_transactions/create", rest_transaction(order, t)) for t in order.transactions]
    out += [("refunds/create", rest_refund(order, i)) for i in range(len(order.refunds))]
    out += [
        ("fulfillments/create", rest_fulfillment(order, i)) for i in range(len(order.fulfillments))
    ]
    out.append(("orders/updated", rest_order(order)))
    return out


def shuffled_with_duplicates(
    orders: list[FOrder], seed: int
) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(webhook id, topic, payload): every delivery, some twice, in random order."""
    rng = random.Random(seed)
    items = [
        (f"{o.id}-{n}", topic, payload)
        for o in orders
        for n, (topic, payload) in enumerate(deliveries(o))
    ]
    items += rng.sample(items, k=len(items) // 5)  # Shopify delivers at least once
    rng.shuffle(items)
    yield from items


async def post_webhook(
    client: httpx.AsyncClient, domain: str, topic: str, payload: dict[str, Any], webhook_id: str
) -> httpx.Response:
    headers, body = webhook_request(
        topic, payload, secret=SECRET, shop_domain=domain, webhook_id=webhook_id
    )
    return await client.post("/webhooks/shopify", content=body, headers=headers)


async def process_pending(pool: asyncpg.Pool, company_id: UUID) -> None:
    """What the worker does for each stored event, in arrival order."""
    rows = await pool.fetch(
        "SELECT event_id FROM raw_events WHERE company_id = $1 AND status = 'PENDING' "
        "ORDER BY event_id",
        company_id,
    )
    for r in rows:
        await process_event(pool, company_id, r["event_id"])


async def histories(pool: asyncpg.Pool, company_id: UUID, store_id: UUID) -> dict[str, str]:
    """Stored histories with the store id taken out, comparable across stores."""
    found = await stored_histories(pool, company_id, store_id)
    return {
        order_id: json.dumps(h, sort_keys=True).replace(str(store_id), "<store>")
        for order_id, h in found.items()
        if h is not None
    }
