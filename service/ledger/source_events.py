"""The raw events behind a journal entry: which deliveries carried its fact.

An entry names the Shopify object that caused it (its ``event``: a
transaction, refund or fulfillment id, the order id for a placement).
Raw events are kept as received, so the link is found by reading them: every
object id a body mentions points back at that body. Reading is bounded (the
newest ``PER_ORDER`` events of each order) and batched over the orders of a
page; the mapping itself is pure.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any
from uuid import UUID

import asyncpg

from service.ledger.ingest import EVENT_COLUMNS, RawEvent

PER_ORDER = 50
OrderKey = tuple[UUID, str]

# Entries whose fact is the order as a whole (its placement, an order
# action): every delivery of the order carried it.
ORDER_WIDE_EVENTS = frozenset({"placed", "uncollectible", "overcollected", "action"})
_GID = "gid://shopify/"


async def events_of_orders(
    conn: asyncpg.Connection | asyncpg.Pool,
    company_id: UUID,
    keys: Sequence[OrderKey],
    per_order: int = PER_ORDER,
) -> dict[OrderKey, list[RawEvent]]:
    """The newest ``per_order`` raw events of each (store, order), oldest first."""
    out: dict[OrderKey, list[RawEvent]] = {k: [] for k in keys}
    if not keys:
        return out
    cols = ", ".join(f"r.{c.strip()}" for c in EVENT_COLUMNS.split(","))
    rows = await conn.fetch(
        f"""
        SELECT {cols}
        FROM unnest($2::uuid[], $3::text[]) AS k(store_id, order_id)
        CROSS JOIN LATERAL (
            SELECT * FROM raw_events e
            WHERE e.company_id = $1 AND e.store_id = k.store_id AND e.order_id = k.order_id
            ORDER BY e.event_id DESC LIMIT $4
        ) r
        ORDER BY r.event_id
        """,
        company_id,
        [k[0] for k in keys],
        [k[1] for k in keys],
        per_order,
    )
    for r in rows:
        ev = RawEvent(**dict(r))
        if ev.order_id is not None:
            out.setdefault((ev.store_id, ev.order_id), []).append(ev)
    return out


def object_ids(body: bytes) -> frozenset[str]:
    """Every object id a delivery mentions: values under ``id`` keys (REST
    integers or strings) and every Shopify gid anywhere, as its numeric
    tail. References (``order_id``, ``parent_id``) are not the object
    itself, so they do not count: a refund's body would otherwise claim the
    payment it refunds. A body that is not JSON mentions nothing."""
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return frozenset()
    return frozenset(_ids(data))


def _ids(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "id" and isinstance(item, int) and not isinstance(item, bool):
                yield str(item)
            elif key == "id" and isinstance(item, str) and not item.startswith(_GID):
                yield item
            yield from _ids(item)
    elif isinstance(value, list):
        for item in value:
            yield from _ids(item)
    elif isinstance(value, str) and value.startswith(_GID):
        tail = value.rsplit("/", 1)[-1].split("?", 1)[0]
        if tail:
            yield tail


def index_mentions(events: Iterable[RawEvent]) -> dict[str, list[RawEvent]]:
    """Object id -> the events whose body mentions it, in the given order."""
    index: dict[str, list[RawEvent]] = {}
    for ev in events:
        for oid in object_ids(ev.body):
            index.setdefault(oid, []).append(ev)
    return index


def source_events(
    event: str,
    order_id: str,
    events: Sequence[RawEvent],
    index: Mapping[str, list[RawEvent]],
) -> list[RawEvent]:
    """The events behind an entry of ``order_id`` caused by ``event``.

    A placement or an order action links every delivery of the order; any
    other entry links the deliveries that mention its object. An object no
    delivery mentions (a bank deposit linked by hand) links nothing."""
    if event == order_id or event in ORDER_WIDE_EVENTS:
        return list(events)
    return list(index.get(event, ()))
