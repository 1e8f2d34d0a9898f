"""Turning Shopify's GraphQL answers into the *assembled* Order shape.

The normalizer wants every connection as a plain list of nodes. Paginated
queries give ``{"edges": [{"node": ...}], "pageInfo": ...}`` (or
``{"nodes": [...]}``); a bulk operation's JSONL gives each connection child
on a line of its own, pointing at its parent with ``__parentId``. Both end
up here as the same nested dicts and lists.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from service.connectors.shopify.errors import ShopifyError

BULK_CHILD_FIELDS: dict[str, str] = {
    "LineItem": "lineItems",
    "ShippingLine": "shippingLines",
}
"""The connection a bulk child line belongs to, by the type in its gid
(the JSONL carries no field names, only each child's id and parent)."""


def _is_connection(value: Mapping[str, Any]) -> bool:
    return ("edges" in value and isinstance(value["edges"], list)) or (
        "nodes" in value and isinstance(value["nodes"], list) and "id" not in value
    )


def flatten(value: Any) -> Any:
    """``value`` with every connection replaced by the list of its nodes."""
    if isinstance(value, list):
        return [flatten(v) for v in value]
    if not isinstance(value, Mapping):
        return value
    if _is_connection(value):
        if "edges" in value:
            return [flatten(edge["node"]) for edge in value["edges"]]
        return [flatten(n) for n in value["nodes"]]
    return {k: flatten(v) for k, v in value.items()}


def gid_type(gid: str) -> str:
    """``gid://shopify/LineItem/1`` -> ``LineItem``."""
    parts = gid.split("/")
    if len(parts) < 5 or not gid.startswith("gid://"):
        raise ShopifyError(f"not a Shopify gid: {gid!r}")
    return parts[3]


class BulkOrders:
    """Reassembles orders from a bulk JSONL stream, one order at a time.

    Shopify writes a parent's line before its children's, and an order's
    children before the next order; so an order is complete as soon as the
    next top-level line arrives, and memory holds one order, whatever the
    size of the file.
    """

    def __init__(self) -> None:
        self._current: dict[str, Any] | None = None

    def feed(self, obj: Mapping[str, Any]) -> dict[str, Any] | None:
        """Take one JSONL object; return the order it completed, if any."""
        parent = obj.get("__parentId")
        if parent is None:
            done = self._current
            self._current = {
                **{k: flatten(v) for k, v in obj.items()},
                **{name: [] for name in BULK_CHILD_FIELDS.values()},
            }
            return done
        current = self._current
        if current is None or current.get("id") != parent:
            raise ShopifyError(
                f"bulk result line for {obj.get('id')!r} points at {parent!r},"
                " which is not the order being read"
            )
        field = BULK_CHILD_FIELDS.get(gid_type(str(obj.get("id", ""))))
        if field is None:
            raise ShopifyError(f"unexpected bulk child {obj.get('id')!r}")
        current[field].append({k: flatten(v) for k, v in obj.items() if k != "__parentId"})
        return None

    def finish(self) -> dict[str, Any] | None:
        """The last order of the stream."""
        done, self._current = self._current, None
        return done


def assemble_bulk(objects: Iterator[Mapping[str, Any]]) -> Iterator[dict[str, Any]]:
    """Orders from JSONL objects (a convenience over ``BulkOrders``)."""
    acc = BulkOrders()
    for obj in objects:
        done = acc.feed(obj)
        if done is not None:
            yield done
    last = acc.finish()
    if last is not None:
        yield last
