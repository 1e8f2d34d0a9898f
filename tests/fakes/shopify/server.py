"""``FakeShopify``: a local HTTP server that answers like the Admin API.

It serves POST /admin/api/{version}/graphql.json: every document is parsed
and validated against the Admin API schema (admin_schema.graphql); one
Shopify would refuse gets Shopify's errors (HTTP 200, ``errors`` with
graphql-ruby's codes), a valid one is executed against the fake shop (see
root.py and execute.py). Answers report ``extensions.cost`` from a
pluggable cost calculator (cost.py; by default Shopify's documented rules,
refusing a document over 1,000 points as Shopify does); the fake can be told to throttle,
rate-limit or fail, runs bulk operations whose JSONL it serves from a URL
on itself, and lets a test change the shop between syncs.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from tests.fakes.local_server import LocalServer
from tests.fakes.shopify.bulk import BulkOp
from tests.fakes.shopify.cost import MAX_QUERY_COST, CostCalculator, actual_cost, shopify_cost
from tests.fakes.shopify.execute import run
from tests.fakes.shopify.model import FakeShopData
from tests.fakes.shopify.root import AdminRoot
from tests.fakes.shopify.scopes import ALL_SCOPES
from tests.fakes.shopify.validation import (
    BASE_VERSION,
    VERSIONS,
    check,
    coerce_variables,
    operation,
)

_UNMETERED_COST = 10
"""What a document the cost calculator does not meter reports costing."""


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
        max_cost: int | None = MAX_QUERY_COST,
        cost: CostCalculator = shopify_cost,
        scopes: frozenset[str] = ALL_SCOPES,
        payments: bool = True,
        now: dt.datetime | None = None,
    ) -> None:
        self.data = data
        self.access_token = access_token
        self.throttle_every = throttle_every
        self.rate_limit_every = rate_limit_every
        self.bulk_polls = bulk_polls
        self.retry_after = retry_after
        self.max_cost = max_cost
        self.cost = cost
        self.scopes = scopes  # the access scopes the app was granted
        self.payments = payments  # whether the shop uses Shopify Payments
        self.now = now or dt.datetime.now(dt.UTC)  # "the last 60 days" end here
        self.fail_next: list[int] = []
        self.case_insensitive_skus = False  # sort variants as a case-blind collation would
        self.fail_bulk: str | None = None  # e.g. "FAILED" makes the next bulk op end so
        self.requests: list[dict[str, Any]] = []
        self.api_version = BASE_VERSION  # of the request being answered
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
        query: str = body.get("query") or ""
        variables: dict[str, Any] = body.get("variables") or {}
        version = request.path_params["version"]
        self.requests.append({"query": query, "variables": variables, "version": version})
        if version not in VERSIONS:
            return JSONResponse({"errors": "Not Found"}, status_code=404)
        refusal = self._injected_failure(len(self.requests))
        if refusal is not None:
            return refusal
        self.api_version = version
        return JSONResponse(self.answer(query, variables, body.get("operationName")))

    def _injected_failure(self, n: int) -> Response | None:
        """The failure a test asked for on the n-th request, if any."""
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
        return None

    def answer(
        self, query: str, variables: dict[str, Any], operation_name: str | None = None
    ) -> dict[str, Any]:
        """The JSON body Shopify would answer a document with: its errors
        if Shopify would refuse it, else the data it selects."""
        version = self.api_version
        checked = check(query, version=version)
        if checked.document is None:
            return {"errors": list(checked.errors)}
        op = operation(checked.document, operation_name)
        if op is None:
            message = (
                "An operation name is required"
                if operation_name is None
                else f'No operation named "{operation_name}"'
            )
            return {"errors": [{"message": message}]}
        coerced = coerce_variables(op, variables, version)
        if isinstance(coerced, list):
            return {"errors": coerced}
        requested = self.cost(checked.document, coerced)
        if self.requests:
            self.requests[-1]["cost"] = requested
        if self.max_cost and requested is not None and requested > self.max_cost:
            return self._too_costly(requested)
        result = run(checked.document, AdminRoot(self), variables, operation_name, version)
        out: dict[str, Any] = {}
        if result.errors:
            out["errors"] = [e.formatted for e in result.errors]
        out["data"] = result.data
        asked = _UNMETERED_COST if requested is None else requested
        out["extensions"] = self._cost(asked)
        # It ran: what it returned is paid (Shopify gives back the rest).
        returned = sum(actual_cost(v) for v in (result.data or {}).values())
        spent = asked if requested is None else min(asked, returned)
        out["extensions"]["cost"]["actualQueryCost"] = spent
        return out

    def _too_costly(self, requested: int) -> dict[str, Any]:
        """Shopify's refusal of a document over the single-query limit: its
        requested cost and the limit, and no data (nothing ran)."""
        message = (
            f"Query cost is {requested}, which exceeds the single query max cost"
            f" limit ({self.max_cost}).\n\nSee https://shopify.dev/concepts/about-apis/rate-limits"
            " for more information on how the\ncost of a query is calculated.\n\nTo query"
            " larger amounts of data with fewer limits, bulk operations should be used"
            " instead.\nSee https://shopify.dev/tutorials/perform-bulk-operations-with-admin-api"
            " for usage details.\n"
        )
        return {
            "errors": [
                {
                    "message": message,
                    "extensions": {
                        "code": "MAX_COST_EXCEEDED",
                        "cost": requested,
                        "maxCost": self.max_cost,
                    },
                }
            ]
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
