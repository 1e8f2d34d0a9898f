"""``FakeXero``: a local Xero Accounting API (manual journals).

Built from Xero's documentation: developer.xero.com Accounting API
"Manual Journals" (PUT creates, POST creates or updates by
``ManualJournalID``; ``JournalLines`` with ``LineAmount`` positive for a
debit and negative for a credit, which must sum to zero; at least two
lines; ``summarizeErrors=false`` answers each journal with
``StatusAttributeString`` and ``ValidationErrors``), "OAuth 2.0 API
limits" (60 calls a minute per organisation; 429 with ``Retry-After`` and
``X-Rate-Limit-Problem: minute``), "Refreshing access tokens" (POST to
the identity server's ``/connect/token`` with ``grant_type=refresh_token``
and the client's HTTP Basic credentials) and the ``Xero-tenant-id``
header every call must carry.

What it refuses, as Xero does: a missing or unknown ``Xero-tenant-id``
(403), an expired token (401), the 61st call in a minute (429), a journal
whose lines do not balance or name an account code the organisation does
not have, or a ``ManualJournalID`` it never gave out. ``refuse_next``
refuses that many next journals with a validation error.
"""

from __future__ import annotations

import base64
import time
import uuid
from decimal import Decimal
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from tests.fakes.local_server import LocalServer

PER_MINUTE = 60


class FakeXero(LocalServer):
    def __init__(self, codes: set[str] | None = None) -> None:
        self.tenant_id = str(uuid.uuid4())
        self.codes = codes or set()
        self.client = ("xero-client", "xero-secret")
        self.access_token = "xero-access-1"
        self.refresh_token = "xero-refresh-1"
        self.journals: dict[str, dict[str, Any]] = {}
        self.calls: list[float] = []
        self.refuse_next = 0
        self.refreshes = 0
        self.serve_routes(
            [
                Route("/api.xro/2.0/ManualJournals", self.manual_journals, methods=["PUT", "POST"]),
                Route("/connect/token", self.token, methods=["POST"]),
            ]
        )

    def expire_access_token(self) -> None:
        self.access_token = "xero-expired"

    async def token(self, request: Request) -> JSONResponse:
        expected = base64.b64encode(":".join(self.client).encode()).decode()
        form = await request.form()
        if request.headers.get("authorization") != f"Basic {expected}":
            return JSONResponse({"error": "invalid_client"}, status_code=400)
        if form.get("refresh_token") != self.refresh_token:
            return JSONResponse({"error": "invalid_grant"}, status_code=400)
        self.refreshes += 1
        self.access_token = f"xero-access-{self.refreshes + 1}"
        self.refresh_token = f"xero-refresh-{self.refreshes + 1}"
        return JSONResponse(
            {
                "access_token": self.access_token,
                "expires_in": 1800,
                "token_type": "Bearer",
                "refresh_token": self.refresh_token,
                "scope": "accounting.transactions offline_access",
            }
        )

    async def manual_journals(self, request: Request) -> JSONResponse:
        now = time.monotonic()
        self.calls = [t for t in self.calls if now - t < 60] + [now]
        if len(self.calls) > PER_MINUTE:
            return JSONResponse(
                {"Title": "Too Many Requests"},
                status_code=429,
                headers={"Retry-After": "1", "X-Rate-Limit-Problem": "minute"},
            )
        if request.headers.get("authorization") != f"Bearer {self.access_token}":
            return JSONResponse(
                {
                    "Type": None,
                    "Title": "Unauthorized",
                    "Status": 401,
                    "Detail": "TokenExpired: token expired",
                },
                status_code=401,
            )
        if request.headers.get("xero-tenant-id") != self.tenant_id:
            return JSONResponse(
                {
                    "Type": None,
                    "Title": "Forbidden",
                    "Status": 403,
                    "Detail": "AuthenticationUnsuccessful",
                },
                status_code=403,
            )
        body = await request.json()
        items = [self._one(request.method, j) for j in body.get("ManualJournals") or []]
        if request.query_params.get("summarizeErrors", "true").lower() != "false" and any(
            i.get("ValidationErrors") for i in items
        ):
            return JSONResponse(
                {
                    "ErrorNumber": 10,
                    "Type": "ValidationException",
                    "Message": "A validation exception occurred",
                    "Elements": items,
                },
                status_code=400,
            )
        return JSONResponse(
            {
                "Id": str(uuid.uuid4()),
                "Status": "OK",
                "ProviderName": "storebooks tests",
                "ManualJournals": items,
            }
        )

    def _one(self, method: str, journal: dict[str, Any]) -> dict[str, Any]:
        errors = self._check(journal)
        if not errors and self.refuse_next:
            self.refuse_next -= 1
            errors = ["The document date cannot be before the end of year lock date"]
        known = journal.get("ManualJournalID")
        if known and method == "PUT":
            errors.append("ManualJournalID cannot be given when creating")
        if known and known not in self.journals:
            errors.append(f"ManualJournalID {known} does not exist")
        if errors:
            return {
                **journal,
                "StatusAttributeString": "ERROR",
                "ValidationErrors": [{"Message": m} for m in errors],
            }
        saved = {
            **journal,
            "ManualJournalID": known or str(uuid.uuid4()),
            "StatusAttributeString": "OK",
        }
        self.journals[saved["ManualJournalID"]] = saved
        return saved

    def _check(self, journal: dict[str, Any]) -> list[str]:
        lines = journal.get("JournalLines") or []
        if len(lines) < 2:
            return ["A manual journal must have at least two lines"]
        errors = [
            f"Account code '{ln.get('AccountCode')}' is not a valid code for this document."
            for ln in lines
            if ln.get("AccountCode") not in self.codes
        ]
        total = sum((Decimal(str(ln.get("LineAmount"))) for ln in lines), Decimal(0))
        if total != 0:
            errors.append("The total debits must equal the total credits")
        if not journal.get("Narration"):
            errors.append("Narration is required")
        return errors

    def balances(self) -> dict[str, Decimal]:
        out: dict[str, Decimal] = {}
        for j in self.journals.values():
            for ln in j["JournalLines"]:
                code = ln["AccountCode"]
                out[code] = out.get(code, Decimal(0)) + Decimal(str(ln["LineAmount"]))
        return out
