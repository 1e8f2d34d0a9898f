"""``FakeFinale``: a local Finale Inventory GraphQL API.

It answers ``POST /{account}/api/graphql`` the way Finale documents it
(developer reference: "Getting started with GraphQL", "ViewConnections",
"Stock History"; help centre: "Stock history data set"):

* HTTP Basic with the account's API key and secret, else 401; an unknown
  account path is 404; the body must be JSON ``{"query", "variables"}``.
* A real GraphQL schema holding only the fields storebooks' sources name
  (see docs/inventory-systems.md): ``shipmentViewConnection`` (shipmentId,
  type, status, shipDate, order.orderId) and ``stockHistoryViewConnection``
  (transactionType, transactionUpdateType, recordDate, unitsIn, unitsOut,
  transactionCostPerUnit, averageCostPerUnit, product.productId,
  shipment.shipmentId). Asking for any other field is a GraphQL
  validation error, as on a real server.
* Relay paging: ``first`` is required and at most 1000 (the largest page
  public callers use), ``after`` must be a cursor it gave out.
* Date filters ``{begin, end}`` are closed ranges that must both be given
  and span at most 30 days, Finale's limit for collection filters.
* Every value is display text: numbers with thousands separators
  ("1,204.50"), blank when absent; dates as ``date_style`` says.

``fail_next`` is a list of responses to give first: an int status, or
``(429, "retry-after")``.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from graphql import build_schema, graphql_sync
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.fakes.local_server import LocalServer

SDL = """
input DateRange { begin: String end: String }
type PageInfo { hasNextPage: Boolean! endCursor: String }
type ProductLink { productId: String }
type OrderLink { orderId: String }
type ShipmentLink { shipmentId: String }
type Shipment {
  shipmentId: String type: String status: String shipDate: String order: OrderLink
}
type ShipmentEdge { node: Shipment! cursor: String! }
type ShipmentViewConnection { edges: [ShipmentEdge!]! pageInfo: PageInfo! }
type StockHistory {
  transactionType: String transactionUpdateType: String recordDate: String
  unitsIn: String unitsOut: String transactionCostPerUnit: String averageCostPerUnit: String
  product: ProductLink shipment: ShipmentLink
}
type StockHistoryEdge { node: StockHistory! cursor: String! }
type StockHistoryViewConnection { edges: [StockHistoryEdge!]! pageInfo: PageInfo! }
type Query {
  shipmentViewConnection(first: Int, after: String, shipDate: DateRange): ShipmentViewConnection
  stockHistoryViewConnection(first: Int, after: String, recordDate: DateRange):
    StockHistoryViewConnection
}
"""
SCHEMA = build_schema(SDL)
MAX_FIRST = 1000
MAX_SPAN_DAYS = 30


class FilterError(Exception):
    pass


def fmt_number(value: Decimal | int | None) -> str:
    return "" if value is None else f"{Decimal(value):,}"


@dataclass
class FinaleShipment:
    shipment_id: str
    order_id: str | None
    ship_date: dt.date
    type: str = "Sale"
    status: str = "Shipped"


@dataclass
class HistoryRow:
    shipment_id: str | None
    product_id: str
    record_date: dt.date
    update_type: str
    units_out: int = 0
    units_in: int = 0
    cost: Decimal | None = None
    average: Decimal | None = None
    transaction_type: str = "Sales shipment"


@dataclass
class FinaleAccount:
    shipments: list[FinaleShipment] = field(default_factory=list)
    history: list[HistoryRow] = field(default_factory=list)

    def ship(
        self,
        order_id: str,
        day: dt.date,
        items: list[tuple[str, int, Decimal | None]],
        *,
        packed_first: bool = False,
        status: str = "Shipped",
    ) -> str:
        """A sale shipment of ``items`` (product, units, cost per unit) for
        ``order_id``, with the stock history rows Finale writes for it."""
        sid = str(100000 + len(self.shipments))
        self.shipments.append(FinaleShipment(sid, order_id, day, status=status))
        if status != "Shipped":
            return sid
        for product, units, cost in items:
            if packed_first:  # stock moves to packing, then leaves
                self.history.append(
                    HistoryRow(sid, product, day, "Sales shipment packed", units, 0, cost, cost)
                )
                self.history.append(
                    HistoryRow(
                        sid, product, day, "Sales shipment packed shipped", units, 0, cost, cost
                    )
                )
            else:
                self.history.append(
                    HistoryRow(sid, product, day, "Sales shipment shipped", units, 0, cost, cost)
                )
        return sid


class FakeFinale(LocalServer):
    """``async with FakeFinale(account_data, account=..., api_key=..., api_secret=...) as fake``."""

    def __init__(
        self,
        data: FinaleAccount | None = None,
        *,
        account: str = "demo",
        api_key: str = "KEY",
        api_secret: str = "SECRET",
        date_style: str = "us",
    ) -> None:
        self.data = data or FinaleAccount()
        self.account = account
        self.date_style = date_style
        self._auth = "Basic " + base64.b64encode(f"{api_key}:{api_secret}".encode()).decode()
        self.fail_next: list[int | tuple[int, str]] = []
        self.requests: list[dict[str, Any]] = []
        self.serve_routes([Route("/{account}/api/graphql", self._graphql, methods=["POST"])])

    def _date(self, day: dt.date) -> str:
        return f"{day.month}/{day.day}/{day.year}" if self.date_style == "us" else day.isoformat()

    def _gate(self, request: Request) -> Response | None:
        if self.fail_next:
            fail = self.fail_next.pop(0)
            if isinstance(fail, tuple):
                status, retry_after = fail
                return Response(
                    "slow down", status_code=status, headers={"Retry-After": retry_after}
                )
            return Response("trouble", status_code=fail)
        if request.path_params["account"] != self.account:
            return Response("no such account", status_code=404)
        if request.headers.get("authorization") != self._auth:
            return Response("Unauthorized", status_code=401)
        if not request.headers.get("content-type", "").startswith("application/json"):
            return Response("Content-Type must be application/json", status_code=415)
        return None

    async def _graphql(self, request: Request) -> Response:
        refused = self._gate(request)
        try:
            body = json.loads(await request.body())
        except ValueError:
            body = None
        self.requests.append(body if isinstance(body, dict) else {})
        if refused is not None:
            return refused
        if not isinstance(body, dict) or not isinstance(body.get("query"), str):
            return JSONResponse(
                {"errors": [{"message": "a JSON body with a query is required"}]}, 400
            )
        root = {
            "shipmentViewConnection": self._shipments,
            "stockHistoryViewConnection": self._history,
        }
        result = graphql_sync(SCHEMA, body["query"], root, variable_values=body.get("variables"))
        out: dict[str, Any] = {"data": result.data}
        if result.errors:
            out["errors"] = [{"message": e.message} for e in result.errors]
        return JSONResponse(out)

    def _window(self, rng: dict[str, str] | None, name: str) -> tuple[dt.date, dt.date]:
        if not rng or not rng.get("begin") or not rng.get("end"):
            raise FilterError(f"{name} must be a range with begin and end")
        lo, hi = dt.date.fromisoformat(rng["begin"]), dt.date.fromisoformat(rng["end"])
        if (hi - lo).days + 1 > MAX_SPAN_DAYS:
            raise FilterError(f"{name} range over {MAX_SPAN_DAYS} days")
        return lo, hi

    def _page(self, nodes: list[dict[str, Any]], first: int | None, after: str | None) -> Any:
        if first is None or not 1 <= first <= MAX_FIRST:
            raise FilterError(f"first must be between 1 and {MAX_FIRST}")
        start = 0
        if after is not None:
            try:
                start = int(base64.b64decode(after).decode())
            except ValueError as exc:
                raise FilterError("after is not a cursor") from exc
        chunk = nodes[start : start + first]
        edges = [
            {"node": n, "cursor": base64.b64encode(str(start + i + 1).encode()).decode()}
            for i, n in enumerate(chunk)
        ]
        more = start + first < len(nodes)
        return {
            "edges": edges,
            "pageInfo": {"hasNextPage": more, "endCursor": edges[-1]["cursor"] if edges else None},
        }

    def _shipments(
        self,
        info: Any,
        first: int | None = None,
        after: str | None = None,
        shipDate: dict[str, str] | None = None,
    ) -> Any:
        lo, hi = self._window(shipDate, "shipDate")
        nodes = [
            {
                "shipmentId": s.shipment_id,
                "type": s.type,
                "status": s.status,
                "shipDate": self._date(s.ship_date),
                "order": {"orderId": s.order_id} if s.order_id else None,
            }
            for s in self.data.shipments
            if lo <= s.ship_date <= hi
        ]
        return self._page(nodes, first, after)

    def _history(
        self,
        info: Any,
        first: int | None = None,
        after: str | None = None,
        recordDate: dict[str, str] | None = None,
    ) -> Any:
        lo, hi = self._window(recordDate, "recordDate")
        nodes = [
            {
                "transactionType": r.transaction_type,
                "transactionUpdateType": r.update_type,
                "recordDate": self._date(r.record_date),
                "unitsIn": fmt_number(r.units_in),
                "unitsOut": fmt_number(r.units_out),
                "transactionCostPerUnit": fmt_number(r.cost),
                "averageCostPerUnit": fmt_number(r.average),
                "product": {"productId": r.product_id},
                "shipment": {"shipmentId": r.shipment_id} if r.shipment_id else None,
            }
            for r in self.data.history
            if lo <= r.record_date <= hi
        ]
        return self._page(nodes, first, after)
