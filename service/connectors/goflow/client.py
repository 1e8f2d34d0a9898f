"""Goflow REST client for order-line costs.

Goflow authenticates with ``Authorization: Bearer {token}`` at
``https://{subdomain}.api.goflow.com/v1/``. Lists answer
``{"data": [...], "next": url-or-null}``; ``next`` is followed until null.
Filters repeat a key to mean "any of" (``filters[order_number]=a&
filters[order_number]=b``), so order references are asked for in batches.
Beta endpoints need an ``X-Beta-Contact`` e-mail header; it is sent when
given.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Sequence
from typing import Any

import httpx

from service.connectors.goflow.normalize import order_line_costs, order_ref
from service.connectors.inventory import (
    InventoryDataError,
    InventoryHttpClient,
    InventoryLineCost,
    InventorySystemError,
    Sleep,
    decode_json,
    get_with_retry,
)

BATCH = 50


class GoflowClient(InventoryHttpClient):
    """One Goflow account. ``base_url`` points it at a fake in tests;
    ``sleep`` is injectable so tests see the waits without waiting."""

    def __init__(
        self,
        subdomain: str,
        token: str,
        base_url: str | None = None,
        *,
        currency: str = "USD",
        beta_contact: str | None = None,
        http: httpx.AsyncClient | None = None,
        sleep: Sleep = asyncio.sleep,
        max_retries: int = 6,
        batch_size: int = BATCH,
    ) -> None:
        self.subdomain = subdomain
        self.currency = currency
        self.base = (base_url or f"https://{subdomain}.api.goflow.com").rstrip("/")
        self.headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
        if beta_contact:
            self.headers["X-Beta-Contact"] = beta_contact
        super().__init__(http, sleep, max_retries)
        self.batch_size = batch_size

    async def _orders(self, params: dict[str, str | list[str]]) -> list[dict[str, Any]]:
        """Every order of a filtered list, following ``next``."""
        url: str | None = f"{self.base}/v1/orders"
        query: dict[str, str | list[str]] | None = params
        out: list[dict[str, Any]] = []
        while url is not None:
            if not url.startswith(f"{self.base}/"):
                # Never send the token to a host other than the account's.
                raise InventorySystemError(f"Goflow pointed the next page elsewhere: {url}")
            response = await get_with_retry(
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
                raise InventoryDataError("orders page.data", "missing or not a list")
            out.extend(o for o in data if isinstance(o, dict))
            nxt = page.get("next")
            url = nxt if isinstance(nxt, str) and nxt else None
            query = None  # ``next`` carries the query
        return out

    async def order_line_costs(
        self, order_refs: Sequence[str]
    ) -> dict[str, tuple[InventoryLineCost, ...]]:
        """Costs of every line of each order; an order Goflow does not have
        maps to ``()`` so its lines fall through to product costing."""
        refs = list(dict.fromkeys(order_refs))
        out: dict[str, tuple[InventoryLineCost, ...]] = {ref: () for ref in refs}
        seen: set[object] = set()
        for start in range(0, len(refs), self.batch_size):
            batch = refs[start : start + self.batch_size]
            for order in await self._orders({"filters[order_number]": batch}):
                ref = order_ref(order)
                key = order.get("id", id(order))
                if ref in out and key not in seen:
                    # One channel order can be split into several Goflow orders.
                    seen.add(key)
                    out[ref] = out[ref] + order_line_costs(order, self.currency)
        return out

    async def costs_updated_since(
        self, since: dt.datetime
    ) -> dict[str, tuple[InventoryLineCost, ...]]:
        """Line costs of orders whose status changed since ``since`` (an
        order's cost settles when it ships)."""
        if since.tzinfo is None:
            raise ValueError("since must be timezone-aware")
        stamp = since.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        params: dict[str, str | list[str]] = {
            "filters[status_updated_at:gte]": stamp,
            "sort": "status_updated_at",
            "sort_direction": "asc",
        }
        out: dict[str, tuple[InventoryLineCost, ...]] = {}
        for order in await self._orders(params):
            out[order_ref(order)] = order_line_costs(order, self.currency)
        return out
