"""Backfill, incremental sync and payouts against the fake Shopify."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from service.connectors.shopify import ShopifyError
from service.connectors.shopify.assemble import assemble_bulk
from service.connectors.shopify.client import ShopifyClient
from service.connectors.shopify.normalize_graphql import history_from_graphql
from service.connectors.shopify.queries import BULK_ORDERS, BULK_POLL, BULK_RUN
from service.connectors.shopify.sync import (
    OrderBatch,
    backfill_orders,
    fetch_order,
    incremental_orders,
    sync_payouts,
)
from tests.fakes.shopify import FakeShopData, FakeShopify, generate_shop
from tests.fakes.shopify.model import FRefundLine, FTxn
from tests.fakes.shopify.validation import NEXT_VERSION
from tests.unit.shopify.conftest import TOKEN, Sleeps
from tests.unit.shopify.test_same_history import from_webhooks


@pytest.fixture(scope="module")
def big_shop() -> FakeShopData:
    return generate_shop(1000, 11)


async def _collect(it: Any, stop_after: int | None = None) -> list[OrderBatch]:
    out: list[OrderBatch] = []
    async for batch in it:
        json.dumps(batch.cursor)  # cursors must be storable as JSON
        out.append(batch)
        if stop_after is not None and len(out) == stop_after:
            await it.aclose()
            break
    return out


def _ids(batches: list[OrderBatch]) -> list[str]:
    return [o["id"].rsplit("/", 1)[-1] for b in batches for o in b.orders]


async def test_bulk_backfill_streams_every_order_once(
    big_shop: FakeShopData, sleeps: Sleeps
) -> None:
    async with (
        FakeShopify(big_shop, access_token=TOKEN, bulk_polls=3) as fake,
        ShopifyClient(big_shop.domain, TOKEN, fake.base_url, sleep=sleeps) as c,
    ):
        batches = await _collect(backfill_orders(c, None, poll_interval=1.5))
    assert [len(b.orders) for b in batches] == [0, 250, 250, 250, 250, 0]
    assert [b.done for b in batches] == [False, False, False, False, False, True]
    assert _ids(batches) == [str(o.id) for o in sorted(big_shop.orders, key=lambda o: o.id)]
    assert sleeps.waits == [1.5, 1.5]  # polled until COMPLETED
    by_id = {str(o.id): o for o in big_shop.orders}
    for batch in batches[:2]:
        for node in batch.orders:
            o = by_id[node["id"].rsplit("/", 1)[-1]]
            got = history_from_graphql(node, store_id="store", timezone=big_shop.timezone)
            assert got == from_webhooks(big_shop, o)


async def test_backfill_resumes_from_the_cursor(big_shop: FakeShopData, sleeps: Sleeps) -> None:
    async with FakeShopify(big_shop, access_token=TOKEN) as fake:
        async with ShopifyClient(big_shop.domain, TOKEN, fake.base_url, sleep=sleeps) as c:
            first = await _collect(backfill_orders(c, None, batch_size=300), stop_after=3)
            rest = await _collect(backfill_orders(c, first[-1].cursor, batch_size=300))
            again = await _collect(backfill_orders(c, rest[-1].cursor))
        assert len(fake.bulk_ops) == 1  # the same operation's file, read again
        assert fake.downloads == 2
    ids = _ids(first) + _ids(rest)
    assert len(ids) == len(set(ids)) == 1000
    assert first[-1].cursor["yielded"] == 600
    assert rest[-1].done and again == []


async def test_backfill_with_an_expired_url_starts_over_and_skips_by_id(
    big_shop: FakeShopData, sleeps: Sleeps
) -> None:
    async with FakeShopify(big_shop, access_token=TOKEN) as fake:
        async with ShopifyClient(big_shop.domain, TOKEN, fake.base_url, sleep=sleeps) as c:
            first = await _collect(backfill_orders(c, None), stop_after=2)
            fake.expire_bulk_urls()
            rest = await _collect(backfill_orders(c, first[-1].cursor))
        assert len(fake.bulk_ops) == 2
    ids = _ids(first) + _ids(rest)
    assert len(ids) == len(set(ids)) == 1000


async def test_failed_bulk_operation_is_an_error(fake: FakeShopify, client: ShopifyClient) -> None:
    fake.fail_bulk = "FAILED"
    with pytest.raises(ShopifyError, match="ended FAILED"):
        await _collect(backfill_orders(client, None))


async def test_backfill_survives_throttling(small_shop: FakeShopData, sleeps: Sleeps) -> None:
    async with (
        FakeShopify(small_shop, access_token=TOKEN, throttle_every=3, rate_limit_every=5) as fake,
        ShopifyClient(small_shop.domain, TOKEN, fake.base_url, sleep=sleeps) as c,
    ):
        batches = await _collect(backfill_orders(c, None, batch_size=50))
    assert len(_ids(batches)) == 120
    assert 6.0 in sleeps.waits and 2.0 in sleeps.waits


async def test_incremental_pages_through_in_update_order(
    fake: FakeShopify, client: ShopifyClient, small_shop: FakeShopData
) -> None:
    batches = await _collect(incremental_orders(client, None, None, page_size=4))
    assert [len(b.orders) for b in batches] == [4] * 30
    assert [b.done for b in batches][-2:] == [False, True]
    stamps = [o["updatedAt"] for b in batches for o in b.orders]
    assert stamps == sorted(stamps)
    assert len(set(_ids(batches))) == 120
    assert batches[-1].cursor["maxUpdatedAt"] == stamps[-1]
    # resume from the middle
    rest = await _collect(incremental_orders(client, None, batches[1].cursor, page_size=4))
    assert _ids(rest) == _ids(batches[2:])


async def test_incremental_filters_by_updated_at_and_sees_changes(
    fake: FakeShopify, client: ShopifyClient, small_shop: FakeShopData
) -> None:
    cutoff = sorted(o.updated_at for o in small_shop.orders)[80]
    batches = await _collect(incremental_orders(client, cutoff, None))
    assert sorted(_ids(batches)) == sorted(
        str(o.id) for o in small_shop.orders if o.updated_at >= cutoff
    )
    assert any("updated_at:>=" in (r["variables"].get("query") or "") for r in fake.requests)

    # Between syncs, a merchant refunds an old order and another one changes.
    since = max(o.updated_at for o in small_shop.orders) + dt.timedelta(seconds=1)
    paid = next(o for o in small_shop.orders if o.paid > 500 and not o.test and o.refunded == 0)
    other = small_shop.orders[3] if small_shop.orders[3] is not paid else small_shop.orders[4]
    small_shop.add_appeasement_refund(paid.id, 300, since + dt.timedelta(hours=1))
    small_shop.touch(other.id, since + dt.timedelta(hours=2))
    changed = await _collect(incremental_orders(client, since, None))
    assert _ids(changed) == [str(paid.id), str(other.id)]
    history = history_from_graphql(
        changed[0].orders[0], store_id="store", timezone=small_shop.timezone
    )
    assert history == from_webhooks(small_shop, paid)
    assert history.events[-1].id == str(paid.refunds[-1].id)


async def test_payouts_sync(
    fake: FakeShopify, client: ShopifyClient, small_shop: FakeShopData
) -> None:
    batches = [b async for b in sync_payouts(client, None, page_size=40)]
    assert batches[-1].done and not any(b.done for b in batches[:-1])
    payouts = [p for b in batches for p in b.payouts]
    records = [r for b in batches for r in b.balance_transactions]
    moved = [p for p in small_shop.payouts if p.status in ("PAID", "IN_TRANSIT")]
    assert sorted(p.id for p in payouts) == sorted(str(p.id) for p in moved)
    assert len(records) == sum(1 for b in small_shop.balance_transactions if b.type != "PAYOUT")
    charges = {r.source_order_transaction_id for r in records if r.type == "charge"}
    paid_by_card = {
        str(t.id)
        for o in small_shop.orders
        if not o.test
        for t in o.payments
        if t.gateway == "shopify_payments"
        and t.status == "success"
        and t.kind in ("sale", "capture")
    }
    assert charges == paid_by_card
    # Next time, payouts not yet settled are read again; settled ones are not.
    again = [b async for b in sync_payouts(client, batches[-1].cursor, page_size=40)]
    unsettled = [p for p in small_shop.payouts if p.status not in ("PAID", "FAILED", "CANCELED")]
    assert {p.id for b in again for p in b.payouts} == {
        str(p.id) for p in unsettled if p.status == "IN_TRANSIT"
    }
    assert not [r for b in again for r in b.balance_transactions]


async def test_incremental_shrinks_a_page_shopify_finds_too_costly(
    fake: FakeShopify, client: ShopifyClient
) -> None:
    fake.max_cost = 600  # a shop whose limit is lower: 5 orders a page cost 997
    batches = await _collect(incremental_orders(client, None, None))
    assert len(set(_ids(batches))) == 120
    pages = [r["variables"]["first"] for r in fake.requests if "OrdersPage" in r["query"]]
    assert pages[:3] == [5, 2, 2]
    assert all(len(b.orders) <= 2 for b in batches)


async def test_backfill_resumes_an_operation_started_before_a_crash(
    fake: FakeShopify, client: ShopifyClient
) -> None:
    [checkpoint] = await _collect(backfill_orders(client, None), stop_after=1)
    assert checkpoint.orders == () and checkpoint.cursor["bulkOperationId"]
    rest = await _collect(backfill_orders(client, checkpoint.cursor))
    assert len(fake.bulk_ops) == 1
    assert len(set(_ids(rest))) == 120


# Orders past every nested limit --------------------------------------------------


@pytest.fixture
def large_shop(small_shop: FakeShopData) -> FakeShopData:
    newest = max(o.updated_at for o in small_shop.orders)
    small_shop.add_large_order(newest + dt.timedelta(days=1))
    small_shop.add_large_order(newest + dt.timedelta(days=2), lines=12, refunds=11, fulfillments=3)
    return small_shop


def _assert_whole(shop: FakeShopData, batches: list[OrderBatch], fake: FakeShopify) -> None:
    """Every order read equals what its webhooks say (nothing nested lost),
    and no document Shopify was sent cost more than one query may."""
    nodes = {o["id"].rsplit("/", 1)[-1]: o for b in batches for o in b.orders}
    assert set(nodes) == {str(o.id) for o in shop.orders}
    for o in shop.orders:
        history = history_from_graphql(nodes[str(o.id)], store_id="store", timezone=shop.timezone)
        assert history == from_webhooks(shop, o), o.id
    assert max(r["cost"] for r in fake.requests if r.get("cost") is not None) <= 1000


async def test_backfill_reads_large_orders_whole(
    large_shop: FakeShopData, fake: FakeShopify, client: ShopifyClient
) -> None:
    batches = await _collect(backfill_orders(client, None, poll_interval=0))
    _assert_whole(large_shop, batches, fake)
    big = next(o for b in batches for o in b.orders if len(o["lineItems"]) == 300)
    assert [len(big[f]) for f in ("transactions", "refunds", "fulfillments")] == [31, 30, 15]


async def test_incremental_reads_large_orders_whole(
    large_shop: FakeShopData, fake: FakeShopify, client: ShopifyClient
) -> None:
    batches = await _collect(incremental_orders(client, None, None))
    _assert_whole(large_shop, batches, fake)
    queries = {r["query"].split("(", 1)[0] for r in fake.requests}
    assert {"query OrderLineItems", "query OrderTransactions", "query OrderChildren"} <= queries


async def test_refetch_reads_a_large_order_whole(
    large_shop: FakeShopData, fake: FakeShopify, client: ShopifyClient
) -> None:
    big = large_shop.orders[-2]
    node = await fetch_order(client, str(big.id))
    history = history_from_graphql(node, store_id="store", timezone=large_shop.timezone)
    assert history == from_webhooks(large_shop, big)


async def test_a_list_longer_than_any_query_is_refused_not_cut(
    small_shop: FakeShopData, fake: FakeShopify, client: ShopifyClient
) -> None:
    newest = max(o.updated_at for o in small_shop.orders)
    huge = small_shop.add_large_order(newest, lines=260, refunds=250, fulfillments=1)
    with pytest.raises(ShopifyError, match=f"order gid://shopify/Order/{huge.id} has 2"):
        await fetch_order(client, str(huge.id))


# The next API version -------------------------------------------------------------


async def test_backfill_reads_the_same_under_the_next_api_version(
    large_shop: FakeShopData, fake: FakeShopify, sleeps: Sleeps
) -> None:
    async with ShopifyClient(
        large_shop.domain, TOKEN, fake.base_url, api_version=NEXT_VERSION, sleep=sleeps
    ) as c:
        batches = await _collect(backfill_orders(c, None, poll_interval=0))
    _assert_whole(large_shop, batches, fake)
    assert {r["version"] for r in fake.requests} == {NEXT_VERSION}


def test_from_2026_01_a_bulk_result_is_ungrouped_unless_asked(fake: FakeShopify) -> None:
    """Why BULK_RUN says ``groupObjects: true``: without it, 2026-01 writes
    children away from their parents, which the reader refuses loudly."""
    fake.api_version = NEXT_VERSION
    run = BULK_RUN.replace(", groupObjects: true", "")
    started = fake.answer(run, {"query": BULK_ORDERS})
    op_id = started["data"]["bulkOperationRunQuery"]["bulkOperation"]["id"]
    while fake.answer(BULK_POLL, {"id": op_id})["data"]["node"]["status"] != "COMPLETED":
        pass
    objects = [json.loads(line) for line in fake.bulk_ops[op_id].lines]
    assert "__parentId" not in objects[1] and "__parentId" in objects[-1]
    with pytest.raises(ShopifyError, match="not the order being read"):
        list(assemble_bulk(iter(objects)))


async def test_a_refund_and_a_fulfilment_past_their_first_page_are_read_on(
    small_shop: FakeShopData, fake: FakeShopify, client: ShopifyClient
) -> None:
    newest = max(o.updated_at for o in small_shop.orders)
    o = small_shop.add_large_order(newest, lines=40, refunds=1, fulfillments=1)
    [refund] = o.refunds
    sale = o.payments[0]
    refund.lines = [
        FRefundLine(small_shop.new_id(), ln.id, 1, "return", ln.price, 0) for ln in o.lines[:25]
    ]
    refund.transactions = [
        FTxn(small_shop.new_id(), "refund", "success", sale.gateway, ln.price, refund.at, sale.id)
        for ln in o.lines[:25]
    ]
    node = await fetch_order(client, str(o.id))
    history = history_from_graphql(node, store_id="store", timezone=small_shop.timezone)
    assert history == from_webhooks(small_shop, o)
    queries = {r["query"].split("(", 1)[0] for r in fake.requests}
    assert {
        "query RefundLineItems",
        "query RefundTransactions",
        "query FulfillmentLineItems",
    } <= queries
