"""``FakeGoflow``: a local Goflow that answers like its v1 API.

After Goflow's published API specification (goflow.com/api-spec) and its
documentation ("Inventory Adjustments"):

* ``Authorization: Bearer {token}`` on every request, else 401.
* Lists answer ``{"data": [...], "next": absolute-url-or-null}``,
  ``page_size`` items a page; ``next`` carries the query.
* Only the filters storebooks' sources name are understood; any other
  query parameter is refused with 400, so a connector cannot ask for what
  Goflow does not offer:
  ``GET /v1/orders``: ``filters[status]``, ``filters[status_updated_at:gte]``,
  ``filters[status_updated_at:lt]``, ``sort=status_updated_at``,
  ``sort_direction``; dates must be ISO 8601 in UTC.
  ``GET /v1/products``: ``filters[item_number:eq]``.
  ``GET /v1/inventory/adjustments``: no filters.
* Orders carry ``id``, ``order_number``, ``status``, ``status_updated_at``,
  ``date``, ``lines[]`` (``product {id, item_number}``, ``quantity
  {amount}``, ``charges [{type, amount}]``) and ``shipment {shipped_at}``:
  no cost, because Goflow publishes none on orders. Products carry ``id``,
  ``item_number``, ``details {name}``. Adjustments carry ``id``, ``date``,
  ``type``, ``warehouse_id``, ``reference_number`` and ``lines[]`` of
  ``product_id``, ``quantity``, ``cost``, ``reason``.

``fail_next`` is a list of responses to give first: an int status, or
``(429, "retry-after")``.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.fakes.local_server import LocalServer

ORDER_PARAMS = frozenset(
    {
        "filters[status]",
        "filters[status_updated_at:gte]",
        "filters[status_updated_at:lt]",
        "sort",
        "sort_direction",
    }
)
PRODUCT_PARAMS = frozenset({"filters[item_number:eq]"})
CURSOR = "cursor"


def iso(t: dt.datetime) -> str:
    return t.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_iso(s: str) -> dt.datetime:
    if not s.endswith("Z"):
        raise ValueError(f"{s!r} is not a UTC ISO 8601 date")
    return dt.datetime.fromisoformat(s.replace("Z", "+00:00"))


def money(value: Decimal | int) -> float | int:
    """JSON numbers, as Goflow sends them (exactness is the client's job)."""
    return int(value) if Decimal(value) == int(value) else float(value)


@dataclass
class GoflowAccount:
    orders: list[dict[str, Any]] = field(default_factory=list)
    products: dict[str, int] = field(default_factory=dict)  # item_number -> id
    adjustments: list[dict[str, Any]] = field(default_factory=list)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def product(self, item_number: str) -> int:
        if item_number not in self.products:
            self.products[item_number] = 5000 + len(self.products)
        return self.products[item_number]

    def ship(
        self,
        order_number: str,
        shipped_at: dt.datetime,
        lines: list[tuple[str, int, Decimal]],
        *,
        status: str = "shipped",
    ) -> None:
        """An order shipped at ``shipped_at``: (item number, units, unit price) lines."""
        oid = next(self._ids)
        self.orders.append(
            {
                "id": oid,
                "order_number": order_number,
                "status": status,
                "date": iso(shipped_at - dt.timedelta(days=1)),
                "status_updated_at": iso(shipped_at),
                "lines": [
                    {
                        "id": oid * 100 + i,
                        "product": {"id": self.product(item), "item_number": item},
                        "quantity": {"amount": units},
                        "charges": [{"type": "price", "amount": money(price)}],
                    }
                    for i, (item, units, price) in enumerate(lines)
                ],
                "shipment": {"shipped_at": iso(shipped_at)},
            }
        )

    def adjust(self, when: dt.datetime, costs: list[tuple[str, int, Decimal | None]]) -> None:
        """An absolute adjustment setting (item number, quantity, cost)."""
        aid = next(self._ids)
        self.adjustments.append(
            {
                "id": aid,
                "date": iso(when),
                "type": "absolute",
                "warehouse_id": 1,
                "reference_number": f"ADJ-{aid}",
                "lines": [
                    {
                        "product_id": self.product(item),
                        "quantity": qty,
                        "cost": None if cost is None else money(cost),
                        "reason": "count",
                    }
                    for item, qty, cost in costs
                ],
            }
        )


class FakeGoflow(LocalServer):
    """``async with FakeGoflow(account, token=...) as fake``."""

    def __init__(
        self, data: GoflowAccount | None = None, *, token: str = "gf_token", page_size: int = 2
    ) -> None:
        self.data = data or GoflowAccount()
        self.token = token
        self.page_size = page_size
        self.fail_next: list[int | tuple[int, str]] = []
        self.requests: list[str] = []
        self.headers: list[dict[str, str]] = []
        self.serve_routes(
            [
                Route("/v1/orders", self._orders, methods=["GET"]),
                Route("/v1/products", self._products, methods=["GET"]),
                Route("/v1/inventory/adjustments", self._adjustments, methods=["GET"]),
            ]
        )

    def _gate(self, request: Request, allowed: frozenset[str]) -> Response | None:
        self.requests.append(str(request.url))
        self.headers.append(dict(request.headers))
        if self.fail_next:
            fail = self.fail_next.pop(0)
            if isinstance(fail, tuple):
                status, retry_after = fail
                return Response(
                    "slow down", status_code=status, headers={"Retry-After": retry_after}
                )
            return Response("trouble", status_code=fail)
        if request.headers.get("authorization") != f"Bearer {self.token}":
            return JSONResponse({"error": "invalid token"}, 401)
        unknown = {k for k in request.query_params if k not in allowed | {CURSOR}}
        if unknown:
            return JSONResponse({"error": f"unknown parameters: {sorted(unknown)}"}, 400)
        return None

    def _page(self, request: Request, items: list[dict[str, Any]]) -> Response:
        start = int(request.query_params.get(CURSOR, "0"))
        chunk = items[start : start + self.page_size]
        nxt = None
        if start + self.page_size < len(items):
            query = [(k, v) for k, v in request.query_params.multi_items() if k != CURSOR]
            query.append((CURSOR, str(start + self.page_size)))
            nxt = f"{self.base_url}{request.url.path}?{urlencode(query)}"
        return JSONResponse({"data": chunk, "next": nxt})

    async def _orders(self, request: Request) -> Response:
        if (refused := self._gate(request, ORDER_PARAMS)) is not None:
            return refused
        q = request.query_params
        matches = list(self.data.orders)
        try:
            if "filters[status]" in q:
                matches = [o for o in matches if o["status"] == q["filters[status]"]]
            if "filters[status_updated_at:gte]" in q:
                lo = parse_iso(q["filters[status_updated_at:gte]"])
                matches = [o for o in matches if parse_iso(o["status_updated_at"]) >= lo]
            if "filters[status_updated_at:lt]" in q:
                hi = parse_iso(q["filters[status_updated_at:lt]"])
                matches = [o for o in matches if parse_iso(o["status_updated_at"]) < hi]
        except ValueError as exc:
            return JSONResponse({"error": str(exc)}, 400)
        if q.get("sort") == "status_updated_at":
            matches.sort(
                key=lambda o: o["status_updated_at"], reverse=q.get("sort_direction") == "desc"
            )
        return self._page(request, matches)

    async def _products(self, request: Request) -> Response:
        if (refused := self._gate(request, PRODUCT_PARAMS)) is not None:
            return refused
        wanted = request.query_params.get("filters[item_number:eq]")
        items = [
            {"id": pid, "item_number": item, "details": {"name": item.title()}}
            for item, pid in sorted(self.data.products.items())
            if wanted is None or item == wanted
        ]
        return self._page(request, items)

    async def _adjustments(self, request: Request) -> Response:
        if (refused := self._gate(request, frozenset())) is not None:
            return refused
        return self._page(request, list(self.data.adjustments))
