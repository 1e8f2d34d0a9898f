"""``FakeFinale``: a local HTTP server that answers like Finale's REST API.

It serves ``GET /{account}/api/order/{orderId}`` (one order, with its
``orderItemList``) and ``GET /{account}/api/order/?filter=...`` (the
column-major collection, honouring the Base64 JSON ``lastUpdatedDate``
range and refusing spans over 30 days with 400, as Finale does). Requests
need HTTP Basic with the configured key and secret. ``fail_next`` is a list
of responses to give first: an int status, or ``(429, "retry-after")``.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.fakes.local_server import LocalServer


def _time(s: str) -> dt.datetime:
    return dt.datetime.fromisoformat(s.replace("Z", "+00:00"))


class FakeFinale(LocalServer):
    """``async with FakeFinale(orders, account=..., api_key=..., api_secret=...) as fake``.

    ``orders`` are Finale order objects (``orderId``, ``orderTypeId``,
    ``statusId``, ``lastUpdatedDate``, ``orderItemList``).
    """

    def __init__(
        self,
        orders: list[dict[str, Any]] | None = None,
        *,
        account: str = "demo",
        api_key: str = "KEY",
        api_secret: str = "SECRET",
    ) -> None:
        self.orders: dict[str, dict[str, Any]] = {o["orderId"]: o for o in orders or []}
        self.account = account
        self._auth = "Basic " + base64.b64encode(f"{api_key}:{api_secret}".encode()).decode()
        self.fail_next: list[int | tuple[int, str]] = []
        self.requests: list[str] = []
        self.serve_routes(
            [
                Route("/{account}/api/order/", self._collection, methods=["GET"]),
                Route("/{account}/api/order/{order_id:path}", self._order, methods=["GET"]),
            ]
        )

    def _gate(self, request: Request) -> Response | None:
        self.requests.append(str(request.url))
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
        return None

    async def _order(self, request: Request) -> Response:
        if (refused := self._gate(request)) is not None:
            return refused
        order = self.orders.get(request.path_params["order_id"])
        if order is None:
            return Response("not found", status_code=404)
        url = f"/{self.account}/api/order/{order['orderId']}"
        return JSONResponse({"orderUrl": url, **order})

    async def _collection(self, request: Request) -> Response:
        if (refused := self._gate(request)) is not None:
            return refused
        spec: dict[str, list[Any]] = {}
        if "filter" in request.query_params:
            spec = json.loads(base64.b64decode(request.query_params["filter"]))
        matches = list(self.orders.values())
        if "lastUpdatedDate" in spec:
            lo, hi = spec["lastUpdatedDate"]
            if lo is None or _time(hi) - _time(lo) > dt.timedelta(days=30):
                return JSONResponse({"error": "lastUpdatedDate range over 30 days"}, 400)
            matches = [o for o in matches if _time(lo) <= _time(o["lastUpdatedDate"]) <= _time(hi)]
        for key, (lo, hi) in spec.items():
            if key != "lastUpdatedDate":
                matches = [o for o in matches if lo <= o.get(key, "SALES_ORDER") <= hi]
        fields = sorted({k for o in self.orders.values() for k in o} | {"orderUrl"})
        columns: dict[str, list[Any]] = {f: [] for f in fields}
        for o in matches:
            for f in fields:
                value = o.get(f)
                if f == "orderUrl":
                    value = f"/{self.account}/api/order/{o['orderId']}"
                columns[f].append(value)
        return JSONResponse(columns)
