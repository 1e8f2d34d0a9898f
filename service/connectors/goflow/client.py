"""Goflow client: shipped orders, and the product costs Goflow keeps.

Goflow's published API (goflow.com/api-spec, v1) shows no cost on an
order: an order line carries ``product.item_number``, ``quantity.amount``
and its ``charges`` (the price is the charge of type ``price``), and the
order's ``shipment.shipped_at`` says when it left. No public source shows
an average cost per order line. What Goflow does keep is each product's
cost: its documentation ("Inventory Adjustments") says adjustments set a
product's quantity and average cost, and an adjustment line carries
``product_id``, ``quantity`` and ``cost``. So the cost storebooks uses for
a Goflow unit is the product's cost at the ship date: the cost of the
latest adjustment line of that product dated on or before the ship date.
Costs Goflow derives from purchase receipts are not exposed by the API;
a unit with no adjustment cost before it shipped comes back without a
cost and is listed as missing (with the product's current average as the
suggestion), never posted at 0.

Endpoints, all ``https://{subdomain}.api.goflow.com/v1/...`` with
``Authorization: Bearer {token}`` (and ``X-Beta-Contact`` when given);
lists answer ``{"data": [...], "next": url-or-null}`` (API specification:
"Authentication", "Beta Header", "Endpoints and requests", "Dates"):

* ``GET /orders`` with ``filters[status]=shipped``,
  ``filters[status_updated_at:gte]`` / ``:lt``, ``sort=status_updated_at``,
  ``sort_direction=asc``; dates ISO 8601 in UTC (API specification,
  filter syntax; public client code pulls shipped orders exactly so).
  Read: ``order_number``, ``status``, ``lines[].product.item_number``,
  ``lines[].quantity.amount``, ``shipment.shipped_at`` (public client code
  reads the shipment this way; else ``status_updated_at``).
* ``GET /products`` with ``filters[item_number:eq]``: ``id``,
  ``item_number`` (public client code looks products up so).
* ``GET /inventory/adjustments``: ``id``, ``date``, ``lines[]`` with
  ``product_id``, ``quantity``, ``cost`` (documentation "Inventory
  Adjustments"; public client code writes these line fields and reads the
  resource; the read shape is taken as the write shape plus ``id`` and
  ``date``, which ``testInventoryConnection`` checks on a real account).
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator, Callable, Iterable
from decimal import Decimal
from typing import Any

import httpx

from service.connectors.goflow import shapes
from service.connectors.inventory import (
    CostSample,
    InventoryDataError,
    InventoryHttpClient,
    InventorySystemError,
    ShippedUnits,
    Sleep,
    decode_json,
    latest_sample,
    send_with_retry,
)

SOURCE = "goflow"
CostHistory = dict[int, list[tuple[dt.datetime, Decimal | None]]]


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _stamp(t: dt.datetime) -> str:
    return t.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def cost_at(history: CostHistory, product_id: int, when: dt.datetime) -> Decimal | None:
    """The product's latest adjustment cost on or before ``when``."""
    best: tuple[dt.datetime, Decimal | None] | None = None
    for stamp, cost in history.get(product_id, []):
        if stamp <= when and (best is None or stamp >= best[0]):
            best = (stamp, cost)
    return None if best is None else best[1]


class GoflowClient(InventoryHttpClient):
    """One Goflow account. ``base_url`` points it at a fake in tests;
    ``sleep`` and ``now`` are injectable so tests neither wait nor depend on
    the clock."""

    def __init__(
        self,
        subdomain: str,
        token: str,
        base_url: str | None = None,
        *,
        beta_contact: str | None = None,
        http: httpx.AsyncClient | None = None,
        sleep: Sleep = asyncio.sleep,
        max_retries: int = 6,
        now: Callable[[], dt.datetime] = _utcnow,
    ) -> None:
        self.subdomain = subdomain
        self.base = (base_url or f"https://{subdomain}.api.goflow.com").rstrip("/")
        self.headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
        if beta_contact:
            self.headers["X-Beta-Contact"] = beta_contact
        super().__init__(http, sleep, max_retries)
        self.now = now

    async def _list(
        self, resource: str, params: dict[str, str | list[str]] | None
    ) -> AsyncIterator[dict[str, Any]]:
        """Every item of a list, following ``next``."""
        url: str | None = f"{self.base}/v1/{resource}"
        query = params
        while url is not None:
            if not url.startswith(f"{self.base}/"):
                # Never send the token to a host other than the account's.
                raise InventorySystemError(f"Goflow pointed the next page elsewhere: {url}")
            response = await send_with_retry(
                self.http,
                url,
                system="Goflow",
                headers=self.headers,
                params=query,
                sleep=self.sleep,
                max_retries=self.max_retries,
            )
            assert response is not None  # not_found_ok is off
            page = decode_json(response)
            data = page.get("data") if isinstance(page, dict) else None
            if not isinstance(data, list):
                raise InventoryDataError(f"{resource} page.data", "missing or not a list")
            for item in data:
                if not isinstance(item, dict):
                    raise InventoryDataError(f"{resource} page.data[]", "not an object")
                yield item
            nxt = page.get("next")
            url = nxt if isinstance(nxt, str) and nxt else None
            query = None  # ``next`` carries the query

    async def shipped_orders(self, begin: dt.datetime, end: dt.datetime) -> list[dict[str, Any]]:
        params: dict[str, str | list[str]] = {
            "filters[status]": "shipped",
            "filters[status_updated_at:gte]": _stamp(begin),
            "filters[status_updated_at:lt]": _stamp(end),
            "sort": "status_updated_at",
            "sort_direction": "asc",
        }
        return [o async for o in self._list("orders", params)]

    async def product_ids(self, item_numbers: Iterable[str]) -> dict[str, int]:
        """Goflow's product id of each item number it knows."""
        out: dict[str, int] = {}
        for item in sorted(set(item_numbers)):
            async for product in self._list("products", {"filters[item_number:eq]": item}):
                if product.get("item_number") == item:
                    out[item] = shapes.product_id(product)
        return out

    async def cost_history(self) -> CostHistory:
        """Every adjustment cost, by product id, oldest first."""
        out: CostHistory = {}
        async for adjustment in self._list("inventory/adjustments", None):
            for product_id, stamp, cost in shapes.adjustment_costs(adjustment):
                out.setdefault(product_id, []).append((stamp, cost))
        return out

    async def shipped_units(self, begin: dt.date, end: dt.date) -> list[ShippedUnits]:
        """Every unit of orders shipped between two days, at the product's
        cost on its ship date."""
        lo = dt.datetime.combine(begin, dt.time(), dt.UTC)
        hi = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), dt.UTC)
        lines = [
            ln for order in await self.shipped_orders(lo, hi) for ln in shapes.order_lines(order)
        ]
        if not lines:
            return []
        ids = await self.product_ids(ln.item_number for ln in lines)
        history = await self.cost_history()
        out: list[ShippedUnits] = []
        for ln in lines:
            pid = ids.get(ln.item_number)
            cost = None if pid is None else cost_at(history, pid, ln.shipped_at)
            out.append(
                ShippedUnits(
                    ln.order_ref, ln.item_number, ln.units, cost, ln.shipped_at.date(), SOURCE
                )
            )
        return out

    async def sample_cost(self) -> CostSample | None:
        """The cost of the latest order shipped in the last 30 days, or None."""
        today = self.now().date()
        rows = await self.shipped_units(today - dt.timedelta(days=29), today)
        return latest_sample(
            rows,
            "Goflow product cost at the ship date (inventory adjustments lines[].cost); "
            "Goflow publishes no cost per order",
        )
