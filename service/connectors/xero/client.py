"""A Xero Accounting API client for manual journals.

What it follows from Xero's documentation (developer.xero.com: Accounting
API "Manual Journals"; "OAuth 2.0: refreshing access tokens"; "OAuth 2.0
API limits"):

* ``PUT /api.xro/2.0/ManualJournals`` creates and ``POST`` creates or
  updates (an item with its ``ManualJournalID`` is updated in place);
  ``?summarizeErrors=false`` makes Xero answer each journal on its own
  (``StatusAttributeString`` OK or ERROR with ``ValidationErrors``) so one
  bad journal does not refuse the others. Up to 50 journals a request.
* A manual journal is ``Narration``, ``Date``, ``Status`` (POSTED),
  ``LineAmountTypes`` (NoTax) and ``JournalLines`` of ``LineAmount``
  (positive a debit, negative a credit), ``AccountCode``, ``Description``
  and ``TaxType``; the lines must sum to zero.
* Every call names the organisation in the ``Xero-tenant-id`` header with
  an OAuth 2 bearer token; a 401 refreshes the token once at the identity
  server (``grant_type=refresh_token``, client id and secret as HTTP
  Basic) and the new pair goes to ``on_tokens`` to be stored sealed.
* Limits: 60 calls a minute and 5 at once per organisation; a 429 is
  waited out for its ``Retry-After`` seconds.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from service.connectors.pacing import OAuthApi

BATCH_MAX = 50
PER_MINUTE = 60
AT_ONCE = 5


class XeroError(Exception):
    """Xero refused a request as a whole."""


@dataclass(frozen=True, slots=True)
class XeroLine:
    account_code: str
    amount: int  # minor units, debit positive
    description: str
    tax_type: str = "NONE"


@dataclass(frozen=True, slots=True)
class XeroJournal:
    ref: str
    date: str
    narration: str
    exponent: int
    lines: tuple[XeroLine, ...]
    remote_id: str | None = None


@dataclass(frozen=True, slots=True)
class XeroResult:
    ref: str
    remote_id: str | None
    error: str | None


def journal_body(j: XeroJournal) -> dict[str, Any]:
    body: dict[str, Any] = {
        "Narration": j.narration[:4000],
        "Date": j.date,
        "Status": "POSTED",
        "LineAmountTypes": "NoTax",
        "JournalLines": [
            {
                "LineAmount": str(Decimal(ln.amount).scaleb(-j.exponent)),
                "AccountCode": ln.account_code,
                "Description": ln.description,
                "TaxType": ln.tax_type,
            }
            for ln in j.lines
        ],
    }
    if j.remote_id:
        body["ManualJournalID"] = j.remote_id
    return body


class XeroClient(OAuthApi):
    name = "Xero"
    error = XeroError
    per_minute = PER_MINUTE
    at_once = AT_ONCE

    async def _call(self, method: str, body: dict[str, Any]) -> dict[str, Any]:
        url = f"{self.base_url}/api.xro/2.0/ManualJournals"
        params = {"summarizeErrors": "false"}
        return await self.send(method, url, params, body, {"Xero-tenant-id": self.account_id})

    async def save_journals(self, journals: Sequence[XeroJournal]) -> list[XeroResult]:
        """New journals with PUT, known ones (by ManualJournalID) with POST."""
        out: dict[str, XeroResult] = {}
        for method, group in (
            ("PUT", [j for j in journals if not j.remote_id]),
            ("POST", [j for j in journals if j.remote_id]),
        ):
            for i in range(0, len(group), BATCH_MAX):
                chunk = group[i : i + BATCH_MAX]
                answer = await self._call(
                    method, {"ManualJournals": [journal_body(j) for j in chunk]}
                )
                for j, item in zip(chunk, answer.get("ManualJournals", []), strict=False):
                    out[j.ref] = _result(j.ref, item)
        return [out.get(j.ref, XeroResult(j.ref, None, "Xero gave no answer")) for j in journals]


def _result(ref: str, item: dict[str, Any]) -> XeroResult:
    errors = item.get("ValidationErrors") or []
    if item.get("StatusAttributeString") == "ERROR" or errors:
        return XeroResult(ref, None, "; ".join(e.get("Message", "") for e in errors) or "refused")
    return XeroResult(ref, str(item.get("ManualJournalID")), None)
