"""Shopify's views of an order fold into named views, in any order, and
merge into the same history the normalizers give (pure, no database)."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from service.connectors.shopify.assemble import flatten
from service.connectors.shopify.merge import (
    GRAPHQL_VIEW,
    REST_VIEW,
    PayloadError,
    Views,
    fold_graphql_order,
    fold_rest_order,
    fold_rest_piece,
    history_of_views,
    piece_order_id,
)
from service.connectors.shopify.normalize_graphql import history_from_graphql
from tests.fakes.shopify import (
    FakeShopData,
    FOrder,
    generate_shop,
    graphql_order,
    rest_fulfillment,
    rest_order,
    rest_refund,
    rest_transactions,
)


@pytest.fixture(scope="module")
def shop() -> FakeShopData:
    return generate_shop(40, 7)


def _deliveries(o: FOrder) -> list[tuple[str, dict[str, Any]]]:
    pieces = [("refunds", rest_refund(o, i)) for i in range(len(o.refunds))]
    pieces += [("fulfillments", rest_fulfillment(o, i)) for i in range(len(o.fulfillments))]
    pieces += [("transactions", t) for t in rest_transactions(o)]
    return [("order", rest_order(o)), *pieces]


def _fold(deliveries: list[tuple[str, dict[str, Any]]]) -> Views:
    views: Views = {}
    for kind, body in deliveries:
        if kind == "order":
            fold_rest_order(views, body)
        else:
            fold_rest_piece(views, kind, body)
    return views


def test_webhooks_in_any_order_give_one_history(shop: FakeShopData) -> None:
    for o in shop.orders[:10]:
        deliveries = _deliveries(o)
        first = history_of_views(_fold(deliveries), store_id="s", timezone=shop.timezone)
        for order in itertools.islice(itertools.permutations(deliveries), 1, 4):
            again = history_of_views(_fold(list(order)), store_id="s", timezone=shop.timezone)
            assert again == first, o.name


def test_rest_and_graphql_views_merge_every_event_of_either(shop: FakeShopData) -> None:
    for o in shop.orders:
        node = flatten(graphql_order(o))
        views = _fold(_deliveries(o))
        assert fold_graphql_order(views, node)
        assert set(views) == {REST_VIEW, GRAPHQL_VIEW}
        history, updated_at = history_of_views(views, store_id="s", timezone=shop.timezone)
        synced = history_from_graphql(node, store_id="s", timezone=shop.timezone)
        assert history is not None and updated_at is not None
        assert history.order == synced.order  # the newer view's order; a tie goes to sync
        assert set(synced.events) <= set(history.events)


def test_a_repeated_or_older_delivery_tells_nothing_new(shop: FakeShopData) -> None:
    o = shop.orders[0]
    views = _fold(_deliveries(o))
    assert not fold_rest_order(views, rest_order(o))
    node = flatten(graphql_order(o))
    assert fold_graphql_order(views, node)
    assert not fold_graphql_order(views, node)
    older = {**node, "updatedAt": "2000-01-01T00:00:00Z"}
    assert not fold_graphql_order(views, older)


def test_a_piece_without_its_order_is_refused_naming_the_field() -> None:
    with pytest.raises(PayloadError, match=r"refunds\.order_id: missing"):
        piece_order_id("refunds", {"id": 1})
    views: Views = {}
    fold_rest_piece(
        views, "refunds", {"id": 1, "order_id": 5, "created_at": "2025-01-01T00:00:00Z"}
    )
    assert history_of_views(views, store_id="s", timezone="UTC") == (None, None)
