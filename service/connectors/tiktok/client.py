"""TikTok Shop Open API client (version 202309): tokens, finance, orders.

Endpoints (TikTok Shop Partner Center API reference, version 202309):

* Token refresh: ``GET https://auth.tiktok-shops.com/api/v2/token/refresh
  ?app_key&app_secret&refresh_token&grant_type=refresh_token`` ->
  ``{code, message, data: {access_token, access_token_expire_in,
  refresh_token, refresh_token_expire_in}}`` (expiry as Unix seconds).
* Every API call: ``https://open-api.tiktokglobalshop.com{path}?app_key
  &timestamp&shop_cipher&sign`` with header ``x-tts-access-token``; the
  answer is ``{code, message, request_id, data}``, ``code`` 0 on success
  (106001: the sign is wrong; 105002: the access token has expired).
* Finance: ``GET /finance/202309/statements`` (``sort_field=
  statement_time``, ``statement_time_ge``/``_lt``, ``page_size`` 1..100,
  ``page_token``) -> ``data.statements[{id, statement_time,
  settlement_amount, currency, revenue_amount, fee_amount,
  adjustment_amount, payment_status, payment_id}]``, ``next_page_token``;
  ``GET /finance/202309/statements/{id}/statement_transactions``
  (``sort_field=order_create_time``) -> ``data.statement_transactions``;
  ``GET /finance/202309/orders/{order_id}/statement_transactions`` ->
  ``data.statement_transactions[].sku_statement_transactions[{sku_id,
  quantity}]``; ``GET /finance/202309/payments`` (``sort_field=
  create_time``) -> ``data.payments[{id, create_time, status, amount:
  {value, currency}, paid_time}]``; ``GET /finance/202309/withdrawals``
  (``types``) -> ``data.withdrawals[{id, type, amount, currency, status,
  create_time}]``.
* Orders: ``GET /order/202309/orders?ids=`` (Get Order Detail, at most 50
  ids) -> ``data.orders[{id, status, fulfillment_type
  (FULFILLMENT_BY_SELLER | FULFILLMENT_BY_TIKTOK), line_items[{sku_id,
  seller_sku}]}]``: one line item per unit.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx

from service.connectors.retry import RetryLater
from service.connectors.tiktok.signing import signature

API_URL = "https://open-api.tiktokglobalshop.com"
AUTH_URL = "https://auth.tiktok-shops.com"
PAGE_SIZE = 100
MAX_PAGES = 1000
EXPIRED = 105002


class TikTokError(RuntimeError):
    def __init__(self, message: str, *, auth: bool = False) -> None:
        super().__init__(message)
        self.auth = auth


@dataclass(frozen=True, slots=True)
class ShopCredentials:
    app_key: str
    app_secret: str
    access_token: str
    refresh_token: str
    shop_cipher: str


class TikTokClient:
    def __init__(
        self,
        credentials: ShopCredentials,
        *,
        api_url: str = API_URL,
        auth_url: str = AUTH_URL,
        http: httpx.AsyncClient | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.credentials = credentials
        self.api_url = api_url.rstrip("/")
        self.auth_url = auth_url.rstrip("/")
        self.http = http or httpx.AsyncClient(timeout=30.0)
        self.clock = clock
        self.refreshed = False

    async def aclose(self) -> None:
        await self.http.aclose()

    async def refresh(self) -> ShopCredentials:
        """A new access token (and refresh token) for the shop."""
        c = self.credentials
        resp = await self.http.get(
            f"{self.auth_url}/api/v2/token/refresh",
            params={
                "app_key": c.app_key,
                "app_secret": c.app_secret,
                "refresh_token": c.refresh_token,
                "grant_type": "refresh_token",
            },
        )
        body = _json(resp)
        data = body.get("data") or {}
        if body.get("code") != 0 or not isinstance(data.get("access_token"), str):
            raise TikTokError(f"TikTok Shop refused the refresh: {body.get('message')}", auth=True)
        self.credentials = ShopCredentials(
            c.app_key, c.app_secret, data["access_token"], data["refresh_token"], c.shop_cipher
        )
        self.refreshed = True
        return self.credentials

    async def call(
        self,
        method: str,
        path: str,
        params: dict[str, str] | None = None,
        body: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """One signed call; an expired access token is refreshed once."""
        for attempt in (1, 2):
            answer = await self._signed(method, path, params or {}, body)
            if answer.get("code") == EXPIRED and attempt == 1:
                await self.refresh()
                continue
            if answer.get("code") != 0:
                auth = answer.get("code") in (EXPIRED, 106001, 105001)
                raise TikTokError(
                    f"TikTok Shop answered {answer.get('code')}: {answer.get('message')}",
                    auth=auth,
                )
            data: dict[str, Any] = answer.get("data") or {}
            return data
        raise TikTokError("TikTok Shop refused the refreshed access token", auth=True)

    async def _signed(
        self, method: str, path: str, params: dict[str, str], body: dict[str, Any] | None
    ) -> dict[str, Any]:
        c = self.credentials
        query = {
            **params,
            "app_key": c.app_key,
            "timestamp": str(int(self.clock())),
            "shop_cipher": c.shop_cipher,
        }
        raw = json.dumps(body, separators=(",", ":")).encode() if body is not None else b""
        query["sign"] = signature(c.app_secret, path, query, raw)
        headers = {"x-tts-access-token": c.access_token, "content-type": "application/json"}
        resp = await self.http.request(
            method, f"{self.api_url}{path}", params=query, content=raw or None, headers=headers
        )
        if resp.status_code == 429:
            raise RetryLater(5.0, "TikTok Shop's rate limit")
        return _json(resp)

    async def _pages(
        self,
        path: str,
        params: dict[str, str],
        key: str,
        method: str = "GET",
        body: dict[str, Any] | None = None,
    ) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        token = ""
        for _ in range(MAX_PAGES):
            page = {**params, "page_size": str(PAGE_SIZE)}
            if token:
                page["page_token"] = token
            data = await self.call(method, path, page, body)
            out.extend(data.get(key) or [])
            token = str(data.get("next_page_token") or "")
            if not token:
                return out
        raise TikTokError(f"TikTok Shop kept answering more pages of {key}")

    async def statements(self, since: int | None = None) -> list[dict[str, Any]]:
        params = {"sort_field": "statement_time"}
        if since is not None:
            params["statement_time_ge"] = str(since)
        return await self._pages("/finance/202309/statements", params, "statements")

    async def statement_transactions(self, statement_id: str) -> list[dict[str, Any]]:
        return await self._pages(
            f"/finance/202309/statements/{statement_id}/statement_transactions",
            {"sort_field": "order_create_time"},
            "statement_transactions",
        )

    async def order_statement_transactions(self, order_id: str) -> list[dict[str, Any]]:
        data = await self.call("GET", f"/finance/202309/orders/{order_id}/statement_transactions")
        rows: list[dict[str, Any]] = data.get("statement_transactions") or []
        return rows

    async def payments(self, since: int | None = None) -> list[dict[str, Any]]:
        params = {"sort_field": "create_time"}
        if since is not None:
            params["create_time_ge"] = str(since)
        return await self._pages("/finance/202309/payments", params, "payments")

    async def withdrawals(self, since: int | None = None) -> list[dict[str, Any]]:
        params = {"types": "WITHDRAW,SETTLE,TRANSFER,REVERSE"}
        if since is not None:
            params["create_time_ge"] = str(since)
        return await self._pages("/finance/202309/withdrawals", params, "withdrawals")

    async def orders(self, order_ids: list[str]) -> list[dict[str, Any]]:
        """Order details by id (Get Order Detail takes at most 50 ids a call)."""
        out: list[dict[str, Any]] = []
        for start in range(0, len(order_ids), 50):
            ids = ",".join(order_ids[start : start + 50])
            data = await self.call("GET", "/order/202309/orders", {"ids": ids})
            out += data.get("orders") or []
        return out


def _json(resp: httpx.Response) -> dict[str, Any]:
    try:
        body = resp.json()
    except ValueError:
        return {"code": -1, "message": f"HTTP {resp.status_code}, not JSON"}
    return body if isinstance(body, dict) else {"code": -1, "message": "unexpected answer"}
