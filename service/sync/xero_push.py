"""Pushing summary journals to Xero as manual journals; the rules every
push follows are in ``pushing``."""

from __future__ import annotations

import datetime as dt
from uuid import UUID

import asyncpg

from service.connectors.xero.client import BATCH_MAX, XeroClient, XeroJournal, XeroLine
from service.domain.money import exponent
from service.ledger.exports.pushes import PushState
from service.ledger.exports.reading import Books
from service.ledger.exports.summary import Summary, SummaryKind
from service.sync.pushing import Answer, PushReport, Target, push
from service.sync.qbo_push import oauth_client, save_connection

TARGET = "XERO"


async def connect_xero(
    conn: asyncpg.Connection,
    company_id: UUID,
    secret_key: str,
    *,
    tenant_id: str,
    base_url: str,
    token_url: str,
    client_id: str,
    client_secret: str,
    tokens: dict[str, str],
) -> None:
    await save_connection(
        conn,
        company_id,
        TARGET,
        secret_key,
        {"tenantId": tenant_id, "baseUrl": base_url, "tokenUrl": token_url, "clientId": client_id},
        {**tokens, "client_secret": client_secret},
    )


async def xero_client(pool: asyncpg.Pool, company_id: UUID, secret_key: str) -> XeroClient:
    return await oauth_client(XeroClient, pool, company_id, TARGET, secret_key, "tenantId")


def _journal(
    books: Books, s: Summary, mapping: dict[str, tuple[str, str]], state: PushState | None
) -> XeroJournal:
    store = books.store_name(s.store_id) or "company"
    lines = tuple(
        XeroLine(
            mapping[ln.account_key][0],
            ln.amount,
            f"{ln.account_key}: {len(ln.entry_ids)} storebooks entries",
        )
        for ln in s.lines
    )
    return XeroJournal(
        ref=s.key,
        date=s.date.isoformat(),
        narration=f"storebooks summary {s.key} ({store} {s.channel})",
        exponent=exponent(s.currency),
        lines=lines,
        remote_id=state.remote_id if state is not None else None,
    )


def _version(answer: Answer) -> str:
    return ""


async def push_summaries(
    pool: asyncpg.Pool,
    company_id: UUID,
    client: XeroClient,
    *,
    kind: SummaryKind,
    start: dt.date,
    end: dt.date,
    locked_through: dt.date | None = None,
) -> PushReport:
    target = Target(TARGET, BATCH_MAX, _journal, client.save_journals, _version)
    return await push(
        pool, company_id, target, kind=kind, start=start, end=end, locked_through=locked_through
    )
