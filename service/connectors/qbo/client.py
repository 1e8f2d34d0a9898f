"""A QuickBooks Online Accounting API client for journal entries.

What it follows from Intuit's documentation (Accounting API reference,
"JournalEntry" and "Batch"; "OAuth 2.0" and "Refresh access tokens";
"API rate limits and throttles"):

* Writes go through ``POST /v3/company/<realmId>/batch?minorversion=N``
  as ``{"BatchItemRequest": [{"bId", "operation", "JournalEntry"}]}``, at
  most 30 items a request; each item answers in ``BatchItemResponse`` with
  the entity or a ``Fault`` (the others in the batch still apply).
* A journal entry is ``TxnDate``, ``DocNumber``, ``PrivateNote`` and
  ``Line`` items of ``DetailType: JournalEntryLineDetail`` with a positive
  ``Amount`` and ``PostingType`` Debit or Credit on an ``AccountRef``.
  Updating one sends its ``Id`` and current ``SyncToken``.
* Tokens are OAuth 2 bearer tokens: an expired access token answers 401
  and is refreshed once with the refresh token (``grant_type=
  refresh_token`` at the token endpoint, client id and secret as HTTP
  Basic); the new pair is handed to ``on_tokens`` to be stored sealed.
* Limits: 500 requests a minute and 10 at once per company; a 429 is
  waited out (``Retry-After`` when given) through the caller's sleep.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from service.connectors.pacing import OAuthApi

BATCH_MAX = 30
MINOR_VERSION = 75
PER_MINUTE = 500
AT_ONCE = 10


class QboError(Exception):
    """QuickBooks refused a request as a whole."""


@dataclass(frozen=True, slots=True)
class QboLine:
    account_id: str
    amount: int  # minor units, debit positive
    description: str


@dataclass(frozen=True, slots=True)
class QboJournal:
    ref: str  # our id for the batch item
    date: str  # YYYY-MM-DD
    doc_number: str
    note: str
    currency: str
    exponent: int
    lines: tuple[QboLine, ...]
    remote_id: str | None = None
    sync_token: str | None = None


@dataclass(frozen=True, slots=True)
class QboResult:
    ref: str
    remote_id: str | None
    sync_token: str | None
    error: str | None


def journal_body(j: QboJournal) -> dict[str, Any]:
    lines = []
    for n, ln in enumerate(j.lines):
        amount = Decimal(abs(ln.amount)).scaleb(-j.exponent)
        lines.append(
            {
                "Id": str(n),
                "Description": ln.description[:4000],
                "Amount": float(amount) if j.exponent else int(amount),
                "DetailType": "JournalEntryLineDetail",
                "JournalEntryLineDetail": {
                    "PostingType": "Debit" if ln.amount > 0 else "Credit",
                    "AccountRef": {"value": ln.account_id},
                },
            }
        )
    body: dict[str, Any] = {
        "TxnDate": j.date,
        "DocNumber": j.doc_number[:21],
        "PrivateNote": j.note[:4000],
        "CurrencyRef": {"value": j.currency},
        "Line": lines,
    }
    if j.remote_id is not None:
        body |= {"Id": j.remote_id, "SyncToken": j.sync_token or "0", "sparse": False}
    return body


class QboClient(OAuthApi):
    name = "QuickBooks"
    error = QboError
    per_minute = PER_MINUTE
    at_once = AT_ONCE

    async def _post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        url = f"{self.base_url}/v3/company/{self.account_id}/{path}"
        return await self.send("POST", url, {"minorversion": str(MINOR_VERSION)}, body)

    async def save_journals(self, journals: Sequence[QboJournal]) -> list[QboResult]:
        """Create or update journal entries, 30 to a batch request."""
        out: list[QboResult] = []
        for i in range(0, len(journals), BATCH_MAX):
            chunk = journals[i : i + BATCH_MAX]
            items = [
                {
                    "bId": j.ref,
                    "operation": "update" if j.remote_id else "create",
                    "JournalEntry": journal_body(j),
                }
                for j in chunk
            ]
            answer = await self._post("batch", {"BatchItemRequest": items})
            by_ref = {r.get("bId"): r for r in answer.get("BatchItemResponse", [])}
            out += [_result(j.ref, by_ref.get(j.ref)) for j in chunk]
        return out


def _result(ref: str, item: dict[str, Any] | None) -> QboResult:
    if item is None:
        return QboResult(ref, None, None, "QuickBooks gave no answer for this entry")
    if "Fault" in item:
        errors = item["Fault"].get("Error", [])
        text = "; ".join(
            f"{e.get('code', '?')} {e.get('Message', '')}: {e.get('Detail', '')}" for e in errors
        )
        return QboResult(ref, None, None, text or "refused")
    entry = item.get("JournalEntry") or {}
    return QboResult(ref, str(entry.get("Id")), str(entry.get("SyncToken", "0")), None)
