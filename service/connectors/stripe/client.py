"""Stripe REST client for balance transactions and payouts.

Endpoints (Stripe API reference, "List all balance transactions", "List
all payouts", "Pagination", "Expanding responses", "Authentication"):

* ``GET /v1/balance_transactions?limit&starting_after&created[gte]&expand[]=data.source``
* ``GET /v1/payouts?limit&starting_after&created[gte]``

Both are lists ``{"object": "list", "data": [...], "has_more": bool}``,
newest first, paged with ``starting_after`` (the last id of the page);
``limit`` is 1 to 100. The secret key is sent as a Bearer token.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator
from typing import Any

import httpx

from service.connectors.processor_http import ProcessorDataError, ProcessorHttpClient, Sleep

DEFAULT_BASE_URL = "https://api.stripe.com"
PAGE_SIZE = 100


class StripeClient(ProcessorHttpClient):
    system = "Stripe"

    def __init__(
        self,
        secret_key: str,
        base_url: str | None = None,
        *,
        http: httpx.AsyncClient | None = None,
        sleep: Sleep = asyncio.sleep,
        max_retries: int = 6,
        page_size: int = PAGE_SIZE,
    ) -> None:
        super().__init__(http, sleep, max_retries)
        self.root = (base_url or DEFAULT_BASE_URL).rstrip("/")
        self._headers = {"Authorization": f"Bearer {secret_key}", "Accept": "application/json"}
        self.page_size = page_size

    async def _list(
        self, path: str, params: dict[str, str | list[str]]
    ) -> AsyncIterator[dict[str, Any]]:
        after: str | None = None
        while True:
            query = dict(params, limit=str(self.page_size))
            if after is not None:
                query["starting_after"] = after
            body = await self.send("GET", f"{self.root}{path}", headers=self._headers, params=query)
            if not isinstance(body, dict) or not isinstance(body.get("data"), list):
                raise ProcessorDataError(path, "not a list object")
            for i, item in enumerate(body["data"]):
                if not isinstance(item, dict) or not isinstance(item.get("id"), str):
                    raise ProcessorDataError(f"{path}.data[{i}]", "not an object with an id")
                yield item
                after = item["id"]
            if not body.get("has_more") or not body["data"]:
                return

    def balance_transactions(
        self,
        since: dt.datetime | None,
        payout: str | None = None,
        *,
        until: dt.datetime | None = None,
    ) -> AsyncIterator[dict[str, Any]]:
        """Balance transactions created in ``[since, until)`` (or of one payout),
        each with its source object expanded (the charge, refund or dispute)."""
        params = _created(since, until)
        params["expand[]"] = ["data.source"]
        if payout is not None:
            params["payout"] = payout
        return self._list("/v1/balance_transactions", params)

    def payouts(
        self, since: dt.datetime | None, *, until: dt.datetime | None = None
    ) -> AsyncIterator[dict[str, Any]]:
        """Payouts created in ``[since, until)``."""
        return self._list("/v1/payouts", _created(since, until))


def _created(since: dt.datetime | None, until: dt.datetime | None) -> dict[str, str | list[str]]:
    params: dict[str, str | list[str]] = {}
    if since is not None:
        params["created[gte]"] = str(int(since.timestamp()))
    if until is not None:
        params["created[lt]"] = str(int(until.timestamp()))
    return params
