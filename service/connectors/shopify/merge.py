"""How Shopify's two views of an order merge into one history.

Shopify tells the same story twice: webhooks send REST-shaped pieces
(the order, and refunds, fulfillments and transactions on their own), at
least once, late and out of order; sync reads whole GraphQL orders. Both
are kept per order, each under its view's name (``REST_VIEW``,
``GRAPHQL_VIEW``), and normalized into one history:

- a piece is kept by its id, and a newer version of it replaces an older
  one, never the other way round; pieces only accumulate, so their arrival
  order does not matter;
- the order itself is the newest payload by `updated_at`, so an old
  payload arriving late changes nothing;
- the REST and GraphQL views are merged at the level of the domain
  records: the newer view's order, every event known to either.

An event history is then sorted canonically, so the same facts give the
same stored history whichever way they arrived. Everything here is pure:
the views come in as plain JSON values and go back out the same way.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from service.connectors.shopify.normalize_graphql import history_from_graphql
from service.connectors.shopify.normalize_rest import history_from_rest
from service.domain.events import Event
from service.domain.history import OrderHistory

REST_VIEW = "shopify.rest"
GRAPHQL_VIEW = "shopify.graphql"
Views = dict[str, Any]
"""An order's source views by name, as stored with the order."""

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


def _rest_history(rest: dict[str, Any], store_id: str, timezone: str) -> OrderHistory | None:
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
    return history_from_rest(order, transactions, store_id=store_id, timezone=timezone)


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


def _owner_order_id(kind: str, payload: dict[str, Any]) -> object:
    """The order a piece belongs to: ``order_id``, or a return's
    ``order: {id}``."""
    if kind == "returns":
        owner = payload.get("order")
        return owner.get("id") if isinstance(owner, dict) else None
    return payload.get("order_id")


def graphql_order_id(node: dict[str, Any]) -> str:
    gid = node.get("id")
    if not isinstance(gid, str) or not gid:
        raise PayloadError("order.id: missing")
    return gid.rsplit("/", 1)[-1]


def rest_order_id(payload: dict[str, Any]) -> str:
    """The order a whole REST order payload is."""
    return _piece_id(payload, "order")


def piece_order_id(kind: str, payload: dict[str, Any]) -> str:
    """The order a REST piece (a refund, a return...) belongs to."""
    raw_order = _owner_order_id(kind, payload)
    if raw_order is None or str(raw_order) == "":
        raise PayloadError(f"{kind}.order_id: missing")
    return str(raw_order)


def fold_rest_order(views: Views, payload: dict[str, Any]) -> bool:
    """Fold a REST order payload into the views; False when it told nothing new."""
    rest = views.get(REST_VIEW) or empty_rest()
    if not merge_rest_order(rest, payload):
        return False
    views[REST_VIEW] = rest
    return True


def fold_rest_piece(views: Views, kind: str, payload: dict[str, Any]) -> bool:
    """Fold a REST piece into the views; False when it told nothing new."""
    rest = views.get(REST_VIEW) or empty_rest()
    if not merge_rest_piece(rest, kind, payload):
        return False
    views[REST_VIEW] = rest
    return True


def fold_graphql_order(views: Views, node: dict[str, Any]) -> bool:
    """Keep a synced GraphQL order unless the one held is newer or the same."""
    version = utc_iso(node.get("updatedAt"), "updatedAt")
    held = views.get(GRAPHQL_VIEW)
    if held is not None and (utc_iso(held.get("updatedAt"), "updatedAt") > version or held == node):
        return False
    views[GRAPHQL_VIEW] = node
    return True


def history_of_views(
    views: Views, *, store_id: str, timezone: str
) -> tuple[OrderHistory | None, dt.datetime | None]:
    """The order's merged history, and when its newest view was updated."""
    rest = views.get(REST_VIEW)
    graphql = views.get(GRAPHQL_VIEW)
    rest_history = _rest_history(rest, store_id, timezone) if rest else None
    graphql_history = (
        history_from_graphql(graphql, store_id=store_id, timezone=timezone) if graphql else None
    )
    graphql_stamp = utc_iso(graphql.get("updatedAt"), "updatedAt") if graphql else None
    rest_stamp = rest.get("updatedAt") if rest else None
    history = merge_histories(rest_history, rest_stamp, graphql_history, graphql_stamp)
    stamps = [s for s in (rest_stamp, graphql_stamp) if s]
    return history, dt.datetime.fromisoformat(max(stamps)) if stamps else None
