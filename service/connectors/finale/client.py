"""Finale Inventory client: costs of shipped sales, from stock history.

In Finale a sales order is a plan; the cost of goods is recorded when a
sale shipment ships, at the product's average cost of that moment, as a
row of stock history (developer reference: "Stock History": transaction
cost per unit, average cost per unit, units out). A bill entered later
does not change that cost: Finale's average moves only with receipts,
builds and average-cost-change transactions (help centre: "Why is my
average cost incorrect"), and a back-dated one re-values the rows after
it, which is why each sync reads the stock history again.

Endpoints (same HTTP Basic authentication, API key : API secret, as every
Finale API; developer reference "Authentication" and "Getting started
with GraphQL"):

* ``POST https://app.finaleinventory.com/{account}/api/graphql`` with
  ``{"query", "variables"}``: ``shipmentViewConnection`` and
  ``stockHistoryViewConnection`` (see ``queries``).

Dates are filtered as closed ranges of at most 30 days, the limit Finale
documents for its collection filters ("Filtering resources"); longer spans
are walked window by window. Values come back as display text ("1,204.50"),
read by ``values``.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx

from service.connectors.finale import queries, values
from service.connectors.inventory import (
    CostSample,
    InventoryDataError,
    InventoryHttpClient,
    InventorySystemError,
    ShippedUnits,
    Sleep,
    bounded_cost,
    bounded_units,
    decode_json,
    latest_sample,
    send_with_retry,
)

DEFAULT_BASE_URL = "https://app.finaleinventory.com"
WINDOW_DAYS = 30
PAGE_SIZE = 500
SOURCE = "finale"


def _today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


def windows(begin: dt.date, end: dt.date) -> list[tuple[dt.date, dt.date]]:
    """Closed date ranges of at most 30 days covering ``begin..end``."""
    out: list[tuple[dt.date, dt.date]] = []
    lo = begin
    while lo <= end:
        hi = min(lo + dt.timedelta(days=WINDOW_DAYS - 1), end)
        out.append((lo, hi))
        lo = hi + dt.timedelta(days=1)
    return out


@dataclass(frozen=True, slots=True)
class SaleShipment:
    shipment_id: str
    order_ref: str
    shipped_on: dt.date


class FinaleClient(InventoryHttpClient):
    """One Finale account. ``base_url`` points it at a fake in tests;
    ``sleep`` and ``today`` are injectable so tests neither wait nor depend
    on the clock."""

    def __init__(
        self,
        account: str,
        api_key: str,
        api_secret: str,
        base_url: str | None = None,
        *,
        http: httpx.AsyncClient | None = None,
        sleep: Sleep = asyncio.sleep,
        max_retries: int = 6,
        page_size: int = PAGE_SIZE,
        today: Callable[[], dt.date] = _today,
    ) -> None:
        self.account = account
        root = (base_url or DEFAULT_BASE_URL).rstrip("/")
        self.graphql_url = f"{root}/{quote(account, safe='')}/api/graphql"
        self._auth = httpx.BasicAuth(api_key, api_secret)
        super().__init__(http, sleep, max_retries)
        self.page_size = page_size
        self.today = today

    async def graphql(self, query: str, variables: dict[str, Any]) -> dict[str, Any]:
        """One GraphQL request; GraphQL errors (a refused field, a bad filter)
        are raised with Finale's message."""
        response = await send_with_retry(
            self.http,
            self.graphql_url,
            system="Finale Inventory",
            headers={"Accept": "application/json"},
            json_body={"query": query, "variables": variables},
            auth=self._auth,
            sleep=self.sleep,
            max_retries=self.max_retries,
        )
        assert response is not None  # not_found_ok is off
        body = decode_json(response)
        if not isinstance(body, dict):
            raise InventoryDataError("graphql response", "not an object")
        errors = body.get("errors")
        if errors:
            first = errors[0] if isinstance(errors, list) and errors else errors
            message = first.get("message") if isinstance(first, dict) else first
            raise InventorySystemError(f"Finale Inventory refused the query: {message}")
        data = body.get("data")
        if not isinstance(data, dict):
            raise InventoryDataError("graphql response.data", "missing")
        return data

    async def _nodes(
        self, name: str, query: str, begin: dt.date, end: dt.date
    ) -> AsyncIterator[dict[str, Any]]:
        """Every node of a ``{name}ViewConnection`` over one date window."""
        after: str | None = None
        while True:
            variables = {
                "first": self.page_size,
                "after": after,
                "begin": begin.isoformat(),
                "end": end.isoformat(),
            }
            conn = (await self.graphql(query, variables)).get(name)
            if not isinstance(conn, dict):
                raise InventoryDataError(name, "missing connection")
            for edge in conn.get("edges") or []:
                node = edge.get("node") if isinstance(edge, dict) else None
                if not isinstance(node, dict):
                    raise InventoryDataError(f"{name}.edges[].node", "not an object")
                yield node
            info = conn.get("pageInfo") or {}
            after = info.get("endCursor") if info.get("hasNextPage") else None
            if after is None:
                return

    async def sale_shipments(self, begin: dt.date, end: dt.date) -> dict[str, SaleShipment]:
        """Shipped sale shipments of one window, by shipment id."""
        out: dict[str, SaleShipment] = {}
        name = "shipmentViewConnection"
        async for node in self._nodes(name, queries.SHIPMENTS, begin, end):
            if node.get("type") != queries.SALE or node.get("status") != queries.SHIPPED:
                continue
            sid = values.text(node.get("shipmentId"), f"{name}.shipmentId")
            order = node.get("order") or {}
            ref = order.get("orderId") if isinstance(order, dict) else None
            if not isinstance(ref, str) or not ref.strip():
                continue  # a sale shipment without an order sells nothing of the store's
            day = values.date(node.get("shipDate"), f"shipment {sid}.shipDate")
            out[sid] = SaleShipment(sid, ref.strip(), day)
        return out

    async def _window_units(self, begin: dt.date, end: dt.date) -> list[ShippedUnits]:
        shipments = await self.sale_shipments(begin, end)
        out: list[ShippedUnits] = []
        if not shipments:
            return out
        name = "stockHistoryViewConnection"
        async for node in self._nodes(name, queries.STOCK_HISTORY, begin, end):
            row = self._shipped_row(node, shipments)
            if row is not None:
                out.append(row)
        return out

    def _shipped_row(
        self, node: dict[str, Any], shipments: dict[str, SaleShipment]
    ) -> ShippedUnits | None:
        """A stock history row where a sale's stock left, as ``ShippedUnits``."""
        if node.get("transactionUpdateType") not in queries.STOCK_LEAVES:
            return None
        link = node.get("shipment") or {}
        sale = shipments.get(str(link.get("shipmentId"))) if isinstance(link, dict) else None
        if sale is None:
            return None
        path = f"stock history of shipment {sale.shipment_id}"
        units = bounded_units(
            values.number(node.get("unitsOut"), f"{path}.unitsOut"), f"{path}.unitsOut"
        )
        if units <= 0:
            return None
        product = node.get("product") or {}
        pid = values.text(
            product.get("productId") if isinstance(product, dict) else None,
            f"{path}.product.productId",
        )
        cost = bounded_cost(
            values.number(node.get("transactionCostPerUnit"), f"{path}.transactionCostPerUnit"),
            f"{path}.transactionCostPerUnit",
        ) or bounded_cost(
            values.number(node.get("averageCostPerUnit"), f"{path}.averageCostPerUnit"),
            f"{path}.averageCostPerUnit",
        )
        return ShippedUnits(sale.order_ref, pid, units, cost, sale.shipped_on, SOURCE)

    async def shipped_units(self, begin: dt.date, end: dt.date) -> list[ShippedUnits]:
        """Every unit a sale shipment took out of stock between two days."""
        out: list[ShippedUnits] = []
        for lo, hi in windows(begin, end):
            out.extend(await self._window_units(lo, hi))
        return out

    async def sample_cost(self) -> CostSample | None:
        """The cost of the latest shipped sale of the last 30 days, or None."""
        end = self.today()
        rows = await self._window_units(end - dt.timedelta(days=WINDOW_DAYS - 1), end)
        return latest_sample(
            rows, "Finale stock history: transactionCostPerUnit of the sale shipment"
        )
