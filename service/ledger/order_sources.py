"""What storebooks knows of each order, merged from webhooks and sync.

Shopify tells the same story twice: webhooks send REST-shaped pieces
(the order, and refunds, fulfillments and transactions on their own), at
least once, late and out of order; sync reads whole GraphQL orders. Both
are kept per order and normalized into one history:

- a piece is kept by its id, and a newer version of it replaces an older
  one, never the other way round; pieces only accumulate, so their arrival
  order does not matter;
- the order itself is the newest payload by `updated_at`, so an old
  payload arriving late changes nothing;
- the REST and GraphQL views are merged at the level of the domain
  records: the newer view's order, every event known to either.

An event history is then sorted canonically, so the same facts give the
same stored history whichever way they arrived.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import asyncpg

from service.connectors.shopify.normalize_graphql import history_from_graphql
from service.connectors.shopify.normalize_rest import history_from_rest
from service.domain.events import Event
from service.domain.history import OrderHistory
from service.ledger.codec import encode
from service.ledger.companies import Store

PIECE_KINDS = ("refunds", "fulfillments", "transactions", "returns")
_RETURN_STAGES = {
    "requested": 1,
    "declined": 2,
    "open": 3,
    "canceled": 4,
    "closed": 5,
}


class PayloadError(ValueError):
    """A payload lacks what storebooks needs; the message names the field."""


def utc_iso(value: Any, field: str) -> str:
    """A timestamp as comparable UTC ISO text (Shopify mixes offsets)."""
    if not isinstance(value, str) or not value:
        raise PayloadError(f"{field}: missing timestamp")
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise PayloadError(f"{field}: {value!r} is not an ISO 8601 timestamp") from exc
    if parsed.tzinfo is None:
        raise PayloadError(f"{field}: {value!r} has no time zone")
    return parsed.astimezone(dt.UTC).isoformat()


def _piece_id(payload: dict[str, Any], field: str) -> str:
    value = payload.get("id")
    if value is None or isinstance(value, bool) or str(value) == "":
        raise PayloadError(f"{field}.id: missing")
    return str(value)


def _keep_newer(
    pieces: dict[str, Any], piece_id: str, version: str, payload: dict[str, Any]
) -> bool:
    held = pieces.get(piece_id)
    if held is not None and held["version"] > version:
        return False
    if held is not None and held["version"] == version and held["payload"] == payload:
        return False
    pieces[piece_id] = {"version": version, "payload": payload}
    return True


def empty_rest() -> dict[str, Any]:
    return {"order": None, "updatedAt": None, **{kind: {} for kind in PIECE_KINDS}}


def merge_rest_order(rest: dict[str, Any], payload: dict[str, Any]) -> bool:
    """Fold an order payload into the REST view; False when it told nothing new."""
    version = utc_iso(payload.get("updated_at"), "updated_at")
    changed = False
    for kind, field in (("refunds", "refunds"), ("fulfillments", "fulfillments")):
        embedded = payload.get(field) or []
        if not isinstance(embedded, list):
            raise PayloadError(f"{field}: expected a list")
        for i, piece in enumerate(embedded):
            if not isinstance(piece, dict):
                raise PayloadError(f"{field}[{i}]: expected an object")
            changed |= _keep_newer(rest[kind], _piece_id(piece, f"{field}[{i}]"), version, piece)
    newest = rest["updatedAt"] is None or version >= rest["updatedAt"]
    if newest and rest["order"] != payload:
        rest["order"] = payload
        rest["updatedAt"] = version
        changed = True
    return changed


def _return_version(payload: dict[str, Any]) -> str:
    """Returns/* bodies carry no timestamp: a return only moves forward
    (requested, open, closed) and its exchange lines only get filled in,
    so that progress orders its copies."""
    stage = _RETURN_STAGES.get(str(payload.get("status", "")).lower(), 0)
    items = payload.get("exchange_line_items")
    filled = (
        sum(1 for i in items if isinstance(i, dict) and i.get("line_item"))
        if isinstance(items, list)
        else 0
    )
    return f"{filled:04d}.{stage}"


def merge_rest_piece(rest: dict[str, Any], kind: str, payload: dict[str, Any]) -> bool:
    if kind == "returns":
        version = _return_version(payload)
    else:
        stamp = (
            payload.get("updated_at") or payload.get("processed_at") or payload.get("created_at")
        )
        version = utc_iso(stamp, f"{kind}.updated_at")
    return _keep_newer(rest.setdefault(kind, {}), _piece_id(payload, kind), version, payload)


def _rest_history(rest: dict[str, Any], store: Store) -> OrderHistory | None:
    if rest.get("order") is None:
        return None  # pieces wait for their order
    order = dict(rest["order"])
    order["refunds"] = [rest["refunds"][k]["payload"] for k in sorted(rest["refunds"])]
    order["fulfillments"] = [
        rest["fulfillments"][k]["payload"] for k in sorted(rest["fulfillments"])
    ]
    returns = rest.get("returns", {})
    order["returns"] = [returns[k]["payload"] for k in sorted(returns)]
    transactions = [rest["transactions"][k]["payload"] for k in sorted(rest["transactions"])]
    return history_from_rest(
        order, transactions, store_id=str(store.store_id), timezone=store.timezone
    )


def _event_key(event: Event) -> tuple[dt.datetime, str, str]:
    return (event.at, type(event).__name__, event.id)


def merge_histories(
    rest: OrderHistory | None,
    rest_updated_at: str | None,
    graphql: OrderHistory | None,
    graphql_updated_at: str | None,
) -> OrderHistory | None:
    views = [
        (stamp or "", rank, history)
        for stamp, rank, history in ((rest_updated_at, 0, rest), (graphql_updated_at, 1, graphql))
        if history is not None
    ]
    if not views:
        return None
    views.sort(key=lambda v: (v[0], v[1]))
    events: dict[tuple[str, str], Event] = {}
    for _, _, history in views:  # older view first, so the newer one wins
        for event in history.events:
            events[(type(event).__name__, event.id)] = event
    newest = views[-1][2]
    return OrderHistory(order=newest.order, events=tuple(sorted(events.values(), key=_event_key)))


@dataclass(frozen=True, slots=True)
class OrderUpdate:
    order_id: str
    changed: bool


async def _lock(
    conn: asyncpg.Connection, company_id: UUID, store_id: UUID, order_id: str
) -> asyncpg.Record:
    await conn.execute(
        "INSERT INTO order_sources (company_id, store_id, order_id) VALUES ($1, $2, $3) "
        "ON CONFLICT DO NOTHING",
        company_id,
        store_id,
        order_id,
    )
    row: asyncpg.Record = await conn.fetchrow(
        "SELECT rest, graphql FROM order_sources "
        "WHERE company_id = $1 AND store_id = $2 AND order_id = $3 FOR UPDATE",
        company_id,
        store_id,
        order_id,
    )
    return row


async def _save(
    conn: asyncpg.Connection,
    company_id: UUID,
    store: Store,
    order_id: str,
    rest: dict[str, Any] | None,
    graphql: dict[str, Any] | None,
) -> None:
    rest_history = _rest_history(rest, store) if rest else None
    graphql_history = (
        history_from_graphql(graphql, store_id=str(store.store_id), timezone=store.timezone)
        if graphql
        else None
    )
    graphql_stamp = utc_iso(graphql.get("updatedAt"), "updatedAt") if graphql else None
    rest_stamp = rest.get("updatedAt") if rest else None
    history = merge_histories(rest_history, rest_stamp, graphql_history, graphql_stamp)
    stamps = [s for s in (rest_stamp, graphql_stamp) if s]
    await conn.execute(
        """
        UPDATE order_sources SET rest = $4, graphql = $5, history = $6,
               source_updated_at = $7, history_error = NULL, changed_at = now()
        WHERE company_id = $1 AND store_id = $2 AND order_id = $3
        """,
        company_id,
        store.store_id,
        order_id,
        rest,
        graphql,
        encode(history) if history is not None else None,
        dt.datetime.fromisoformat(max(stamps)) if stamps else None,
    )


async def apply_rest_order(
    conn: asyncpg.Connection, company_id: UUID, store: Store, payload: dict[str, Any]
) -> OrderUpdate:
    order_id = _piece_id(payload, "order")
    row = await _lock(conn, company_id, store.store_id, order_id)
    rest = row["rest"] or empty_rest()
    if not merge_rest_order(rest, payload):
        return OrderUpdate(order_id, changed=False)
    await _save(conn, company_id, store, order_id, rest, row["graphql"])
    return OrderUpdate(order_id, changed=True)


def _owner_order_id(kind: str, payload: dict[str, Any]) -> object:
    """The order a piece belongs to: ``order_id``, or a return's
    ``order: {id}``."""
    if kind == "returns":
        owner = payload.get("order")
        return owner.get("id") if isinstance(owner, dict) else None
    return payload.get("order_id")


async def apply_rest_piece(
    conn: asyncpg.Connection, company_id: UUID, store: Store, kind: str, payload: dict[str, Any]
) -> OrderUpdate:
    raw_order = _owner_order_id(kind, payload)
    if raw_order is None or str(raw_order) == "":
        raise PayloadError(f"{kind}.order_id: missing")
    order_id = str(raw_order)
    row = await _lock(conn, company_id, store.store_id, order_id)
    rest = row["rest"] or empty_rest()
    if not merge_rest_piece(rest, kind, payload):
        return OrderUpdate(order_id, changed=False)
    await _save(conn, company_id, store, order_id, rest, row["graphql"])
    return OrderUpdate(order_id, changed=True)


def graphql_order_id(node: dict[str, Any]) -> str:
    gid = node.get("id")
    if not isinstance(gid, str) or not gid:
        raise PayloadError("order.id: missing")
    return gid.rsplit("/", 1)[-1]


async def apply_graphql_order(
    conn: asyncpg.Connection, company_id: UUID, store: Store, node: dict[str, Any]
) -> OrderUpdate:
    order_id = graphql_order_id(node)
    version = utc_iso(node.get("updatedAt"), "updatedAt")
    row = await _lock(conn, company_id, store.store_id, order_id)
    held = row["graphql"]
    if held is not None and (utc_iso(held.get("updatedAt"), "updatedAt") > version or held == node):
        return OrderUpdate(order_id, changed=False)
    await _save(conn, company_id, store, order_id, row["rest"], node)
    return OrderUpdate(order_id, changed=True)


async def stored_histories(
    conn: asyncpg.Connection | asyncpg.Pool, company_id: UUID, store_id: UUID
) -> dict[str, Any]:
    rows = await conn.fetch(
        "SELECT order_id, history FROM order_sources WHERE company_id = $1 AND store_id = $2",
        company_id,
        store_id,
    )
    return {r["order_id"]: r["history"] for r in rows}
