"""``FakeQbo``: a local QuickBooks Online Accounting API (journal entries).

Built from Intuit's documentation: the Accounting API reference pages
"JournalEntry" (developer.intuit.com/app/developer/qbo/docs/api/accounting/
all-entities/journalentry) and "Batch" (.../all-entities/batch); the blog
post "Building Smarter with Intuit: Batch without a Scratch" (blogs.intuit.
com, 2023-07-19: the batch endpoint is ``/v3/company/<realmID>/batch``, at
most 30 payloads a batch); "OAuth 2.0" and "Refresh the access token"
(developer.intuit.com/app/developer/qbo/docs/develop/authentication-and-
authorization/oauth-2.0); "API rate limits and throttles" (500 requests a
minute, 10 at once per realm; 429 when exceeded).

What it does and refuses, as QuickBooks does:

* ``POST /v3/company/{realm}/batch?minorversion=N``: bearer token
  required (401 ``AuthenticationFailed`` when expired or wrong); a
  ``minorversion`` is required here; more than 30 items is a 400
  ``ValidationFault``. Each item answers in ``BatchItemResponse`` by
  ``bId`` with the ``JournalEntry`` or a ``Fault``.
* A journal entry must balance (Debit total = Credit total, code 6000
  "Transaction is not balanced"), name accounts that exist (code 2500
  "Invalid Reference Id"), have positive amounts and a PostingType.
  ``update`` needs the entry's ``Id`` and its current ``SyncToken``
  (code 5010 "Stale Object Error" otherwise) and bumps the SyncToken.
* ``POST /oauth2/v1/tokens/bearer`` with ``grant_type=refresh_token`` and
  the client's HTTP Basic credentials gives a new access and refresh token.
* ``refuse_next``: how many next journal entries to refuse (a business
  validation fault), to test failed pushes; ``throttle_next``: 429s to give.
"""

from __future__ import annotations

import base64
import itertools
from decimal import Decimal
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from tests.fakes.local_server import LocalServer

BATCH_MAX = 30


def _fault(code: str, message: str, detail: str, kind: str = "ValidationFault") -> dict[str, Any]:
    return {"Error": [{"Message": message, "Detail": detail, "code": code}], "type": kind}


class FakeQbo(LocalServer):
    def __init__(self, realm: str = "9130350000000001", accounts: dict[str, str] | None = None):
        self.realm = realm
        self.accounts = accounts or {}  # Id -> Name
        self.client = ("client-id", "client-secret")
        self.access_token = "access-1"
        self.refresh_token = "refresh-1"
        self.entries: dict[str, dict[str, Any]] = {}
        self.ids = itertools.count(100)
        self.refuse_next = 0
        self.throttle_next = 0
        self.requests = 0
        self.refreshes = 0
        self.serve_routes(
            [
                Route("/v3/company/{realm}/batch", self.batch, methods=["POST"]),
                Route("/oauth2/v1/tokens/bearer", self.token, methods=["POST"]),
            ]
        )

    async def token(self, request: Request) -> JSONResponse:
        expected = base64.b64encode(":".join(self.client).encode()).decode()
        form = await request.form()
        if request.headers.get("authorization") != f"Basic {expected}":
            return JSONResponse({"error": "invalid_client"}, status_code=401)
        if form.get("grant_type") != "refresh_token" or form.get("refresh_token") != (
            self.refresh_token
        ):
            return JSONResponse({"error": "invalid_grant"}, status_code=400)
        self.refreshes += 1
        self.access_token = f"access-{self.refreshes + 1}"
        self.refresh_token = f"refresh-{self.refreshes + 1}"
        return JSONResponse(
            {
                "token_type": "bearer",
                "access_token": self.access_token,
                "refresh_token": self.refresh_token,
                "expires_in": 3600,
                "x_refresh_token_expires_in": 8726400,
            }
        )

    def expire_access_token(self) -> None:
        self.access_token = "expired-now"

    async def batch(self, request: Request) -> JSONResponse:
        self.requests += 1
        if request.headers.get("authorization") != f"Bearer {self.access_token}":
            return JSONResponse(
                {
                    "Fault": _fault(
                        "3200", "message=AuthenticationFailed", "Token expired", "AUTHENTICATION"
                    )
                },
                status_code=401,
            )
        if request.path_params["realm"] != self.realm:
            return JSONResponse(
                {
                    "Fault": _fault(
                        "3100", "ApplicationAuthorizationFailed", "realm", "AUTHORIZATION"
                    )
                },
                status_code=403,
            )
        if self.throttle_next:
            self.throttle_next -= 1
            return JSONResponse(
                {"Fault": _fault("003001", "ThrottleExceeded", "Too many", "SERVICE")},
                status_code=429,
                headers={"Retry-After": "0"},
            )
        if not request.query_params.get("minorversion"):
            return JSONResponse({"Fault": _fault("4000", "minorversion missing", "")}, 400)
        items = (await request.json()).get("BatchItemRequest") or []
        if len(items) > BATCH_MAX:
            return JSONResponse(
                {
                    "Fault": _fault(
                        "4000", "Too many batch items", f"{len(items)} items; at most {BATCH_MAX}"
                    )
                },
                status_code=400,
            )
        return JSONResponse(
            {"BatchItemResponse": [self._item(i) for i in items], "time": "2026-12-06T00:00:00Z"}
        )

    def _item(self, item: dict[str, Any]) -> dict[str, Any]:
        bid = item.get("bId")
        entry = item.get("JournalEntry")
        if entry is None or item.get("operation") not in ("create", "update"):
            return {
                "bId": bid,
                "Fault": _fault("2010", "Request has invalid or unsupported property", "operation"),
            }
        problem = self._check(entry)
        if problem is None and self.refuse_next:
            self.refuse_next -= 1
            problem = _fault(
                "6000",
                "A business validation error has occurred while processing your request",
                "Business Validation Error: the period is closed",
            )
        if problem is not None:
            return {"bId": bid, "Fault": problem}
        if item["operation"] == "update":
            old = self.entries.get(str(entry.get("Id")))
            if old is None:
                return {"bId": bid, "Fault": _fault("610", "Object Not Found", entry.get("Id"))}
            if str(entry.get("SyncToken")) != old["SyncToken"]:
                return {
                    "bId": bid,
                    "Fault": _fault("5010", "Stale Object Error", "SyncToken is stale"),
                }
            saved = {**entry, "Id": old["Id"], "SyncToken": str(int(old["SyncToken"]) + 1)}
        else:
            saved = {**entry, "Id": str(next(self.ids)), "SyncToken": "0"}
        saved.pop("sparse", None)
        self.entries[saved["Id"]] = saved
        return {"bId": bid, "JournalEntry": saved}

    def _check(self, entry: dict[str, Any]) -> dict[str, Any] | None:
        debit = credit = Decimal(0)
        for line in entry.get("Line") or []:
            detail = line.get("JournalEntryLineDetail") or {}
            account = (detail.get("AccountRef") or {}).get("value")
            if line.get("DetailType") != "JournalEntryLineDetail" or account is None:
                return _fault("2020", "Required param missing", "JournalEntryLineDetail")
            if account not in self.accounts:
                return _fault("2500", "Invalid Reference Id", f"Account {account}")
            amount = Decimal(str(line.get("Amount")))
            if amount < 0:
                return _fault("6000", "Amount cannot be negative", str(amount))
            if detail.get("PostingType") == "Debit":
                debit += amount
            elif detail.get("PostingType") == "Credit":
                credit += amount
            else:
                return _fault("2020", "Required param missing", "PostingType")
        if not entry.get("Line") or debit != credit:
            return _fault("6000", "Transaction is not balanced", f"debits {debit} credits {credit}")
        return None

    def balances(self) -> dict[str, Decimal]:
        """Net debit per account over every entry held."""
        out: dict[str, Decimal] = {}
        for entry in self.entries.values():
            for line in entry["Line"]:
                detail = line["JournalEntryLineDetail"]
                sign = 1 if detail["PostingType"] == "Debit" else -1
                key = detail["AccountRef"]["value"]
                out[key] = out.get(key, Decimal(0)) + sign * Decimal(str(line["Amount"]))
        return out
