"""Which stored deliveries an entry's event id points back at."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any
from uuid import uuid4

from service.ledger.ingest import RawEvent
from service.ledger.source_events import index_mentions, object_ids, source_events

STORE = uuid4()


def _event(n: int, topic: str, body: Any) -> RawEvent:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return RawEvent(
        uuid4(), n, STORE, "shopify.webhook", topic, f"w{n}", raw,
        dt.datetime(2026, 1, 1, tzinfo=dt.UTC), "PROCESSED", None, "450", 1, None,
    )  # fmt: skip


ORDER = _event(
    1,
    "orders/create",
    {
        "id": 450,
        "admin_graphql_api_id": "gid://shopify/Order/450",
        "line_items": [{"id": 11, "quantity": 2}],
        "fulfillments": [],
    },
)
PAID = _event(2, "order_transactions/create", {"id": 900, "order_id": 450, "kind": "sale"})
REFUND = _event(
    3,
    "refunds/create",
    {
        "id": 77,
        "order_id": 450,
        "refund_line_items": [{"id": 5, "line_item_id": 11, "line_item": {"id": 11}}],
        "transactions": [{"id": 901, "parent_id": 900, "order_id": 450}],
    },
)
SYNCED = _event(
    4,
    "orders/sync",
    {
        "id": "gid://shopify/Order/450",
        "fulfillments": [{"id": "gid://shopify/Fulfillment/31?x=1"}],
        "transactions": {"nodes": [{"id": "gid://shopify/OrderTransaction/900"}]},
    },
)
EVENTS = [ORDER, PAID, REFUND, SYNCED]


def test_rest_ids_and_gids_are_object_ids_but_references_are_not() -> None:
    assert object_ids(ORDER.body) == {"450", "11"}
    assert object_ids(REFUND.body) == {"77", "5", "11", "901"}
    assert object_ids(SYNCED.body) == {"450", "31", "900"}


def test_a_body_that_is_not_json_mentions_nothing() -> None:
    assert object_ids(b"\xff not json") == frozenset()
    assert object_ids(b'{"id": true}') == frozenset()


def test_an_entry_links_the_deliveries_that_mention_its_object() -> None:
    index = index_mentions(EVENTS)
    assert source_events("900", "450", EVENTS, index) == [PAID, SYNCED]
    assert source_events("77", "450", EVENTS, index) == [REFUND]
    assert source_events("31", "450", EVENTS, index) == [SYNCED]


def test_placement_and_actions_link_every_delivery_of_the_order() -> None:
    index = index_mentions(EVENTS)
    for event in ("450", "placed", "uncollectible", "overcollected"):
        assert source_events(event, "450", EVENTS, index) == EVENTS


def test_an_object_no_delivery_mentions_links_nothing() -> None:
    assert source_events("deposit-7", "450", EVENTS, index_mentions(EVENTS)) == []
