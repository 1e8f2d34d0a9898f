"""Orders read whole within Shopify's cost limit.

A page of orders carries small nested limits (queries.ORDER_PAGE_NODE) and
a bulk line carries refunds and fulfilments by id only. Here the rest is
read: each connection with ``hasNextPage`` is paged from its cursor, each
plain list that came back as long as its limit (Shopify cuts plain lists
at ``first`` without a word) is read again whole, and refunds and
fulfilments get their own lines by id, several to a query. Nothing is
dropped silently: a list longer than any one query may return raises
``ShopifyError`` naming the order.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from service.connectors.shopify.assemble import flatten
from service.connectors.shopify.client import ShopifyClient
from service.connectors.shopify.errors import ShopifyError
from service.connectors.shopify.queries import (
    FULFILLMENT_DETAILS,
    FULFILLMENT_LINE_ITEMS,
    FULFILLMENTS_PER_QUERY,
    ORDER_CHILDREN,
    ORDER_LINE_ITEMS,
    ORDER_SHIPPING_LINES,
    ORDER_TRANSACTIONS,
    PAGE_CHILDREN,
    PAGE_TRANSACTIONS,
    REFUND_DETAILS,
    REFUND_PART_PAGES,
    REFUNDS_PER_QUERY,
    WHOLE_CHILDREN,
    WHOLE_TRANSACTIONS,
)

_ORDER_PAGES = {"lineItems": ORDER_LINE_ITEMS, "shippingLines": ORDER_SHIPPING_LINES}


def _next_cursor(conn: Any) -> str | None:
    """The cursor to read on from, when a raw connection has more."""
    if not isinstance(conn, Mapping):
        return None
    page = conn.get("pageInfo")
    if isinstance(page, Mapping) and page.get("hasNextPage"):
        return str(page.get("endCursor"))
    return None


async def _node(client: ShopifyClient, document: str, variables: Mapping[str, Any]) -> Any:
    data = await client.graphql(document, variables)
    node = data.get("node")
    if not isinstance(node, Mapping):
        raise ShopifyError(f"{variables.get('id')} not found")
    return node


async def rest_of(
    client: ShopifyClient, document: str, gid: str, field: str, after: str
) -> list[Any]:
    """The nodes of one object's connection after ``after``, page by page."""
    found: list[Any] = []
    cursor: str | None = after
    while cursor is not None:
        node = await _node(client, document, {"id": gid, "after": cursor})
        conn = node.get(field)
        found.extend(flatten(conn))
        cursor = _next_cursor(conn)
    return found


def _check_whole(gid: str, field: str, items: Sequence[Any], limit: int) -> None:
    if len(items) >= limit:
        raise ShopifyError(
            f"order {gid} has {limit} or more {field}, more than one Admin API query can"
            " return; it is not posted from a partial read"
        )


async def complete_order(client: ShopifyClient, raw: Mapping[str, Any]) -> dict[str, Any]:
    """An order node from a page (``ORDER_PAGE_NODE``) with every
    connection and plain list read to its end; refunds and fulfilments
    still by id (``add_details`` reads their lines)."""
    gid = str(raw["id"])
    order: dict[str, Any] = flatten(raw)
    for field, document in _ORDER_PAGES.items():
        after = _next_cursor(raw.get(field))
        if after is not None:
            order[field] = order[field] + await rest_of(client, document, gid, field, after)
    if len(order.get("transactions") or ()) >= PAGE_TRANSACTIONS:
        node = await _node(client, ORDER_TRANSACTIONS, {"id": gid})
        _check_whole(gid, "transactions", node["transactions"], WHOLE_TRANSACTIONS)
        order["transactions"] = flatten(node["transactions"])
    if any(len(order.get(f) or ()) >= PAGE_CHILDREN for f in ("refunds", "fulfillments")):
        node = await _node(client, ORDER_CHILDREN, {"id": gid})
        for field in ("refunds", "fulfillments"):
            _check_whole(gid, field, node[field], WHOLE_CHILDREN)
            order[field] = flatten(node[field])
    return order


async def _details(
    client: ShopifyClient,
    ids: Sequence[str],
    document: str,
    per_query: int,
    parts: Mapping[str, str],
) -> dict[str, dict[str, Any]]:
    """Refunds or fulfilments by id, ``per_query`` at a time, each
    connection beyond its first page read on by its own document."""
    found: dict[str, dict[str, Any]] = {}
    for start in range(0, len(ids), per_query):
        chunk = list(ids[start : start + per_query])
        data = await client.graphql(document, {"ids": chunk})
        for raw in data.get("nodes") or []:
            if not isinstance(raw, Mapping) or "id" not in raw:
                continue
            detail: dict[str, Any] = flatten(raw)
            for field, page in parts.items():
                after = _next_cursor(raw.get(field))
                if after is not None:
                    detail[field] += await rest_of(client, page, str(raw["id"]), field, after)
            found[str(raw["id"])] = detail
        missing = [i for i in chunk if i not in found]
        if missing:
            raise ShopifyError(f"{missing[0]} vanished while its order was read")
    return found


async def add_details(client: ShopifyClient, orders: Sequence[dict[str, Any]]) -> None:
    """Replace the refunds and fulfilments of assembled orders (by id) with
    their whole selves: lines, shipping, adjustments, transactions."""
    refund_ids = [str(r["id"]) for o in orders for r in o.get("refunds") or ()]
    fulfillment_ids = [str(f["id"]) for o in orders for f in o.get("fulfillments") or ()]
    refunds = await _details(
        client, refund_ids, REFUND_DETAILS, REFUNDS_PER_QUERY, REFUND_PART_PAGES
    )
    fulfillments = await _details(
        client,
        fulfillment_ids,
        FULFILLMENT_DETAILS,
        FULFILLMENTS_PER_QUERY,
        {"fulfillmentLineItems": FULFILLMENT_LINE_ITEMS},
    )
    for order in orders:
        order["refunds"] = [refunds[str(r["id"])] for r in order.get("refunds") or ()]
        order["fulfillments"] = [
            fulfillments[str(f["id"])] for f in order.get("fulfillments") or ()
        ]
