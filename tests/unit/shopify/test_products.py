"""The catalog's variants (SKU, title, Shopify's unit cost) against the fake."""

from __future__ import annotations

import json
from typing import Any

import pytest

from service.connectors.shopify import API_VERSION, NormalizationError
from service.connectors.shopify.client import QueryTooCostly, ShopifyClient
from service.connectors.shopify.products import (
    VariantBatch,
    VariantCost,
    sync_variants,
    variant_cost_from_graphql,
)
from tests.fakes.shopify import FakeShopData, FakeShopify
from tests.fakes.shopify.graphql import variant_node
from tests.fakes.shopify.model import FVariant
from tests.unit.shopify.conftest import TOKEN, Sleeps


async def _collect(it: Any) -> list[VariantBatch]:
    out: list[VariantBatch] = []
    async for batch in it:
        json.dumps(batch.cursor)  # cursors must be storable as JSON
        out.append(batch)
    return out


def _all(batches: list[VariantBatch]) -> list[VariantCost]:
    return [v for b in batches for v in b.variants]


def _expected(data: FakeShopData) -> list[VariantCost]:
    """Straight from the model: one per non-blank SKU, the lowest variant
    id's, in SKU order."""
    first: dict[str, FVariant] = {}
    for v in sorted(data.variants, key=lambda v: v.id):
        if v.sku and v.sku.strip():
            first.setdefault(v.sku, v)
    return [
        VariantCost(
            sku,
            v.product_title if v.title == "Default Title" else f"{v.product_title} - {v.title}",
            v.cost,
        )
        for sku, v in sorted(first.items())
    ]


def _variant(id_: int, sku: str | None, cost: int | None, title: str = "Default Title") -> FVariant:
    return FVariant(id_, 100 + id_, 200 + id_, f"Product {id_}", title, sku, cost, 1000)


def _tiny_shop(currency: str = "USD") -> FakeShopData:
    data = FakeShopData("Tiny", "tiny.myshopify.com", currency, "UTC")
    data.variants = [
        _variant(1, "A-1", 400, "Blue / M"),
        _variant(2, None, 100),
        _variant(3, "A-1", 999),  # a later duplicate of A-1
        _variant(4, "a-1", 450),  # another SKU: SKUs are case-sensitive
        _variant(5, "", 100),
        _variant(6, "B-2", None),  # no cost in Shopify
        _variant(7, "   ", 100),  # blank is no SKU
        _variant(8, "C-3", 0),  # a real cost of zero
        _variant(9, "A-1", 1),  # and one more duplicate, after a-1
    ]
    return data


async def test_pages_through_the_catalog(
    fake: FakeShopify, client: ShopifyClient, small_shop: FakeShopData
) -> None:
    batches = await _collect(sync_variants(client, None, currency="USD", page_size=50))
    pages = -(-len(small_shop.variants) // 50)
    assert len(batches) == pages > 2
    assert [b.done for b in batches] == [False] * (pages - 1) + [True]
    assert all(r["variables"]["first"] == 50 for r in fake.requests)
    assert {r["version"] for r in fake.requests} == {API_VERSION}
    got = _all(batches)
    assert got == _expected(small_shop)
    assert [v.sku for v in got] == sorted({v.sku for v in got})  # each SKU once
    sold = {ln.sku for o in small_shop.orders for ln in o.lines if ln.sku}
    assert sold <= {v.sku for v in got}
    # a finished sync's cursor reads nothing more
    assert await _collect(sync_variants(client, batches[-1].cursor, currency="USD")) == []


async def test_missing_costs_skipped_variants_and_duplicates(
    fake: FakeShopify, client: ShopifyClient, small_shop: FakeShopData
) -> None:
    got = {v.sku: v for v in _all(await _collect(sync_variants(client, None, currency="USD")))}
    with_sku = [v for v in small_shop.variants if v.sku]
    # the fake has every case this test is about
    assert any(not v.sku for v in small_shop.variants)
    assert any(v.cost is None for v in with_sku)
    assert sum(v.cost is not None for v in with_sku) > len(with_sku) * 0.7
    no_cost = {v.sku for v in with_sku if v.cost is None}
    assert {s for s, v in got.items() if v.unit_cost is None} <= no_cost
    assert any(v.unit_cost is None for v in got.values())
    assert "" not in got and None not in got
    by_sku: dict[str, list[FVariant]] = {}
    for v in sorted(with_sku, key=lambda v: v.id):
        by_sku.setdefault(str(v.sku), []).append(v)
    dups = {sku: vs for sku, vs in by_sku.items() if len(vs) > 1}
    assert dups
    for sku, vs in dups.items():
        assert got[sku].unit_cost == vs[0].cost  # the first (oldest) variant wins
        assert "(copy)" not in got[sku].title


async def test_tiny_catalog_exactly(sleeps: Sleeps) -> None:
    data = _tiny_shop()
    async with (
        FakeShopify(data, access_token=TOKEN) as fake,
        ShopifyClient(data.domain, TOKEN, fake.base_url, sleep=sleeps) as c,
    ):
        batches = await _collect(sync_variants(c, None, currency="USD", page_size=3))
    assert _all(batches) == [
        VariantCost("A-1", "Product 1 - Blue / M", 400),
        VariantCost("B-2", "Product 6", None),
        VariantCost("C-3", "Product 8", 0),
        VariantCost("a-1", "Product 4", 450),
    ]
    assert [len(b.variants) for b in batches] == [0, 1, 3]  # blank/missing SKUs, dups
    assert batches[-1].done


@pytest.mark.parametrize("page_size", [1, 2, 3])
async def test_resuming_after_every_batch_keeps_the_first_of_a_sku(
    page_size: int, sleeps: Sleeps
) -> None:
    """A restart between two variants of one SKU must not let the second in:
    the cursor remembers the SKUs of the group it stopped in."""
    data = _tiny_shop()
    data.variants.append(_variant(10, "A-1", 5))
    got: list[VariantCost] = []
    async with (
        FakeShopify(data, access_token=TOKEN) as fake,
        ShopifyClient(data.domain, TOKEN, fake.base_url, sleep=sleeps) as c,
    ):
        cursor: dict[str, Any] | None = None
        for _ in range(20):
            it: Any = sync_variants(c, cursor, currency="USD", page_size=page_size)
            batch = await anext(it)
            await it.aclose()  # the worker dies after storing the cursor
            got.extend(batch.variants)
            cursor = json.loads(json.dumps(batch.cursor))
            if batch.done:
                break
    assert [(v.sku, v.unit_cost) for v in got] == [
        ("A-1", 400),
        ("B-2", None),
        ("C-3", 0),
        ("a-1", 450),
    ]


async def test_a_case_blind_sku_order_still_keeps_the_first(sleeps: Sleeps) -> None:
    """Should Shopify collate SKUs ignoring case, A-1, a-1, A-1 arrive in
    that order; a resume between them must still skip the second A-1."""
    data = _tiny_shop()
    data.variants = [_variant(1, "A-1", 1), _variant(2, "a-1", 2), _variant(3, "A-1", 3)]
    got: list[VariantCost] = []
    async with (
        FakeShopify(data, access_token=TOKEN) as fake,
        ShopifyClient(data.domain, TOKEN, fake.base_url, sleep=sleeps) as c,
    ):
        fake.case_insensitive_skus = True
        cursor: dict[str, Any] | None = None
        while True:
            it: Any = sync_variants(c, cursor, currency="USD", page_size=1)
            batch = await anext(it)
            await it.aclose()
            got.extend(batch.variants)
            cursor = batch.cursor
            if batch.done:
                break
    assert [(v.sku, v.unit_cost) for v in got] == [("A-1", 1), ("a-1", 2)]


async def test_throttling_and_rate_limits_are_ridden_out(
    small_shop: FakeShopData, sleeps: Sleeps
) -> None:
    async with (
        FakeShopify(small_shop, access_token=TOKEN, throttle_every=2, rate_limit_every=3) as fake,
        ShopifyClient(small_shop.domain, TOKEN, fake.base_url, sleep=sleeps) as c,
    ):
        batches = await _collect(sync_variants(c, None, currency="USD", page_size=40))
        throttled = len(fake.requests)
    assert _all(batches) == _expected(small_shop)
    assert 6.0 in sleeps.waits  # THROTTLED: (752 - 152) / 100 a second
    assert 2.0 in sleeps.waits  # 429 Retry-After
    assert throttled > len(batches)


async def test_a_page_too_costly_is_asked_again_smaller(
    fake: FakeShopify, client: ShopifyClient, small_shop: FakeShopData
) -> None:
    fake.max_cost = 300  # 100 variants a page would cost 402
    batches = await _collect(sync_variants(client, None, currency="USD"))
    assert [r["variables"]["first"] for r in fake.requests][:3] == [100, 50, 50]
    assert _all(batches) == _expected(small_shop)
    fake.max_cost = 5
    with pytest.raises(QueryTooCostly):
        await _collect(sync_variants(client, None, currency="USD"))


async def test_costs_in_zero_and_three_decimal_currencies(sleeps: Sleeps) -> None:
    for currency, cost, amount in (("JPY", 1500, "1500"), ("KWD", 1234, "1.234")):
        data = _tiny_shop(currency)
        data.variants = [_variant(1, "X", cost)]
        assert variant_node(data.variants[0], currency)["inventoryItem"]["unitCost"] == {
            "amount": amount,
            "currencyCode": currency,
        }
        async with (
            FakeShopify(data, access_token=TOKEN) as fake,
            ShopifyClient(data.domain, TOKEN, fake.base_url, sleep=sleeps) as c,
        ):
            batches = await _collect(sync_variants(c, None, currency=currency))
        assert _all(batches) == [VariantCost("X", "Product 1", cost)]


def _node(sku: Any = "S-1", unit_cost: Any = None, **extra: Any) -> dict[str, Any]:
    return {
        "id": "gid://shopify/ProductVariant/1",
        "sku": sku,
        "title": "Default Title",
        "displayName": "Mug - Default Title",
        "product": {"title": "Mug"},
        "inventoryItem": {"unitCost": unit_cost},
        **extra,
    }


def test_unit_cost_is_exact() -> None:
    got = variant_cost_from_graphql(
        _node(unit_cost={"amount": "12.30", "currencyCode": "USD"}), "USD"
    )
    assert got == VariantCost("S-1", "Mug", 1230)
    assert variant_cost_from_graphql(_node(), "USD") == VariantCost("S-1", "Mug", None)
    assert variant_cost_from_graphql(_node(inventoryItem=None), "USD") == VariantCost(
        "S-1", "Mug", None
    )
    for sku in (None, "", "  "):
        assert variant_cost_from_graphql(_node(sku=sku), "USD") is None


@pytest.mark.parametrize(
    ("unit_cost", "problem"),
    [
        ({"amount": "12.305", "currencyCode": "USD"}, "more decimals"),
        ({"amount": 12.3, "currencyCode": "USD"}, "not an exact amount"),
        ({"amount": "9.00", "currencyCode": "EUR"}, "EUR, but the shop's books are in USD"),
        ({"amount": "-1.00", "currencyCode": "USD"}, "negative unit cost"),
        ({"amount": "lots", "currencyCode": "USD"}, "not a decimal amount"),
    ],
)
def test_a_cost_that_cannot_be_exact_names_the_field(
    unit_cost: dict[str, Any], problem: str
) -> None:
    with pytest.raises(NormalizationError, match=problem) as err:
        variant_cost_from_graphql(_node(unit_cost=unit_cost), "USD", "productVariants[v1]")
    assert err.value.path.startswith("productVariants[v1].inventoryItem.unitCost.")


def test_titles() -> None:
    assert variant_cost_from_graphql(_node(title="Blue / M"), "USD") == VariantCost(
        "S-1", "Mug - Blue / M", None
    )
    no_product = variant_cost_from_graphql(_node(product=None, title="Default Title"), "USD")
    assert no_product == VariantCost("S-1", "Mug - Default Title", None)
    bare = _node(product=None, title=None, displayName=None)
    assert variant_cost_from_graphql(bare, "USD") == VariantCost("S-1", "S-1", None)
