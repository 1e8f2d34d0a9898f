"""Every journal entry explained over GraphQL: its rule, and the deliveries behind it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import asyncpg
import httpx

from service.api.ids import decode_id, global_id
from service.posting.rules import RULES, rule_for
from tests.conftest import GraphQL, Tenant
from tests.fakes.shopify.generate import generate_shop
from tests.fakes.shopify.model import FOrder
from tests.fakes.shopify.server import FakeShopify
from tests.integration.shopify_helpers import connect, deliveries, post_webhook, process_pending

RULES_Q = "{ postingRules { id section title explanation postedBy } }"
ONE_RULE_Q = "query($id: String) { postingRules(id: $id) { id section } }"
ENTRIES_Q = """query($orderId: ID!) {
  journalEntries(first: 100, filter: {orderId: $orderId}) {
    nodes { rule event ruleInfo { id section }
            sourceEvents { id source topic externalId orderId status body } } } }"""


def _busy_order(orders: list[FOrder]) -> FOrder:
    """An order with payments, a refund and a shipment: every kind of entry."""
    return next(o for o in orders if o.payments and o.refunds and o.fulfillments)


async def _deliver(
    gql: GraphQL,
    client: httpx.AsyncClient,
    pool: asyncpg.Pool,
    tenant: Tenant,
    domain: str,
    base_url: str,
    order: FOrder,
) -> tuple[str, dict[str, str]]:
    """Connect a store, send the order's webhooks; its store id and, per
    object id, the topic of the webhook that carried that object."""
    store = (await connect(gql, domain, base_url))["store"]
    carried: dict[str, str] = {}
    for n, (topic, payload) in enumerate(deliveries(order)):
        resp = await post_webhook(client, domain, topic, payload, f"{order.id}-{n}")
        assert resp.status_code == 200
        carried.setdefault(str(payload["id"]), topic)
    await process_pending(pool, tenant.company_id)
    store_id = decode_id(store["id"], "Store")
    assert store_id is not None
    return store_id, carried


async def test_posting_rules_lists_the_registry(gql: GraphQL) -> None:
    body = await gql(RULES_Q)
    got = body["data"]["postingRules"]
    assert [r["id"] for r in got] == [r.id for r in RULES]
    payment = next(r for r in got if r["id"] == "cash.payment")
    assert payment["section"] == "6.1"
    assert payment["postedBy"] == "service.posting.cash.payment"
    one = await gql(ONE_RULE_Q, {"id": "processor.charge"})
    assert one["data"]["postingRules"] == [{"id": "processor.charge", "section": "11"}]


async def _check_entries(
    gql: GraphQL, store_id: str, order: FOrder, carried: dict[str, str]
) -> list[str]:
    """Every entry of the order names a registered rule and the deliveries
    behind it; returns the rules seen."""
    body = await gql(ENTRIES_Q, {"orderId": global_id("Order", f"{store_id}:{order.id}")})
    nodes: list[dict[str, Any]] = body["data"]["journalEntries"]["nodes"]
    assert nodes, body
    all_topics = sorted(topic for topic, _ in deliveries(order))
    for node in nodes:
        assert node["ruleInfo"] == {"id": node["rule"], "section": rule_for(node["rule"]).section}
        events = node["sourceEvents"]
        topics = sorted(ev["topic"] for ev in events)
        assert all(ev["orderId"] == str(order.id) for ev in events)
        assert all(ev["source"] == "shopify.webhook" for ev in events)
        if node["event"] in (str(order.id), "placed"):
            assert topics == all_topics, node
        else:
            assert carried[node["event"]] in topics, node
            assert all(node["event"] in ev["body"] for ev in events)
    return [n["rule"] for n in nodes]


async def test_entries_name_their_rule_and_the_webhooks_behind_them(
    gql: GraphQL,
    tenant: Tenant,
    client: httpx.AsyncClient,
    pool: asyncpg.Pool,
    run_worker: Callable[[], Awaitable[None]],
) -> None:
    order = _busy_order(generate_shop(40, seed=31).orders)
    empty = generate_shop(0, seed=5)
    empty.domain = f"rules-{tenant.company_id.hex[:8]}.myshopify.com"
    # The fake stays up while the worker runs, so the store's backfill finds nothing.
    async with FakeShopify(empty) as fake:
        store_id, carried = await _deliver(
            gql, client, pool, tenant, empty.domain, fake.base_url, order
        )
        cash_rules = await _check_entries(gql, store_id, order, carried)
        assert {"cash.payment", "cash.refund"} <= set(cash_rules)
        await gql(
            "mutation { updateBookkeepingSettings(input: {accountingBasis: ACCRUAL}) "
            "{ userErrors { message } } }"
        )
        await run_worker()
    accrual_rules = await _check_entries(gql, store_id, order, carried)
    assert {"accrual.placed", "accrual.recognise", "accrual.payment"} <= set(accrual_rules)
