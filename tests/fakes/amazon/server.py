"""``FakeAmazon``: a local Selling Partner API and Login with Amazon server.

It answers as the Selling Partner API documentation describes
("Connecting to the Selling Partner API", "Reports API v2021-06-30
reference", "Orders API v0 reference", "Report Type Values: Settlement
reports"):

* ``POST /auth/o2/token``: form-encoded ``grant_type=refresh_token`` with
  the app's ``client_id``/``client_secret`` and the seller's
  ``refresh_token``; a wrong one is 400 ``{"error": "invalid_grant"}`` or
  401 ``{"error": "invalid_client"}``.
* Every API call needs a live ``x-amz-access-token``, else 403
  ``{"errors": [{"code": "Unauthorized", ...}]}``.
* ``GET /reports/2021-06-30/reports``: ``reportTypes`` is required,
  ``pageSize`` 1..100 (default 10), ``processingStatuses`` filters;
  ``nextToken`` must be sent alone (with any other parameter the call is
  400 InvalidInput, as Amazon documents).
* ``GET /reports/2021-06-30/documents/{id}``: ``{reportDocumentId, url}``
  (and ``compressionAlgorithm: GZIP`` for reports stored gzipped); the url
  serves the flat file.
* ``GET /orders/v0/orders``: ``MarketplaceIds`` required, with
  ``CreatedAfter`` or ``LastUpdatedAfter``, or ``NextToken``;
  ``/orders/v0/orders/{id}/orderItems``.

``fail_next`` holds statuses to answer first (429 to test throttling).
"""

from __future__ import annotations

import gzip
import secrets
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from service.connectors.amazon.client import SETTLEMENT_REPORT
from tests.fakes.local_server import LocalServer


@dataclass
class SellerAccount:
    client_id: str = "amzn1.application-oa2-client.test"
    client_secret: str = "app-secret"
    refresh_token: str = "Atzr|seller-refresh"
    marketplace_ids: tuple[str, ...] = ("ATVPDKIKX0DER",)
    settlements: list[str] = field(default_factory=list)  # flat files, oldest first
    gzipped: set[int] = field(default_factory=set)  # indexes served gzipped
    orders: list[dict[str, Any]] = field(default_factory=list)  # Orders API objects
    items: dict[str, list[dict[str, Any]]] = field(default_factory=dict)


def _error(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"errors": [{"code": code, "message": message, "details": ""}]}, status)


class FakeAmazon(LocalServer):
    def __init__(self, seller: SellerAccount, page_size_cap: int = 100) -> None:
        self.seller = seller
        self.cap = page_size_cap
        self.tokens: set[str] = set()
        self.fail_next: list[int] = []
        self.calls: list[str] = []
        self.serve_routes(
            [
                Route("/auth/o2/token", self.token, methods=["POST"]),
                Route("/reports/2021-06-30/reports", self.reports),
                Route("/reports/2021-06-30/documents/{doc}", self.document),
                Route("/files/{doc}", self.file),
                Route("/orders/v0/orders", self.orders),
                Route("/orders/v0/orders/{oid}/orderItems", self.order_items),
            ]
        )

    async def token(self, request: Request) -> Response:
        form = await request.form()
        s = self.seller
        if form.get("client_id") != s.client_id or form.get("client_secret") != s.client_secret:
            return JSONResponse(
                {"error": "invalid_client", "error_description": "Client authentication failed"},
                401,
            )
        if (
            form.get("grant_type") != "refresh_token"
            or form.get("refresh_token") != s.refresh_token
        ):
            return JSONResponse(
                {"error": "invalid_grant", "error_description": "The request has an invalid grant"},
                400,
            )
        token = "Atza|" + secrets.token_hex(16)
        self.tokens.add(token)
        return JSONResponse(
            {
                "access_token": token,
                "refresh_token": s.refresh_token,
                "token_type": "bearer",
                "expires_in": 3600,
            }
        )

    def _refused(self, request: Request) -> Response | None:
        self.calls.append(request.url.path)
        if self.fail_next:
            status = self.fail_next.pop(0)
            return _error(
                status, "QuotaExceeded", "You exceeded your quota for the requested resource."
            )
        if request.headers.get("x-amz-access-token") not in self.tokens:
            return _error(403, "Unauthorized", "Access to requested resource is denied.")
        return None

    def _report(self, n: int) -> dict[str, Any]:
        return {
            "reportId": str(50000 + n),
            "reportType": SETTLEMENT_REPORT,
            "dataStartTime": "2026-03-01T00:00:00+00:00",
            "dataEndTime": "2026-03-15T00:00:00+00:00",
            "createdTime": "2026-03-16T00:00:00+00:00",
            "processingStatus": "DONE",
            "processingStartTime": "2026-03-16T00:00:00+00:00",
            "processingEndTime": "2026-03-16T00:05:00+00:00",
            "reportDocumentId": f"amzn1.spdoc.1.4.na.{n}",
            "marketplaceIds": list(self.seller.marketplace_ids),
        }

    async def reports(self, request: Request) -> Response:
        refused = self._refused(request)
        if refused is not None:
            return refused
        q = request.query_params
        if "nextToken" in q:
            if len(q) > 1:
                return _error(400, "InvalidInput", "nextToken must be the only parameter")
            start, size = (int(x) for x in q["nextToken"].split(":"))
        else:
            if "reportTypes" not in q:
                return _error(400, "InvalidInput", "reportTypes is required")
            size = int(q.get("pageSize", "10"))
            if not 1 <= size <= self.cap:
                return _error(400, "InvalidInput", f"pageSize must be 1..{self.cap}")
            if SETTLEMENT_REPORT not in q["reportTypes"].split(","):
                return JSONResponse({"reports": []})
            start = 0
        everything = [self._report(n) for n in range(len(self.seller.settlements))]
        page = everything[start : start + size]
        body: dict[str, Any] = {"reports": page}
        if start + size < len(everything):
            body["nextToken"] = f"{start + size}:{size}"
        return JSONResponse(body)

    async def document(self, request: Request) -> Response:
        refused = self._refused(request)
        if refused is not None:
            return refused
        doc = request.path_params["doc"]
        n = int(doc.rsplit(".", 1)[-1])
        if n >= len(self.seller.settlements):
            return _error(404, "NotFound", "The report document was not found")
        body: dict[str, Any] = {"reportDocumentId": doc, "url": f"{self.base_url}/files/{n}"}
        if n in self.seller.gzipped:
            body["compressionAlgorithm"] = "GZIP"
        return JSONResponse(body)

    async def file(self, request: Request) -> Response:
        n = int(request.path_params["doc"])
        raw = self.seller.settlements[n].encode()
        if n in self.seller.gzipped:
            raw = gzip.compress(raw)
        return Response(raw, media_type="text/plain")

    async def orders(self, request: Request) -> Response:
        refused = self._refused(request)
        if refused is not None:
            return refused
        q = request.query_params
        if "MarketplaceIds" not in q:
            return _error(400, "InvalidInput", "MarketplaceIds is required")
        if not ({"CreatedAfter", "LastUpdatedAfter", "NextToken"} & set(q)):
            return _error(400, "InvalidInput", "CreatedAfter or LastUpdatedAfter is required")
        return JSONResponse({"payload": {"Orders": self.seller.orders}})

    async def order_items(self, request: Request) -> Response:
        refused = self._refused(request)
        if refused is not None:
            return refused
        oid = request.path_params["oid"]
        return JSONResponse(
            {"payload": {"AmazonOrderId": oid, "OrderItems": self.seller.items.get(oid, [])}}
        )
