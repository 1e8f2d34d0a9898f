"""PayPal REST client for the Transaction Search API.

Endpoints (PayPal developer docs, "Transaction Search API Integration
Guide" and "Authentication"):

* ``POST /v1/oauth2/token`` with HTTP Basic ``client_id:secret`` and
  ``grant_type=client_credentials``: a Bearer access token and its
  ``expires_in`` seconds.
* ``GET /v1/reporting/transactions?start_date&end_date&fields&page_size&page``:
  ``transaction_details[].transaction_info`` of one page, with ``page`` and
  ``total_pages``. PayPal refuses a range longer than 31 days and a
  ``page_size`` above 500, so a longer span is read window by window.

Live host ``https://api-m.paypal.com``, sandbox ``https://api-m.sandbox.paypal.com``.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx

from service.connectors.processor_http import (
    ProcessorDataError,
    ProcessorHttpClient,
    Sleep,
)

DEFAULT_BASE_URL = "https://api-m.paypal.com"
MAX_WINDOW = dt.timedelta(days=31)
PAGE_SIZE = 500


def windows(start: dt.datetime, end: dt.datetime) -> list[tuple[dt.datetime, dt.datetime]]:
    """Ranges of at most 31 days covering ``start..end`` (each ends where the next starts)."""
    out: list[tuple[dt.datetime, dt.datetime]] = []
    lo = start
    while lo < end:
        hi = min(lo + MAX_WINDOW, end)
        out.append((lo, hi))
        lo = hi
    return out


def _stamp(at: dt.datetime) -> str:
    """PayPal's date-time form: ``2024-01-31T00:00:00Z`` (UTC)."""
    return at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class PayPalClient(ProcessorHttpClient):
    system = "PayPal"

    def __init__(
        self,
        client_id: str,
        client_secret: str,
        base_url: str | None = None,
        *,
        http: httpx.AsyncClient | None = None,
        sleep: Sleep = asyncio.sleep,
        max_retries: int = 6,
        page_size: int = PAGE_SIZE,
    ) -> None:
        super().__init__(http, sleep, max_retries)
        self.root = (base_url or DEFAULT_BASE_URL).rstrip("/")
        self._basic = httpx.BasicAuth(client_id, client_secret)
        self.page_size = page_size
        self._token: str | None = None
        self._token_until = 0.0

    async def _bearer(self) -> str:
        """An access token, asked again a minute before it expires."""
        if self._token is not None and time.monotonic() < self._token_until:
            return self._token
        body = await self.send(
            "POST",
            f"{self.root}/v1/oauth2/token",
            headers={"Accept": "application/json"},
            data={"grant_type": "client_credentials"},
            auth=self._basic,
        )
        token = body.get("access_token") if isinstance(body, dict) else None
        if not isinstance(token, str) or not token:
            raise ProcessorDataError("oauth2/token.access_token", "missing")
        expires = body.get("expires_in")
        life = float(expires) if isinstance(expires, int | float) else 300.0
        self._token, self._token_until = token, time.monotonic() + max(0.0, life - 60)
        return token

    async def _page(self, lo: dt.datetime, hi: dt.datetime, page: int) -> dict[str, Any]:
        token = await self._bearer()
        body = await self.send(
            "GET",
            f"{self.root}/v1/reporting/transactions",
            headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
            params={
                "start_date": _stamp(lo),
                "end_date": _stamp(hi),
                "fields": "transaction_info",
                "page_size": str(self.page_size),
                "page": str(page),
            },
        )
        if not isinstance(body, dict):
            raise ProcessorDataError("reporting/transactions", "not an object")
        return body

    async def transactions(
        self, start: dt.datetime, end: dt.datetime
    ) -> AsyncIterator[dict[str, Any]]:
        """Every ``transaction_info`` between two instants, window by window."""
        for lo, hi in windows(start, end):
            page, total = 1, 1
            while page <= total:
                body = await self._page(lo, hi, page)
                for i, detail in enumerate(body.get("transaction_details") or []):
                    info = detail.get("transaction_info") if isinstance(detail, dict) else None
                    if not isinstance(info, dict):
                        raise ProcessorDataError(
                            f"transaction_details[{i}].transaction_info", "not an object"
                        )
                    yield info
                pages = body.get("total_pages", 1)
                total = pages if isinstance(pages, int) and pages >= 0 else 1
                page += 1
