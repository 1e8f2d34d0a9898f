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

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import httpx

from service.connectors.pacing import Pace

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


class XeroClient:
    def __init__(
        self,
        base_url: str,
        tenant_id: str,
        tokens: dict[str, str],
        *,
        token_url: str,
        client_id: str,
        client_secret: str,
        on_tokens: Callable[[dict[str, str]], Awaitable[None]],
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        http: httpx.AsyncClient | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.tenant_id = tenant_id
        self.tokens = dict(tokens)
        self.token_url = token_url
        self.auth = (client_id, client_secret)
        self.on_tokens = on_tokens
        self.sleep = sleep
        self.http = http or httpx.AsyncClient(timeout=60)
        self.pace = Pace(PER_MINUTE, AT_ONCE)

    async def aclose(self) -> None:
        await self.http.aclose()

    async def _refresh(self) -> None:
        got = await self.http.post(
            self.token_url,
            data={"grant_type": "refresh_token", "refresh_token": self.tokens["refresh_token"]},
            auth=self.auth,
        )
        if got.status_code != 200:
            raise XeroError(f"token refresh refused ({got.status_code}): {got.text[:300]}")
        body = got.json()
        self.tokens = {"access_token": body["access_token"], "refresh_token": body["refresh_token"]}
        await self.on_tokens(self.tokens)

    async def _call(self, method: str, body: dict[str, Any]) -> dict[str, Any]:
        url = f"{self.base_url}/api.xro/2.0/ManualJournals"
        refreshed = False
        for _ in range(6):
            async with self.pace.slots:
                await self.pace.start()
                got = await self.http.request(
                    method,
                    url,
                    params={"summarizeErrors": "false"},
                    json=body,
                    headers={
                        "Authorization": f"Bearer {self.tokens['access_token']}",
                        "Xero-tenant-id": self.tenant_id,
                        "Accept": "application/json",
                    },
                )
            if got.status_code == 401 and not refreshed:
                await self._refresh()
                refreshed = True
                continue
            if got.status_code == 429:
                await self.sleep(float(got.headers.get("Retry-After") or 1))
                continue
            if got.status_code != 200:
                raise XeroError(f"Xero answered {got.status_code}: {got.text[:500]}")
            answer: dict[str, Any] = got.json()
            return answer
        raise XeroError("Xero kept throttling; try again later")

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
