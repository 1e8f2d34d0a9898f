"""Selling Partner API client: Login with Amazon tokens, settlement reports, orders.

Endpoints (Selling Partner API documentation):

* LWA token exchange, "Connecting to the Selling Partner API": ``POST
  https://api.amazon.com/auth/o2/token`` form-encoded ``grant_type=
  refresh_token``, ``refresh_token``, ``client_id``, ``client_secret``;
  answers ``{access_token, token_type, expires_in, refresh_token}`` or
  ``{error, error_description}``. The access token goes in the
  ``x-amz-access-token`` header of every call and lives an hour.
* Reports API 2021-06-30: ``GET /reports/2021-06-30/reports?reportTypes=
  GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2&processingStatuses=DONE
  &pageSize=100[&createdSince=]`` -> ``{reports: [{reportId, reportType,
  dataStartTime, dataEndTime, processingStatus, reportDocumentId}],
  nextToken}``; the next page is asked with ``nextToken`` as the only
  parameter. ``GET /reports/2021-06-30/documents/{reportDocumentId}`` ->
  ``{reportDocumentId, url, compressionAlgorithm?}``; the document itself
  is fetched from ``url`` (gzip when ``compressionAlgorithm`` is GZIP).
  Settlement reports are written by Amazon on its own schedule: they are
  listed and downloaded, never requested.
* Orders API v0: ``GET /orders/v0/orders?MarketplaceIds=&LastUpdatedAfter=``
  -> ``{payload: {Orders: [{AmazonOrderId, FulfillmentChannel (AFN|MFN),
  OrderStatus, PurchaseDate}], NextToken}}`` and ``GET
  /orders/v0/orders/{id}/orderItems`` -> ``{payload: {OrderItems:
  [{SellerSKU, QuantityOrdered, QuantityShipped}], NextToken}}``.

Errors come as ``{errors: [{code, message, details}]}``; 429 asks to wait.
"""

from __future__ import annotations

import datetime as dt
import gzip
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx

from service.connectors.retry import RetryLater

SETTLEMENT_REPORT = "GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2"
LWA_URL = "https://api.amazon.com/auth/o2/token"
REGION_URLS = {
    "na": "https://sellingpartnerapi-na.amazon.com",
    "eu": "https://sellingpartnerapi-eu.amazon.com",
    "fe": "https://sellingpartnerapi-fe.amazon.com",
}
MAX_DOCUMENT_BYTES = 200 * 1024 * 1024
MAX_PAGES = 1000
INLINE_WAIT = 5.0

Sleep = Callable[[float], Awaitable[None]]


class AmazonError(RuntimeError):
    """Amazon refused a call; ``auth`` when the credentials are the reason."""

    def __init__(self, message: str, *, auth: bool = False) -> None:
        super().__init__(message)
        self.auth = auth


@dataclass(frozen=True, slots=True)
class Credentials:
    client_id: str
    client_secret: str
    refresh_token: str


@dataclass(frozen=True, slots=True)
class ReportRef:
    report_id: str
    document_id: str
    data_start: str
    data_end: str


@dataclass(frozen=True, slots=True)
class OrderFacts:
    """What the Orders API adds to a settlement: fulfilment channel and units."""

    order_id: str
    fulfillment_channel: str  # AFN or MFN
    status: str
    purchased: str
    units: tuple[tuple[str, int], ...]  # (seller SKU, quantity shipped)


def _errors(body: Any) -> str:
    if isinstance(body, dict):
        if isinstance(body.get("errors"), list):
            return "; ".join(
                f"{e.get('code', '')}: {e.get('message', '')}"
                for e in body["errors"]
                if isinstance(e, dict)
            )
        if "error" in body:
            return f"{body.get('error')}: {body.get('error_description', '')}"
    return "unexpected answer"


class AmazonClient:
    def __init__(
        self,
        base_url: str,
        credentials: Credentials,
        *,
        lwa_url: str = LWA_URL,
        http: httpx.AsyncClient | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.lwa_url = lwa_url
        self.credentials = credentials
        self.http = http or httpx.AsyncClient(timeout=30.0)
        self._token: str | None = None

    async def aclose(self) -> None:
        await self.http.aclose()

    async def access_token(self) -> str:
        """Exchange the refresh token for an access token (kept for this client)."""
        if self._token is None:
            c = self.credentials
            resp = await self.http.post(
                self.lwa_url,
                data={
                    "grant_type": "refresh_token",
                    "refresh_token": c.refresh_token,
                    "client_id": c.client_id,
                    "client_secret": c.client_secret,
                },
            )
            body = _json(resp)
            if resp.status_code != 200 or not isinstance(body.get("access_token"), str):
                raise AmazonError(f"Login with Amazon refused: {_errors(body)}", auth=True)
            self._token = body["access_token"]
        return self._token

    async def _get(self, path: str, params: dict[str, str]) -> dict[str, Any]:
        token = await self.access_token()
        resp = await self.http.get(
            f"{self.base_url}{path}", params=params, headers={"x-amz-access-token": token}
        )
        if resp.status_code == 429:
            raise RetryLater(INLINE_WAIT, "Amazon's rate limit")
        body = _json(resp)
        if resp.status_code in (401, 403):
            raise AmazonError(f"Amazon refused access: {_errors(body)}", auth=True)
        if resp.status_code != 200:
            raise AmazonError(f"Amazon answered {resp.status_code}: {_errors(body)}")
        return body

    async def settlement_reports(self, created_since: dt.datetime | None) -> list[ReportRef]:
        """Every settlement report Amazon has finished (since a moment)."""
        params: dict[str, str] = {
            "reportTypes": SETTLEMENT_REPORT,
            "processingStatuses": "DONE",
            "pageSize": "100",
        }
        if created_since is not None:
            params["createdSince"] = created_since.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        out: list[ReportRef] = []
        for _ in range(MAX_PAGES):
            body = await self._get("/reports/2021-06-30/reports", params)
            for r in body.get("reports") or []:
                if r.get("reportType") == SETTLEMENT_REPORT and r.get("reportDocumentId"):
                    out.append(
                        ReportRef(
                            str(r["reportId"]),
                            str(r["reportDocumentId"]),
                            str(r.get("dataStartTime", "")),
                            str(r.get("dataEndTime", "")),
                        )
                    )
            token = body.get("nextToken")
            if not token:
                return out
            params = {"nextToken": str(token)}
        raise AmazonError("Amazon kept answering more pages of reports")

    async def report_document(self, document_id: str) -> bytes:
        """The report's file, unzipped when Amazon compressed it."""
        doc = await self._get(f"/reports/2021-06-30/documents/{document_id}", {})
        url = doc.get("url")
        if not isinstance(url, str):
            raise AmazonError(f"report document {document_id} has no url")
        async with self.http.stream("GET", url) as resp:
            if resp.status_code != 200:
                raise AmazonError(f"report document {document_id}: download {resp.status_code}")
            chunks: list[bytes] = []
            size = 0
            async for chunk in resp.aiter_bytes():
                size += len(chunk)
                if size > MAX_DOCUMENT_BYTES:
                    raise AmazonError(f"report document {document_id} is too large")
                chunks.append(chunk)
        raw = b"".join(chunks)
        if str(doc.get("compressionAlgorithm", "")).upper() == "GZIP":
            raw = gzip.decompress(raw)
        return raw

    async def orders(
        self, marketplace_ids: list[str], updated_after: dt.datetime
    ) -> list[OrderFacts]:
        """Orders updated since a moment, with their shipped units per SKU."""
        params = {
            "MarketplaceIds": ",".join(marketplace_ids),
            "LastUpdatedAfter": updated_after.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        }
        out: list[OrderFacts] = []
        for _ in range(MAX_PAGES):
            payload = (await self._get("/orders/v0/orders", params)).get("payload") or {}
            for o in payload.get("Orders") or []:
                out.append(await self._order(o))
            token = payload.get("NextToken")
            if not token:
                return out
            params = {"MarketplaceIds": params["MarketplaceIds"], "NextToken": str(token)}
        raise AmazonError("Amazon kept answering more pages of orders")

    async def _order(self, o: dict[str, Any]) -> OrderFacts:
        order_id = str(o["AmazonOrderId"])
        units: list[tuple[str, int]] = []
        params: dict[str, str] = {}
        for _ in range(MAX_PAGES):
            body = await self._get(f"/orders/v0/orders/{order_id}/orderItems", params)
            payload = body.get("payload") or {}
            for item in payload.get("OrderItems") or []:
                shipped = int(item.get("QuantityShipped") or 0)
                units.append((str(item.get("SellerSKU", "")), shipped))
            token = payload.get("NextToken")
            if not token:
                break
            params = {"NextToken": str(token)}
        return OrderFacts(
            order_id,
            str(o.get("FulfillmentChannel", "")),
            str(o.get("OrderStatus", "")),
            str(o.get("PurchaseDate", "")),
            tuple(units),
        )


def _json(resp: httpx.Response) -> dict[str, Any]:
    try:
        body = resp.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}
