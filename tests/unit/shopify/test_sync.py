"""Backfill, incremental sync and payouts against the fake Shopify."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from service.connectors.shopify import ShopifyError
from service.connectors.shopify.client import ShopifyClient
from service.connectors.shopify.normalize_graphql import history_from_graphql
from service.connectors.shopify.sync import (
    OrderBatch,
    backfill_orders,
    incremental_orders,
    sync_payouts,
)
from tests.fakes.shopify import FakeShopData, FakeShopify, generate_shop
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
    batches = await _collect(incremental_orders(client, None, None, page_size=25))
    assert [len(b.orders) for b in batches] == [25, 25, 25, 25, 20]
    assert [b.done for b in batches][-2:] == [False, True]
    stamps = [o["updatedAt"] for b in batches for o in b.orders]
    assert stamps == sorted(stamps)
    assert len(set(_ids(batches))) == 120
    assert batches[-1].cursor["maxUpdatedAt"] == stamps[-1]
    # resume from the middle
    rest = await _collect(incremental_orders(client, None, batches[1].cursor, page_size=25))
    assert _ids(rest) == _ids(batches[2:])


async def test_incremental_filters_by_updated_at_and_sees_changes(
    fake: FakeShopify, client: ShopifyClient, small_shop: FakeShopData
) -> None:
    cutoff = sorted(o.updated_at for o in small_shop.orders)[80]
    batches = await _collect(incremental_orders(client, cutoff, None, page_size=30))
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
    fake.max_cost = 1000  # 50 orders a page would cost 1002
    batches = await _collect(incremental_orders(client, None, None))
    assert len(set(_ids(batches))) == 120
    assert [r["variables"]["first"] for r in fake.requests][:2] == [50, 25]
    assert all(len(b.orders) <= 25 for b in batches)


async def test_backfill_resumes_an_operation_started_before_a_crash(
    fake: FakeShopify, client: ShopifyClient
) -> None:
    [checkpoint] = await _collect(backfill_orders(client, None), stop_after=1)
    assert checkpoint.orders == () and checkpoint.cursor["bulkOperationId"]
    rest = await _collect(backfill_orders(client, checkpoint.cursor))
    assert len(fake.bulk_ops) == 1
    assert len(set(_ids(rest))) == 120
