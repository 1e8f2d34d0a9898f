"""The fake shop's root fields: what ``QueryRoot`` and ``Mutation`` of the
Admin API resolve to, over the fake's data and its bulk operations.

Each public method is a root field (graphql-core calls it with the
field's arguments); what it returns is rendered data that the executor
trims to the selection. Root connections page themselves (their cursors
carry the sort key, so an order updated between pages moves nothing
else); without ``first``/``last``, which only a bulk query may omit,
they return everything.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import re
from collections.abc import Callable, Sequence
from typing import Any, Protocol

from graphql import GraphQLResolveInfo

from tests.fakes.shopify.bulk import BulkOp, jsonl_lines
from tests.fakes.shopify.execute import Page, page, run
from tests.fakes.shopify.graphql import (
    balance_transaction_node,
    fulfillment_node,
    gid,
    graphql_order,
    payout_node,
    refund_node,
    utc,
    variant_node,
)
from tests.fakes.shopify.model import FakeShopData, FOrder, FVariant
from tests.fakes.shopify.scopes import NODE_SCOPES, access_denied, granted, visible
from tests.fakes.shopify.validation import check

_UPDATED_FILTER = re.compile(r"updated_at:>=\s*'?([^' ]+)'?")


class FakeState(Protocol):
    data: FakeShopData
    base_url: str
    bulk_polls: int
    fail_bulk: str | None
    case_insensitive_skus: bool
    bulk_ops: dict[str, BulkOp]
    api_version: str
    scopes: frozenset[str]
    payments: bool
    now: dt.datetime


def encode(value: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode()


def decode(cursor: str) -> Any:
    return json.loads(base64.urlsafe_b64decode(cursor.encode()))


def _parse_time(s: str) -> dt.datetime:
    return dt.datetime.fromisoformat(s.replace("Z", "+00:00"))


def keyed_page(
    items: Sequence[Any],
    key: Callable[[Any], Any],
    render: Callable[[Any], dict[str, Any]],
    args: dict[str, Any],
) -> Page:
    """Items in ``key`` order after the ``after`` cursor (the last item's
    key), ``first`` of them; everything when no ``first`` (bulk)."""
    ordered = sorted(items, key=key)
    if args.get("after"):
        mark = tuple(decode(args["after"]))
        ordered = [x for x in ordered if tuple(key(x)) > mark]
    first = args.get("first")
    chunk = ordered if first is None else ordered[:first]
    edges = [(encode(list(key(x))), render(x)) for x in chunk]
    return page(edges, len(ordered) > len(chunk), bool(args.get("after")))


def _order_key(sort_key: str) -> Callable[[FOrder], tuple[Any, ...]]:
    def stamp(at: dt.datetime) -> float:
        return at.timestamp()

    keys: dict[str, Callable[[FOrder], tuple[Any, ...]]] = {
        "ID": lambda o: (o.id,),
        "UPDATED_AT": lambda o: (stamp(o.updated_at), o.id),
        "CREATED_AT": lambda o: (stamp(o.created_at), o.id),
        "PROCESSED_AT": lambda o: (stamp(o.created_at), o.id),
        "ORDER_NUMBER": lambda o: (o.number, o.id),
    }
    return keys.get(sort_key, keys["ID"])


def order_node(o: FOrder) -> dict[str, Any]:
    return {"__typename": "Order", **graphql_order(o)}


class AdminRoot:
    """Root value of every request to one fake shop."""

    def __init__(self, fake: FakeState) -> None:
        self.fake = fake
        self.data = fake.data

    # -- QueryRoot -----------------------------------------------------------

    def shop(self, _info: GraphQLResolveInfo) -> dict[str, Any]:
        d = self.data
        return {
            "id": gid("Shop", 1),
            "name": d.name,
            "ianaTimezone": d.timezone,
            "currencyCode": d.currency,
            "myshopifyDomain": d.domain,
        }

    def _visible(self, o: FOrder) -> bool:
        return visible(self.fake.scopes, o.created_at, self.fake.now)

    def currentAppInstallation(self, _info: GraphQLResolveInfo) -> dict[str, Any]:
        return granted(self.fake.scopes)

    def ordersCount(self, _info: GraphQLResolveInfo, **args: Any) -> dict[str, Any]:
        """Shopify counts up to ``limit`` (10,000 by default; null: no cap)."""
        n = sum(1 for o in self.data.orders if self._visible(o))
        limit = args.get("limit")
        if limit is not None and n > limit:
            return {"count": limit, "precision": "AT_LEAST"}
        return {"count": n, "precision": "EXACT"}

    def orders(self, _info: GraphQLResolveInfo, **args: Any) -> Page:
        orders = [o for o in self.data.orders if self._visible(o)]
        m = _UPDATED_FILTER.search(args.get("query") or "")
        if m:
            since = _parse_time(m.group(1))
            orders = [o for o in orders if o.updated_at >= since]
        return keyed_page(orders, _order_key(args.get("sortKey", "PROCESSED_AT")), order_node, args)

    def productVariants(self, _info: GraphQLResolveInfo, **args: Any) -> Page:
        """The catalog in SKU order (ties by id, null SKUs as ""), as a
        case-blind collation would when ``case_insensitive_skus``."""

        def key(x: FVariant) -> tuple[str, int]:
            sku = x.sku or ""
            return (sku.casefold() if self.fake.case_insensitive_skus else sku, x.id)

        def render(x: FVariant) -> dict[str, Any]:
            return variant_node(x, self.data.currency)

        return keyed_page(self.data.variants, key, render, args)

    def shopifyPaymentsAccount(self, _info: GraphQLResolveInfo) -> dict[str, Any] | None:
        """Null for a shop that does not use Shopify Payments."""
        if not self.fake.payments:
            return None
        cur = self.data.currency

        def payouts(_i: GraphQLResolveInfo, **args: Any) -> Page:
            return keyed_page(
                self.data.payouts, lambda p: (p.id,), lambda p: payout_node(p, cur), args
            )

        def balance_transactions(_i: GraphQLResolveInfo, **args: Any) -> Page:
            return keyed_page(
                self.data.balance_transactions,
                lambda b: (b.id,),
                lambda b: balance_transaction_node(b, cur),
                args,
            )

        return {
            "id": gid("ShopifyPaymentsAccount", 1),
            "activated": True,
            "defaultCurrency": cur,
            "payouts": payouts,
            "balanceTransactions": balance_transactions,
        }

    def node(self, _info: GraphQLResolveInfo, id: str) -> dict[str, Any] | None:
        kind, _, tail = id.removeprefix("gid://shopify/").partition("/")
        if kind == "BulkOperation":
            return self._bulk_poll(id)
        try:
            owner = self.data.owner(kind, tail)
        except (KeyError, ValueError):
            return None
        scope = NODE_SCOPES.get(kind)
        if scope is not None and scope not in self.fake.scopes:
            raise access_denied("node", scope)
        if not self._visible(owner):
            return None
        if kind == "Order":
            return order_node(owner)
        if kind == "Refund":
            r = next(r for r in owner.refunds if r.id == int(tail))
            return {"__typename": "Refund", **refund_node(owner, r)}
        if kind == "Fulfillment":
            f = next(f for f in owner.fulfillments if f.id == int(tail))
            return {"__typename": "Fulfillment", **fulfillment_node(f)}
        return None

    def nodes(self, info: GraphQLResolveInfo, ids: list[str]) -> list[dict[str, Any] | None]:
        return [self.node(info, i) for i in ids]

    def currentBulkOperation(
        self,
        info: GraphQLResolveInfo,
        type: str = "QUERY",
    ) -> dict[str, Any] | None:
        if not self.fake.bulk_ops:
            return None
        return self._bulk_poll(list(self.fake.bulk_ops)[-1])

    # -- Mutation --------------------------------------------------------------

    def bulkOperationRunQuery(
        self,
        _info: GraphQLResolveInfo,
        query: str,
        groupObjects: bool,
    ) -> dict[str, Any]:
        running = [op for op in self.fake.bulk_ops.values() if op.running]
        if running:
            message = (
                "A bulk query operation for this app and shop is already in progress:"
                f" {running[0].id}."
            )
            return _refused(None, message, "OPERATION_IN_PROGRESS")
        checked = check(query, bulk=True, version=self.fake.api_version)
        if checked.document is None:
            problems = "; ".join(e["message"] for e in checked.errors)
            return _refused(["query"], f"Invalid bulk query: {problems}", "INVALID")
        n = len(self.fake.bulk_ops) + 1
        op = BulkOp(
            id=gid("BulkOperation", 900_000 + n),
            token=f"op{n}",
            query=query,
            document=checked.document,
            created_at=utc(dt.datetime.now(dt.UTC)) or "",
            grouped=groupObjects,
            version=self.fake.api_version,
        )
        self.fake.bulk_ops[op.id] = op
        return {"bulkOperation": self._bulk_node(op), "userErrors": []}

    # -- bulk operations ---------------------------------------------------------

    def _bulk_poll(self, op_id: str) -> dict[str, Any] | None:
        """Each poll moves the operation on: RUNNING until ``bulk_polls``
        polls, then COMPLETED (its file written) or ``fail_bulk``."""
        op = self.fake.bulk_ops.get(op_id)
        if op is None:
            return None
        op.polls += 1
        if op.running:
            if op.polls < self.fake.bulk_polls:
                op.status = "RUNNING"
            elif self.fake.fail_bulk:
                op.status, self.fake.fail_bulk = self.fake.fail_bulk, None
            else:
                self._complete(op)
        return self._bulk_node(op)

    def _complete(self, op: BulkOp) -> None:
        result = run(op.document, AdminRoot(self.fake), {}, version=op.version)
        if result.errors or result.data is None:
            op.status = "FAILED"
            return
        op.lines, op.root_count = jsonl_lines(result.data, op.grouped)
        op.status = "COMPLETED"

    def _bulk_node(self, op: BulkOp) -> dict[str, Any]:
        done = op.status == "COMPLETED"
        return {
            "__typename": "BulkOperation",
            "id": op.id,
            "status": op.status,
            "type": "QUERY",
            "query": op.query,
            "createdAt": op.created_at,
            "completedAt": op.created_at if done else None,
            "errorCode": "INTERNAL_SERVER_ERROR" if op.status == "FAILED" else None,
            "objectCount": str(len(op.lines)) if done else "0",
            "rootObjectCount": str(op.root_count) if done else "0",
            "fileSize": str(sum(len(x) + 1 for x in op.lines)) if done and op.lines else None,
            "url": f"{self.fake.base_url}/bulk/{op.token}.jsonl" if done and op.lines else None,
            "partialDataUrl": None,
        }


def _refused(field: list[str] | None, message: str, code: str) -> dict[str, Any]:
    return {
        "bulkOperation": None,
        "userErrors": [{"field": field, "message": message, "code": code}],
    }
