"""``FakeStripe``: a local Stripe API for balance transactions and payouts.

It answers the way Stripe's API reference describes it (docs.stripe.com/api:
"Authentication", "Errors", "Pagination", "Expanding responses", "The
Balance Transaction object", "List all balance transactions", "The Payout
object", "List all payouts"; guide "Balance transaction types"):

* The secret key as ``Authorization: Bearer sk_...`` (or as the Basic
  user name); anything else is 401 ``{"error": {"message": "Invalid API
  Key provided: ...", "type": "invalid_request_error"}}``.
* Lists answer ``{"object": "list", "url", "has_more", "data"}``, newest
  first. ``limit`` must be 1..100, ``starting_after`` an id of the list,
  else 400 ``invalid_request_error`` naming the ``param``. ``created[gt|gte|lt|lte]``
  filter by Unix time; balance transactions also by ``payout`` and ``type``.
* ``expand[]=data.source`` puts the source object (charge, refund,
  dispute) in place of its id; any other expansion is refused.
* Balance transaction: ``id`` (txn_), ``object``, ``amount``, ``available_on``,
  ``created``, ``currency`` (lower case), ``description``, ``exchange_rate``,
  ``fee``, ``fee_details[{amount, currency, description, type}]``, ``net``,
  ``reporting_category``, ``source``, ``status``, ``type``. Payout: ``id``
  (po_), ``object``, ``amount``, ``arrival_date``, ``automatic``,
  ``balance_transaction``, ``created``, ``currency``, ``destination``,
  ``method``, ``status``, ``type``, ``failure_code``.

``fail_next`` is a list of responses to give first: an int status, or
``(429, "retry-after")``.
"""

from __future__ import annotations

import base64
import datetime as dt
import secrets
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.fakes.local_server import LocalServer

MAX_LIMIT = 100


def _ts(at: dt.datetime) -> int:
    return int(at.timestamp())


def _new(prefix: str) -> str:
    return f"{prefix}_{secrets.token_hex(12)}"


@dataclass
class StripeAccount:
    currency: str = "usd"
    transactions: list[dict[str, Any]] = field(default_factory=list)
    payouts: list[dict[str, Any]] = field(default_factory=list)
    objects: dict[str, dict[str, Any]] = field(default_factory=dict)
    payout_of: dict[str, str] = field(default_factory=dict)

    def _txn(
        self,
        type_: str,
        category: str,
        at: dt.datetime,
        amount: int,
        fee: int,
        source: str | None,
        description: str | None = None,
    ) -> dict[str, Any]:
        txn = {
            "id": _new("txn"),
            "object": "balance_transaction",
            "amount": amount,
            "available_on": _ts(at + dt.timedelta(days=2)),
            "created": _ts(at),
            "currency": self.currency,
            "description": description,
            "exchange_rate": None,
            "fee": fee,
            "fee_details": (
                [
                    {
                        "amount": fee,
                        "application": None,
                        "currency": self.currency,
                        "description": "Stripe processing fees",
                        "type": "stripe_fee",
                    }
                ]
                if fee
                else []
            ),
            "net": amount - fee,
            "reporting_category": category,
            "source": source,
            "status": "available",
            "type": type_,
        }
        self.transactions.append(txn)
        return txn

    def charge(
        self,
        at: dt.datetime,
        amount: int,
        fee: int,
        order_id: str | None,
        payment_intent: str | None = None,
    ) -> str:
        """A card payment, ``metadata.order_id`` naming the store's order (when given)."""
        cid = _new("ch")
        txn = self._txn("charge", "charge", at, amount, fee, cid, f"Order {order_id}")
        self.objects[cid] = {
            "id": cid,
            "object": "charge",
            "amount": amount,
            "balance_transaction": txn["id"],
            "created": _ts(at),
            "currency": self.currency,
            "metadata": {"order_id": order_id} if order_id else {},
            "paid": True,
            "payment_intent": payment_intent or _new("pi"),
            "status": "succeeded",
        }
        return cid

    def refund(self, at: dt.datetime, charge_id: str, amount: int) -> str:
        rid = _new("re")
        txn = self._txn("refund", "refund", at, -amount, 0, rid)
        self.objects[rid] = {
            "id": rid,
            "object": "refund",
            "amount": amount,
            "balance_transaction": txn["id"],
            "charge": charge_id,
            "created": _ts(at),
            "currency": self.currency,
            "metadata": {},
            "status": "succeeded",
        }
        return rid

    def dispute(self, at: dt.datetime, charge_id: str, amount: int, *, won: bool = False) -> str:
        """A dispute (15.00 fee); ``won`` adds the reversal that returns both."""
        did = _new("du")
        self._txn("adjustment", "dispute", at, -amount, 1500, did, "Chargeback withdrawal")
        if won:
            later = at + dt.timedelta(days=20)
            self._txn("adjustment", "dispute_reversal", later, amount, -1500, did, "Reversal")
        self.objects[did] = {
            "id": did,
            "object": "dispute",
            "amount": amount,
            "charge": charge_id,
            "created": _ts(at),
            "currency": self.currency,
            "reason": "fraudulent",
            "status": "won" if won else "lost",
        }
        return did

    def stripe_fee(self, at: dt.datetime, amount: int) -> None:
        """Stripe billing its own services (Radar, Billing) from the balance."""
        self._txn("stripe_fee", "fee", at, -amount, 0, None, "Radar for Fraud Teams")

    def payout(self, at: dt.datetime, *, status: str = "paid") -> str:
        """Pay out every available net not yet paid out; arrives two days later."""
        pending = [t for t in self.transactions if t["id"] not in self.payout_of]
        amount = sum(t["net"] for t in pending)
        pid = _new("po")
        txn = self._txn("payout", "payout", at, -amount, 0, pid, "STRIPE PAYOUT")
        for t in [*pending, txn]:
            self.payout_of[t["id"]] = pid
        self.payouts.append(
            {
                "id": pid,
                "object": "payout",
                "amount": amount,
                "arrival_date": _ts(at + dt.timedelta(days=2)),
                "automatic": True,
                "balance_transaction": txn["id"],
                "created": _ts(at),
                "currency": self.currency,
                "description": "STRIPE PAYOUT",
                "destination": "ba_1MtIhL2eZvKYlo2CAElKwKu2",
                "failure_balance_transaction": None,
                "failure_code": None,
                "failure_message": None,
                "livemode": False,
                "metadata": {},
                "method": "standard",
                "reconciliation_status": "completed",
                "source_type": "card",
                "statement_descriptor": None,
                "status": status,
                "type": "bank_account",
            }
        )
        return pid


class FakeStripe(LocalServer):
    """``async with FakeStripe(account, api_key="sk_test_...") as fake``."""

    def __init__(self, data: StripeAccount | None = None, *, api_key: str = "sk_test_KEY") -> None:
        self.data = data or StripeAccount()
        self.api_key = api_key
        self.fail_next: list[int | tuple[int, str]] = []
        self.requests: list[list[tuple[str, str]]] = []
        self.serve_routes(
            [
                Route("/v1/balance_transactions", self._balance_transactions, methods=["GET"]),
                Route("/v1/payouts", self._payouts, methods=["GET"]),
            ]
        )

    @staticmethod
    def _error(status: int, message: str, param: str | None = None, **extra: str) -> Response:
        err: dict[str, Any] = {"message": message, "type": "invalid_request_error", **extra}
        if param:
            err["param"] = param
        return JSONResponse({"error": err}, status_code=status)

    def _authorized(self, request: Request) -> bool:
        auth = request.headers.get("authorization", "")
        if auth == f"Bearer {self.api_key}":
            return True
        if auth.startswith("Basic "):
            try:
                user = base64.b64decode(auth[6:]).decode().split(":", 1)[0]
            except ValueError:
                return False
            return user == self.api_key
        return False

    def _gate(self, request: Request) -> Response | None:
        if self.fail_next:
            fail = self.fail_next.pop(0)
            if isinstance(fail, tuple):
                status, retry_after = fail
                return JSONResponse(
                    {"error": {"message": "Too many requests", "type": "rate_limit_error"}},
                    status_code=status,
                    headers={"Retry-After": retry_after},
                )
            return self._error(fail, "An error occurred with our connection to Stripe.")
        if not self._authorized(request):
            shown = request.headers.get("authorization", "")[-4:]
            return self._error(401, f"Invalid API Key provided: sk_****{shown}")
        return None

    def _listing(
        self, request: Request, items: list[dict[str, Any]], url: str, allowed: set[str]
    ) -> Response:
        q = request.query_params
        self.requests.append(list(q.multi_items()))
        for key in q:
            if key not in allowed:
                return self._error(400, f"Received unknown parameter: {key}", key)
        try:
            limit = int(q.get("limit", "10"))
        except ValueError:
            return self._error(400, "Invalid integer: " + q["limit"], "limit")
        if not 1 <= limit <= MAX_LIMIT:
            return self._error(400, "This value must be less than or equal to 100.", "limit")
        for op, test in (
            ("gt", lambda a, b: a > b),
            ("gte", lambda a, b: a >= b),
            ("lt", lambda a, b: a < b),
            ("lte", lambda a, b: a <= b),
        ):
            raw = q.get(f"created[{op}]")
            if raw is not None:
                if not raw.isdigit():
                    return self._error(400, f"Invalid integer: {raw}", f"created[{op}]")
                items = [i for i in items if test(i["created"], int(raw))]
        items = sorted(items, key=lambda i: (-i["created"], i["id"]))
        after = q.get("starting_after")
        if after is not None:
            ids = [i["id"] for i in items]
            if after not in ids:
                return self._error(
                    400, f"No such object: '{after}'", "starting_after", code="resource_missing"
                )
            items = items[ids.index(after) + 1 :]
        return JSONResponse(
            {"object": "list", "url": url, "has_more": len(items) > limit, "data": items[:limit]}
        )

    async def _balance_transactions(self, request: Request) -> Response:
        refused = self._gate(request)
        if refused is not None:
            return refused
        q = request.query_params
        expand = q.getlist("expand[]")
        if any(e != "data.source" for e in expand):
            return self._error(400, f"This property cannot be expanded ({expand}).", "expand")
        items = self.data.transactions
        if q.get("payout") is not None:
            items = [t for t in items if self.data.payout_of.get(t["id"]) == q["payout"]]
        if q.get("type") is not None:
            items = [t for t in items if t["type"] == q["type"]]
        if expand:
            items = [
                dict(t, source=self.data.objects.get(t["source"], t["source"]))
                if isinstance(t["source"], str)
                else t
                for t in items
            ]
        allowed = {"limit", "starting_after", "ending_before", "expand[]", "payout", "type"}
        allowed |= {f"created[{op}]" for op in ("gt", "gte", "lt", "lte")}
        return self._listing(request, items, "/v1/balance_transactions", allowed)

    async def _payouts(self, request: Request) -> Response:
        refused = self._gate(request)
        if refused is not None:
            return refused
        allowed = {"limit", "starting_after", "ending_before", "status", "destination"}
        allowed |= {f"created[{op}]" for op in ("gt", "gte", "lt", "lte")}
        items = self.data.payouts
        if request.query_params.get("status"):
            items = [p for p in items if p["status"] == request.query_params["status"]]
        return self._listing(request, items, "/v1/payouts", allowed)
