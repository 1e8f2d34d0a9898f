"""``FakeTikTok``: a local TikTok Shop Open API (version 202309).

It answers as TikTok Shop's Partner Center documentation describes
("Sign your API request", "Get Access Token / Refresh", Finance API
202309: Get Statements, Get Statement Transactions, Get Order Statement
Transactions, Get Payments, Get Withdrawals; Order API 202309: Get Order
Detail):

* every call carries ``app_key``, ``timestamp`` (seconds, within five
  minutes), ``shop_cipher`` and ``sign`` in the query and the access token
  in ``x-tts-access-token``; a wrong sign is HTTP 401 with code 106001, an
  expired access token code 105002, any other token 105001;
* answers are ``{code, message, request_id, data}``, code 0 on success;
* ``page_size`` 1..100 (default 20) and ``page_token``; ``sort_field`` is
  required where TikTok requires it (statement_time, order_create_time,
  create_time); withdrawals require ``types``; order details take at most
  50 ``ids``;
* ``GET /api/v2/token/refresh`` trades the refresh token for a new pair.

The signature is checked by the fake's own implementation of the
documented algorithm, not by the client's.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.fakes.local_server import LocalServer


@dataclass
class TikTokShop:
    app_key: str = "6abc123def"
    app_secret: str = "tts-app-secret"
    access_token: str = "ROW_access_1"
    refresh_token: str = "ROW_refresh_1"
    shop_cipher: str = "ROW_cipher_1"
    expired_tokens: set[str] = field(default_factory=set)
    statements: list[dict[str, Any]] = field(default_factory=list)
    transactions: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    payments: list[dict[str, Any]] = field(default_factory=list)
    withdrawals: list[dict[str, Any]] = field(default_factory=list)
    orders: dict[str, dict[str, Any]] = field(default_factory=dict)


def _sign(secret: str, path: str, query: dict[str, str], body: bytes) -> str:
    base = path + "".join(
        f"{k}{query[k]}" for k in sorted(query) if k not in ("sign", "access_token")
    )
    message = secret.encode() + base.encode() + body + secret.encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def _answer(
    data: Any = None, code: int = 0, message: str = "Success", status: int = 200
) -> Response:
    return JSONResponse(
        {"code": code, "message": message, "request_id": secrets.token_hex(8), "data": data},
        status,
    )


class FakeTikTok(LocalServer):
    def __init__(self, shop: TikTokShop) -> None:
        self.shop = shop
        self.calls: list[str] = []
        self.serve_routes(
            [
                Route("/api/v2/token/refresh", self.refresh),
                Route("/finance/202309/statements", self.statements),
                Route(
                    "/finance/202309/statements/{sid}/statement_transactions",
                    self.statement_transactions,
                ),
                Route(
                    "/finance/202309/orders/{oid}/statement_transactions",
                    self.order_transactions,
                ),
                Route("/finance/202309/payments", self.payments),
                Route("/finance/202309/withdrawals", self.withdrawals),
                Route("/order/202309/orders", self.order_detail),
            ]
        )

    async def refresh(self, request: Request) -> Response:
        q, s = request.query_params, self.shop
        if q.get("app_key") != s.app_key or q.get("app_secret") != s.app_secret:
            return _answer(None, 36004004, "invalid app_key or app_secret")
        if q.get("grant_type") != "refresh_token" or q.get("refresh_token") != s.refresh_token:
            return _answer(None, 36004006, "invalid refresh_token")
        s.expired_tokens.add(s.access_token)
        s.access_token = "ROW_access_" + secrets.token_hex(6)
        s.refresh_token = "ROW_refresh_" + secrets.token_hex(6)
        now = int(time.time())
        return _answer(
            {
                "access_token": s.access_token,
                "access_token_expire_in": now + 7 * 86400,
                "refresh_token": s.refresh_token,
                "refresh_token_expire_in": now + 60 * 86400,
                "open_id": "open-1",
                "seller_name": "Test shop",
            }
        )

    async def _refused(self, request: Request, required: tuple[str, ...] = ()) -> Response | None:
        self.calls.append(request.url.path)
        q = dict(request.query_params)
        s = self.shop
        if q.get("app_key") != s.app_key:
            return _answer(None, 106002, "Invalid app_key", 401)
        body = await request.body()
        if q.get("sign") != _sign(s.app_secret, request.url.path, q, body):
            return _answer(
                None, 106001, "Invalid credentials. The 'sign' query parameter is invalid.", 401
            )
        if abs(int(q.get("timestamp", "0")) - time.time()) > 300:
            return _answer(None, 106003, "The timestamp is expired", 401)
        token = request.headers.get("x-tts-access-token")
        if token in s.expired_tokens:
            return _answer(None, 105002, "Expired credentials. The access token has expired.", 401)
        if token != s.access_token:
            return _answer(None, 105001, "Invalid credentials. The access token is invalid.", 401)
        if q.get("shop_cipher") != s.shop_cipher:
            return _answer(None, 106011, "Invalid shop_cipher")
        for name in required:
            if not q.get(name):
                return _answer(None, 36009001, f"{name} is required")
        size = int(q.get("page_size", "20") or "0")
        if not 1 <= size <= 100:
            return _answer(None, 36009001, "page_size must be 1..100")
        return None

    @staticmethod
    def _page(request: Request, rows: list[dict[str, Any]], key: str) -> Response:
        q = request.query_params
        size = int(q.get("page_size", "20"))
        start = int(q.get("page_token") or 0)
        data: dict[str, Any] = {key: rows[start : start + size], "total_count": len(rows)}
        data["next_page_token"] = str(start + size) if start + size < len(rows) else ""
        return _answer(data)

    async def statements(self, request: Request) -> Response:
        refused = await self._refused(request, ("sort_field",))
        if refused is not None:
            return refused
        since = int(request.query_params.get("statement_time_ge") or 0)
        rows = [st for st in self.shop.statements if st["statement_time"] >= since]
        return self._page(request, rows, "statements")

    async def statement_transactions(self, request: Request) -> Response:
        refused = await self._refused(request, ("sort_field",))
        if refused is not None:
            return refused
        sid = request.path_params["sid"]
        st = next((x for x in self.shop.statements if x["id"] == sid), None)
        if st is None:
            return _answer(None, 36009003, "statement not found")
        rows = self.shop.transactions.get(sid, [])
        response = self._page(request, rows, "statement_transactions")
        return response

    async def order_transactions(self, request: Request) -> Response:
        refused = await self._refused(request)
        if refused is not None:
            return refused
        oid = request.path_params["oid"]
        rows = [
            {**t, "statement_id": sid}
            for sid, txs in self.shop.transactions.items()
            for t in txs
            if t.get("order_id") == oid
        ]
        return _answer({"order_id": oid, "statement_transactions": rows})

    async def payments(self, request: Request) -> Response:
        refused = await self._refused(request, ("sort_field",))
        if refused is not None:
            return refused
        return self._page(request, self.shop.payments, "payments")

    async def withdrawals(self, request: Request) -> Response:
        refused = await self._refused(request, ("types",))
        if refused is not None:
            return refused
        return self._page(request, self.shop.withdrawals, "withdrawals")

    async def order_detail(self, request: Request) -> Response:
        refused = await self._refused(request, ("ids",))
        if refused is not None:
            return refused
        ids = request.query_params["ids"].split(",")
        if len(ids) > 50:
            return _answer(None, 36009001, "at most 50 ids")
        return _answer({"orders": [self.shop.orders[i] for i in ids if i in self.shop.orders]})
