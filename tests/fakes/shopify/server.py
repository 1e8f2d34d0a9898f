"""``FakeShopify``: a local HTTP server that answers like the Admin API.

It serves POST /admin/api/{version}/graphql.json for the operations the
connector sends, recognised by their root field (it does not parse GraphQL;
it returns whole objects), reports ``extensions.cost``, can be told to
throttle or rate-limit, runs bulk operations whose JSONL it serves from a
URL on itself, and lets a test change the shop between syncs.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from tests.fakes.local_server import LocalServer
from tests.fakes.shopify.graphql import (
    balance_transaction_node,
    bulk_lines,
    gid,
    graphql_order,
    payout_node,
    variant_node,
)
from tests.fakes.shopify.model import FakeShopData, FOrder, FVariant

_UPDATED_FILTER = re.compile(r"updated_at:>=\s*'?([^' ]+)'?")


def _encode(value: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode()


def _decode(cursor: str) -> Any:
    return json.loads(base64.urlsafe_b64decode(cursor.encode()))


def _parse_time(s: str) -> dt.datetime:
    return dt.datetime.fromisoformat(s.replace("Z", "+00:00"))


@dataclass
class BulkOp:
    id: str
    token: str
    polls: int = 0
    lines: list[str] = field(default_factory=list)
    status: str = "CREATED"


class FakeShopify(LocalServer):
    """``async with FakeShopify(data, access_token=...) as fake:`` then
    point a client at ``fake.base_url``.

    ``throttle_every=n`` answers every n-th GraphQL request THROTTLED,
    ``rate_limit_every=n`` every n-th with HTTP 429; ``fail_next`` is a list
    of HTTP statuses to answer the next requests with (then normal).
    """

    def __init__(
        self,
        data: FakeShopData,
        *,
        access_token: str = "shpat_test",
        throttle_every: int | None = None,
        rate_limit_every: int | None = None,
        bulk_polls: int = 2,
        retry_after: str = "2.0",
        max_cost: int | None = None,
    ) -> None:
        self.data = data
        self.access_token = access_token
        self.throttle_every = throttle_every
        self.rate_limit_every = rate_limit_every
        self.bulk_polls = bulk_polls
        self.retry_after = retry_after
        # orders pages cost 20 points an order, variants pages 4 a variant
        self.max_cost = max_cost
        self.fail_next: list[int] = []
        self.case_insensitive_skus = False  # sort variants as a case-blind collation would
        self.fail_bulk: str | None = None  # e.g. "FAILED" makes the next bulk op end so
        self.requests: list[dict[str, Any]] = []
        self.bulk_ops: dict[str, BulkOp] = {}
        self.expired_tokens: set[str] = set()
        self.downloads = 0
        self.serve_routes(
            [
                Route("/admin/api/{version}/graphql.json", self._graphql, methods=["POST"]),
                Route("/bulk/{token}.jsonl", self._bulk_file, methods=["GET"]),
            ]
        )

    # -- lifecycle ---------------------------------------------------------

    def expire_bulk_urls(self) -> None:
        """Every result URL handed out so far stops working."""
        self.expired_tokens.update(op.token for op in self.bulk_ops.values())

    # -- HTTP ---------------------------------------------------------------

    @staticmethod
    def _cost(requested: int = 10, available: float = 1990.0) -> dict[str, Any]:
        return {
            "cost": {
                "requestedQueryCost": requested,
                "actualQueryCost": None if available < requested else requested,
                "throttleStatus": {
                    "maximumAvailable": 2000.0,
                    "currentlyAvailable": available,
                    "restoreRate": 100.0,
                },
            }
        }

    async def _graphql(self, request: Request) -> Response:
        if request.headers.get("X-Shopify-Access-Token") != self.access_token:
            return JSONResponse(
                {"errors": "[API] Invalid API key or access token"},
                status_code=401,
            )
        body = await request.json()
        query: str = body.get("query", "")
        variables: dict[str, Any] = body.get("variables") or {}
        self.requests.append(
            {"query": query, "variables": variables, "version": request.path_params["version"]}
        )
        n = len(self.requests)
        if self.fail_next:
            return JSONResponse({"errors": "Internal error"}, status_code=self.fail_next.pop(0))
        if self.rate_limit_every and n % self.rate_limit_every == 0:
            return JSONResponse(
                {"errors": "Exceeded 2 calls per second for api client. Reduce request rates."},
                status_code=429,
                headers={"Retry-After": self.retry_after},
            )
        if self.throttle_every and n % self.throttle_every == 0:
            return JSONResponse(
                {
                    "errors": [
                        {
                            "message": "Throttled",
                            "extensions": {
                                "code": "THROTTLED",
                                "documentation": "https://shopify.dev/api/usage/rate-limits",
                            },
                        }
                    ],
                    "extensions": self._cost(requested=752, available=152.0),
                }
            )
        per_item = 20 if "orders(first" in query else 4 if "productVariants(" in query else 0
        if self.max_cost and per_item:
            requested = 2 + per_item * int(variables.get("first", 50))
            if requested > self.max_cost:
                message = (
                    f"Query cost is {requested}, which exceeds the single query max cost"
                    f" limit ({self.max_cost})."
                )
                return JSONResponse(
                    {
                        "errors": [
                            {
                                "message": message,
                                "extensions": {"code": "MAX_COST_EXCEEDED", "cost": requested},
                            }
                        ]
                    }
                )
        try:
            data = self._answer(query, variables)
        except LookupError as exc:
            return JSONResponse(
                {"errors": [{"message": str(exc), "extensions": {"code": "undefinedField"}}]}
            )
        return JSONResponse({"data": data, "extensions": self._cost()})

    def _answer(self, query: str, v: dict[str, Any]) -> dict[str, Any]:
        if "bulkOperationRunQuery" in query:
            return self._bulk_run(v)
        if "productVariants(" in query:
            return {"productVariants": self._variants(v)}
        if "nodes(" in query:
            return {"nodes": [self._node(i) for i in v.get("ids", [])]}
        if "node(" in query:
            return {"node": self._node(v["id"])}
        if "balanceTransactions(" in query:
            items = [
                balance_transaction_node(b, self.data.currency)
                for b in sorted(self.data.balance_transactions, key=lambda b: b.id)
            ]
            return {"shopifyPaymentsAccount": {"balanceTransactions": self._page(items, v)}}
        if "payouts(" in query:
            items = [
                payout_node(p, self.data.currency)
                for p in sorted(self.data.payouts, key=lambda p: p.id)
            ]
            return {"shopifyPaymentsAccount": {"payouts": self._page(items, v)}}
        if "orders(" in query:
            return {"orders": self._orders(v)}
        if "shop {" in query:
            d = self.data
            return {
                "shop": {"name": d.name, "ianaTimezone": d.timezone, "currencyCode": d.currency}
            }
        raise LookupError("The fake does not know this operation")

    @staticmethod
    def _page(items: list[dict[str, Any]], v: dict[str, Any]) -> dict[str, Any]:
        start = int(_decode(v["after"])) + 1 if v.get("after") else 0
        chunk = items[start : start + int(v.get("first", 50))]
        edges = [{"cursor": _encode(start + i), "node": n} for i, n in enumerate(chunk)]
        return {
            "edges": edges,
            "pageInfo": {
                "hasNextPage": start + len(chunk) < len(items),
                "endCursor": edges[-1]["cursor"] if edges else None,
            },
        }

    def _node(self, node_id: str) -> dict[str, Any] | None:
        kind, _, tail = node_id.removeprefix("gid://shopify/").partition("/")
        if kind == "BulkOperation":
            return self._bulk_poll(node_id)
        if kind == "Order":
            try:
                return graphql_order(self.data.order(tail))
            except KeyError:
                return None
        return None

    def _orders(self, v: dict[str, Any]) -> dict[str, Any]:
        orders = self.data.orders
        m = _UPDATED_FILTER.search(v.get("query") or "")
        if m:
            since = _parse_time(m.group(1))
            orders = [o for o in orders if o.updated_at >= since]
        key = sorted(orders, key=lambda o: (o.updated_at, o.id))
        if v.get("after"):
            stamp, oid = _decode(v["after"])
            mark = (_parse_time(stamp), oid)
            key = [o for o in key if (o.updated_at, o.id) > mark]
        chunk = key[: int(v.get("first", 50))]

        def cursor(o: FOrder) -> str:
            return _encode([o.updated_at.isoformat(), o.id])

        edges = [{"cursor": cursor(o), "node": graphql_order(o)} for o in chunk]
        return {
            "edges": edges,
            "pageInfo": {
                "hasNextPage": len(key) > len(chunk),
                "endCursor": edges[-1]["cursor"] if edges else None,
            },
        }

    def _variants(self, v: dict[str, Any]) -> dict[str, Any]:
        """The catalog in SKU order (ties by id, null SKUs as ""), the
        cursor the last variant's (sku, id): a variant added or removed
        between pages moves nothing else."""

        def key(x: FVariant) -> tuple[str, int]:
            sku = x.sku or ""
            return (sku.casefold() if self.case_insensitive_skus else sku, x.id)

        ordered = sorted(self.data.variants, key=key)
        if v.get("after"):
            sku, vid = _decode(v["after"])
            ordered = [x for x in ordered if key(x) > (sku, vid)]
        chunk = ordered[: int(v.get("first", 50))]
        edges = [
            {"cursor": _encode(list(key(x))), "node": variant_node(x, self.data.currency)}
            for x in chunk
        ]
        return {
            "edges": edges,
            "pageInfo": {
                "hasNextPage": len(ordered) > len(chunk),
                "endCursor": edges[-1]["cursor"] if edges else None,
            },
        }

    # -- bulk operations -------------------------------------------------------

    def _bulk_run(self, v: dict[str, Any]) -> dict[str, Any]:
        running = [op for op in self.bulk_ops.values() if op.status in ("CREATED", "RUNNING")]
        if running:
            return {
                "bulkOperationRunQuery": {
                    "bulkOperation": None,
                    "userErrors": [
                        {
                            "field": None,
                            "message": "A bulk query operation for this app and shop is already"
                            f" in progress: {running[0].id}.",
                        }
                    ],
                }
            }
        if "orders" not in v.get("query", ""):
            raise LookupError("The fake runs bulk queries over orders only")
        n = len(self.bulk_ops) + 1
        op = BulkOp(id=gid("BulkOperation", 900_000 + n), token=f"op{n}")
        self.bulk_ops[op.id] = op
        return {
            "bulkOperationRunQuery": {
                "bulkOperation": {"id": op.id, "status": op.status},
                "userErrors": [],
            }
        }

    def _bulk_poll(self, op_id: str) -> dict[str, Any] | None:
        op = self.bulk_ops.get(op_id)
        if op is None:
            return None
        op.polls += 1
        if op.status in ("CREATED", "RUNNING"):
            if op.polls < self.bulk_polls:
                op.status = "RUNNING"
            elif self.fail_bulk:
                op.status, self.fail_bulk = self.fail_bulk, None
            else:
                # The file is written when the operation completes.
                op.lines = [
                    json.dumps(obj, separators=(",", ":"))
                    for o in sorted(self.data.orders, key=lambda o: o.id)
                    for obj in bulk_lines(o)
                ]
                op.status = "COMPLETED"
        done = op.status == "COMPLETED"
        return {
            "id": op.id,
            "status": op.status,
            "errorCode": "INTERNAL_SERVER_ERROR" if op.status == "FAILED" else None,
            "objectCount": str(len(op.lines)) if done else "0",
            "url": f"{self.base_url}/bulk/{op.token}.jsonl" if done and op.lines else None,
            "partialDataUrl": None,
        }

    async def _bulk_file(self, request: Request) -> Response:
        token = request.path_params["token"]
        op = next((o for o in self.bulk_ops.values() if o.token == token), None)
        if op is None or token in self.expired_tokens:
            return Response(
                "<Error><Code>ExpiredToken</Code></Error>",
                status_code=403,
                media_type="application/xml",
            )
        self.downloads += 1

        async def body() -> AsyncIterator[bytes]:
            for line in op.lines:
                yield (line + "\n").encode()

        return StreamingResponse(body(), media_type="application/jsonl")
