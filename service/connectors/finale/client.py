"""Finale Inventory REST client for order-line costs.

Finale authenticates every request with HTTP Basic (API key : API secret)
under the account path ``https://app.finaleinventory.com/{account}/api/``.
Orders are fetched one by one by id; changes since a time come from the
order collection filtered by ``lastUpdatedDate``, which Finale accepts only
as a closed range of at most 30 days, so longer spans are walked in
windows. The filter is Base64-encoded JSON in the ``filter`` parameter.
"""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import json
from collections.abc import Callable, Sequence
from typing import Any
from urllib.parse import quote

import httpx

from service.connectors.finale.normalize import order_line_costs, rows
from service.connectors.inventory import (
    InventoryDataError,
    InventoryHttpClient,
    InventoryLineCost,
    Sleep,
    decode_json,
    get_with_retry,
)

DEFAULT_BASE_URL = "https://app.finaleinventory.com"
MAX_FILTER_SPAN = dt.timedelta(days=30)


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _iso(t: dt.datetime) -> str:
    return t.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def encode_filter(spec: dict[str, list[str | None]]) -> str:
    return base64.b64encode(json.dumps(spec, separators=(",", ":")).encode()).decode()


class FinaleClient(InventoryHttpClient):
    """One Finale account. ``base_url`` points it at a fake in tests;
    ``sleep`` and ``now`` are injectable so tests neither wait nor depend
    on the clock."""

    def __init__(
        self,
        account: str,
        api_key: str,
        api_secret: str,
        base_url: str | None = None,
        *,
        currency: str = "USD",
        http: httpx.AsyncClient | None = None,
        sleep: Sleep = asyncio.sleep,
        max_retries: int = 6,
        now: Callable[[], dt.datetime] = _utcnow,
    ) -> None:
        self.account = account
        self.currency = currency
        self.api_root = (
            f"{(base_url or DEFAULT_BASE_URL).rstrip('/')}/{quote(account, safe='')}/api"
        )
        self._auth = httpx.BasicAuth(api_key, api_secret)
        super().__init__(http, sleep, max_retries)
        self.now = now

    async def _get(self, url: str, params: dict[str, str] | None = None) -> Any:
        response = await get_with_retry(
            self.http,
            url,
            system="Finale Inventory",
            headers={"Accept": "application/json"},
            params=params,
            auth=self._auth,
            sleep=self.sleep,
            max_retries=self.max_retries,
            not_found_ok=True,
        )
        return None if response is None else decode_json(response)

    async def order_line_costs(
        self, order_refs: Sequence[str]
    ) -> dict[str, tuple[InventoryLineCost, ...]]:
        """Costs of every line of each order. An order Finale does not know
        (404), a purchase order or a cancelled one maps to ``()``: no cost
        from Finale, so the lines fall through to product costing."""
        out: dict[str, tuple[InventoryLineCost, ...]] = {}
        for ref in dict.fromkeys(order_refs):
            order = await self._get(f"{self.api_root}/order/{quote(ref, safe='')}")
            if order is None:
                out[ref] = ()
                continue
            if not isinstance(order, dict):
                raise InventoryDataError(f"order {ref}", "not an object")
            out[ref] = order_line_costs(order, self.currency, order_ref=ref)
        return out

    async def costs_updated_since(
        self, since: dt.datetime
    ) -> dict[str, tuple[InventoryLineCost, ...]]:
        """Line costs of every sales order changed since ``since`` (a bill
        entered late changes the cost: this is how a resync finds it)."""
        if since.tzinfo is None:
            raise ValueError("since must be timezone-aware")
        end = self.now()
        out: dict[str, tuple[InventoryLineCost, ...]] = {}
        lo = since
        while lo < end:
            hi = min(lo + MAX_FILTER_SPAN, end)
            spec: dict[str, list[str | None]] = {
                "lastUpdatedDate": [_iso(lo), _iso(hi)],
                "orderTypeId": ["SALES_ORDER", "SALES_ORDER"],
            }
            page = await self._get(f"{self.api_root}/order/", {"filter": encode_filter(spec)})
            if page is not None:
                if not isinstance(page, dict):
                    raise InventoryDataError("order collection", "not an object")
                for order in rows(page):
                    costs = order_line_costs(order, self.currency)
                    out[str(order["orderId"])] = costs
            lo = hi
        return out
