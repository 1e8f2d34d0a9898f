"""``FakePayPal``: a local PayPal REST API for transaction search.

It answers the way PayPal's developer documentation describes it
("Authentication" / "Get an access token"; "Transaction Search API
Integration Guide"; API reference "Transaction Search: List transactions";
"Transaction event codes", developer.paypal.com/docs/transaction-search/):

* ``POST /v1/oauth2/token``: HTTP Basic ``client_id:secret`` and the form
  body ``grant_type=client_credentials``; a wrong pair is 401
  ``{"error": "invalid_client", "error_description": "Client Authentication failed"}``,
  another grant 400 ``unsupported_grant_type``. The answer is
  ``{scope, access_token, token_type: "Bearer", app_id, expires_in, nonce}``.
* ``GET /v1/reporting/transactions``: Bearer token, else 401
  ``invalid_token``. ``start_date`` and ``end_date`` are required ISO 8601
  date-times; a range longer than 31 days, an end before the start,
  ``page_size`` outside 1..500 or ``page`` below 1 is 400
  ``INVALID_REQUEST`` with ``details[{field, value, location, issue}]``.
  The answer: ``transaction_details[{transaction_info}]``, ``account_number``,
  ``start_date``, ``end_date``, ``last_refreshed_datetime``, ``page``,
  ``total_items``, ``total_pages``, ``links``. Records are filtered by
  ``transaction_initiation_date`` and listed oldest first.
* ``transaction_info`` fields: ``paypal_account_id``, ``transaction_id``,
  ``paypal_reference_id``, ``paypal_reference_id_type``,
  ``transaction_event_code``, ``transaction_initiation_date``,
  ``transaction_updated_date``, ``transaction_amount`` and ``fee_amount``
  as ``{currency_code, value}`` (fee negative when PayPal takes it),
  ``transaction_status`` (S, P, D, V), ``invoice_id``, ``custom_field``,
  ``ending_balance``, ``available_balance``.

``fail_next`` is a list of responses to give first: an int status, or
``(429, "retry-after")``.
"""

from __future__ import annotations

import base64
import datetime as dt
import secrets
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.fakes.local_server import LocalServer

MAX_RANGE = dt.timedelta(days=31)
MAX_PAGE_SIZE = 500


def _stamp(at: dt.datetime) -> str:
    return at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S+0000")


def _amount(value: Decimal, currency: str) -> dict[str, str]:
    return {"currency_code": currency, "value": f"{value:.2f}"}


@dataclass
class PayPalAccount:
    """The account's transactions, in the order they happened."""

    account_id: str = "XZXSPECPDZHZU"
    currency: str = "USD"
    records: list[dict[str, Any]] = field(default_factory=list)
    times: list[dt.datetime] = field(default_factory=list)
    balance: Decimal = Decimal(0)
    _serial: int = 0

    def _id(self) -> str:
        self._serial += 1
        return f"{self._serial:04d}{secrets.token_hex(7).upper()}"[:17]

    def add(
        self,
        code: str,
        at: dt.datetime,
        amount: Decimal,
        fee: Decimal = Decimal(0),
        *,
        invoice_id: str | None = None,
        custom_field: str | None = None,
        reference: str | None = None,
        status: str = "S",
        transaction_id: str | None = None,
    ) -> str:
        """Record one transaction (``amount`` and ``fee`` signed as PayPal shows them)."""
        tid = transaction_id or self._id()
        if status == "S":
            self.balance += amount + fee
        info: dict[str, Any] = {
            "paypal_account_id": self.account_id,
            "transaction_id": tid,
            "transaction_event_code": code,
            "transaction_initiation_date": _stamp(at),
            "transaction_updated_date": _stamp(at),
            "transaction_amount": _amount(amount, self.currency),
            "transaction_status": status,
            "protection_eligibility": "01",
            "ending_balance": _amount(self.balance, self.currency),
            "available_balance": _amount(self.balance, self.currency),
        }
        if fee:
            info["fee_amount"] = _amount(fee, self.currency)
        if reference:
            info["paypal_reference_id"] = reference
            info["paypal_reference_id_type"] = "TXN"
        if invoice_id:
            info["invoice_id"] = invoice_id
        if custom_field:
            info["custom_field"] = custom_field
        self.records.append(info)
        self.times.append(at)
        return tid

    def sale(
        self,
        at: dt.datetime,
        amount: Decimal,
        fee: Decimal,
        invoice_id: str | None,
        transaction_id: str | None = None,
    ) -> str:
        """An Express Checkout payment received (T0006), PayPal's fee taken."""
        return self.add(
            "T0006", at, amount, -fee, invoice_id=invoice_id, transaction_id=transaction_id
        )

    def refund(self, at: dt.datetime, sale_id: str, amount: Decimal, fee_back: Decimal) -> str:
        """A payment refunded (T1107): money out, part of the fee given back."""
        return self.add("T1107", at, -amount, fee_back, reference=sale_id)

    def withdraw(self, at: dt.datetime, amount: Decimal | None = None) -> str:
        """A withdrawal of the balance (or ``amount``) to the bank (T0403)."""
        return self.add("T0403", at, -(self.balance if amount is None else amount))


class FakePayPal(LocalServer):
    """``async with FakePayPal(account, client_id=..., secret=...) as fake``."""

    def __init__(
        self,
        data: PayPalAccount | None = None,
        *,
        client_id: str = "CLIENT",
        secret: str = "SECRET",
    ) -> None:
        self.data = data or PayPalAccount()
        self._basic = "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()
        self.tokens: set[str] = set()
        self.fail_next: list[int | tuple[int, str]] = []
        self.requests: list[dict[str, str]] = []
        self.serve_routes(
            [
                Route("/v1/oauth2/token", self._token, methods=["POST"]),
                Route("/v1/reporting/transactions", self._transactions, methods=["GET"]),
            ]
        )

    def _failure(self) -> Response | None:
        if not self.fail_next:
            return None
        fail = self.fail_next.pop(0)
        if isinstance(fail, tuple):
            status, retry_after = fail
            return JSONResponse(
                {"name": "RATE_LIMIT_REACHED", "message": "Too many requests."},
                status_code=status,
                headers={"Retry-After": retry_after},
            )
        return JSONResponse({"name": "INTERNAL_SERVER_ERROR"}, status_code=fail)

    async def _token(self, request: Request) -> Response:
        failed = self._failure()
        if failed is not None:
            return failed
        if request.headers.get("authorization") != self._basic:
            return JSONResponse(
                {"error": "invalid_client", "error_description": "Client Authentication failed"},
                status_code=401,
            )
        form = await request.form()
        if form.get("grant_type") != "client_credentials":
            return JSONResponse(
                {"error": "unsupported_grant_type", "error_description": "Grant Type is NULL"},
                status_code=400,
            )
        token = "A21AA" + secrets.token_urlsafe(24)
        self.tokens.add(token)
        return JSONResponse(
            {
                "scope": "https://uri.paypal.com/services/reporting/search/read",
                "access_token": token,
                "token_type": "Bearer",
                "app_id": "APP-80W284485P519543T",
                "expires_in": 32400,
                "nonce": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
                + secrets.token_hex(8),
            }
        )

    @staticmethod
    def _invalid(field_name: str, value: str, issue: str) -> Response:
        return JSONResponse(
            {
                "name": "INVALID_REQUEST",
                "message": "Request is not well-formed, syntactically incorrect, or violates "
                "schema.",
                "debug_id": secrets.token_hex(6),
                "details": [
                    {"field": field_name, "value": value, "location": "query", "issue": issue}
                ],
            },
            status_code=400,
        )

    @staticmethod
    def _date(text: str | None) -> dt.datetime | None:
        if not text:
            return None
        try:
            at = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            return None
        return at if at.tzinfo is not None else None

    async def _transactions(self, request: Request) -> Response:
        failed = self._failure()
        if failed is not None:
            return failed
        auth = request.headers.get("authorization", "")
        if not auth.startswith("Bearer ") or auth[7:] not in self.tokens:
            return JSONResponse(
                {
                    "error": "invalid_token",
                    "error_description": "Token signature verification failed",
                },
                status_code=401,
            )
        q = request.query_params
        self.requests.append(dict(q))
        start, end = self._date(q.get("start_date")), self._date(q.get("end_date"))
        if start is None:
            return self._invalid("start_date", q.get("start_date", ""), "Invalid date format")
        if end is None:
            return self._invalid("end_date", q.get("end_date", ""), "Invalid date format")
        if end < start:
            return self._invalid("end_date", q["end_date"], "End date is before start date")
        if end - start > MAX_RANGE:
            return self._invalid("end_date", q["end_date"], "Date range is greater than 31 days")
        try:
            size, page = int(q.get("page_size", "100")), int(q.get("page", "1"))
        except ValueError:
            return self._invalid("page_size", q.get("page_size", ""), "Must be a number")
        if not 1 <= size <= MAX_PAGE_SIZE:
            return self._invalid("page_size", str(size), "Page size must be between 1 and 500")
        if page < 1:
            return self._invalid("page", str(page), "Page must be 1 or more")
        found = [
            {"transaction_info": info}
            for info, at in zip(self.data.records, self.data.times, strict=True)
            if start <= at <= end
        ]
        pages = (len(found) + size - 1) // size
        return JSONResponse(
            {
                "transaction_details": found[(page - 1) * size : page * size],
                "account_number": self.data.account_id,
                "start_date": _stamp(start),
                "end_date": _stamp(end),
                "last_refreshed_datetime": _stamp(dt.datetime.now(dt.UTC)),
                "page": page,
                "total_items": len(found),
                "total_pages": pages,
                "links": [],
            }
        )
