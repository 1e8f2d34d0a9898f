"""``FakeGoflow``: a local HTTP server that answers like Goflow's v1 API.

It serves ``GET /v1/orders`` with ``filters[order_number]`` (repeatable:
any of), ``filters[status_updated_at:gte]``, and pagination as Goflow
does it: ``{"data": [...], "next": absolute-url-or-null}``, ``page_size``
orders a page. Requests need ``Authorization: Bearer {token}``.
``fail_next`` is a list of responses to give first: an int status, or
``(429, "retry-after")``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.fakes.local_server import LocalServer


def _time(s: str) -> dt.datetime:
    return dt.datetime.fromisoformat(s.replace("Z", "+00:00"))


class FakeGoflow(LocalServer):
    """``async with FakeGoflow(orders, token=...) as fake``; ``orders`` are
    Goflow order objects (``id``, ``order_number``, ``status``,
    ``status_updated_at``, ``lines``)."""

    def __init__(
        self,
        orders: list[dict[str, Any]] | None = None,
        *,
        token: str = "gf_token",
        page_size: int = 2,
    ) -> None:
        self.orders = list(orders or [])
        self.token = token
        self.page_size = page_size
        self.fail_next: list[int | tuple[int, str]] = []
        self.requests: list[str] = []
        self.headers: list[dict[str, str]] = []
        self.serve_routes([Route("/v1/orders", self._orders, methods=["GET"])])

    async def _orders(self, request: Request) -> Response:
        self.requests.append(str(request.url))
        self.headers.append(dict(request.headers))
        if self.fail_next:
            fail = self.fail_next.pop(0)
            if isinstance(fail, tuple):
                status, retry_after = fail
                return Response(
                    "slow down", status_code=status, headers={"Retry-After": retry_after}
                )
            return Response("trouble", status_code=fail)
        if request.headers.get("authorization") != f"Bearer {self.token}":
            return JSONResponse({"error": "invalid token"}, 401)
        q = request.query_params
        matches = self.orders
        numbers = q.getlist("filters[order_number]")
        if numbers:
            matches = [o for o in matches if str(o["order_number"]) in numbers]
        if "filters[status_updated_at:gte]" in q:
            since = _time(q["filters[status_updated_at:gte]"])
            matches = [o for o in matches if _time(o["status_updated_at"]) >= since]
            matches = sorted(matches, key=lambda o: str(o["status_updated_at"]))
        start = int(q.get("offset", "0"))
        page = matches[start : start + self.page_size]
        nxt = None
        if start + self.page_size < len(matches):
            items = [(k, v) for k, v in q.multi_items() if k != "offset"]
            items.append(("offset", str(start + self.page_size)))
            nxt = f"{self.base_url}/v1/orders?{urlencode(items)}"
        return JSONResponse({"data": page, "next": nxt})
