"""Pushing summary journals to QuickBooks Online.

A push summarizes the period, checks every account with activity has a
QuickBooks account mapped (else it lists them all and sends nothing),
then sends only summaries that are new, changed, or failed before: a
summary already in QuickBooks is updated in place by its Id and
SyncToken, never created twice. A summary QuickBooks refuses is marked
FAILED with QuickBooks' reason and is sent again by the next push.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

import asyncpg

from service.connectors.qbo.client import (
    BATCH_MAX,
    QboClient,
    QboError,
    QboJournal,
    QboLine,
    QboResult,
)
from service.domain.money import exponent
from service.ledger.exports import pushes
from service.ledger.exports.reading import Books, read_books
from service.ledger.exports.summary import Summary, SummaryKind
from service.ledger.secrets import seal, unseal

TARGET = "QBO"


@dataclass
class PushReport:
    sent: int = 0
    unchanged: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)


async def connect_qbo(
    conn: asyncpg.Connection,
    company_id: UUID,
    secret_key: str,
    *,
    realm_id: str,
    base_url: str,
    token_url: str,
    client_id: str,
    client_secret: str,
    tokens: dict[str, str],
) -> None:
    """Store the connection; tokens and the client secret sealed."""
    await conn.execute(
        "INSERT INTO export_connections (company_id, target, settings, credentials) "
        "VALUES ($1, $2, $3::jsonb, $4) ON CONFLICT (company_id, target) DO UPDATE "
        "SET settings = excluded.settings, credentials = excluded.credentials",
        company_id,
        TARGET,
        _json(
            {"realmId": realm_id, "baseUrl": base_url, "tokenUrl": token_url, "clientId": client_id}
        ),
        seal(secret_key, {**tokens, "client_secret": client_secret}),
    )


def _json(value: Any) -> str:
    return json.dumps(value)


async def qbo_client(pool: asyncpg.Pool, company_id: UUID, secret_key: str) -> QboClient:
    row = await pool.fetchrow(
        "SELECT settings, credentials FROM export_connections "
        "WHERE company_id = $1 AND target = $2",
        company_id,
        TARGET,
    )
    if row is None:
        raise ValueError("QuickBooks Online is not connected for this company")
    settings = json.loads(row["settings"]) if isinstance(row["settings"], str) else row["settings"]
    sealed = unseal(secret_key, row["credentials"])

    async def keep(tokens: dict[str, str]) -> None:
        await pool.execute(
            "UPDATE export_connections SET credentials = $3 WHERE company_id = $1 AND target = $2",
            company_id,
            TARGET,
            seal(secret_key, {**tokens, "client_secret": sealed["client_secret"]}),
        )

    return QboClient(
        settings["baseUrl"],
        settings["realmId"],
        {"access_token": sealed["access_token"], "refresh_token": sealed["refresh_token"]},
        token_url=settings["tokenUrl"],
        client_id=settings["clientId"],
        client_secret=sealed["client_secret"],
        on_tokens=keep,
    )


def _journal(
    books: Books, s: Summary, mapping: dict[str, tuple[str, str]], state: Any
) -> QboJournal:
    store = books.store_name(s.store_id) or "company"
    lines = tuple(
        QboLine(
            mapping[ln.account_key][0],
            ln.amount,
            f"{ln.account_key}: {len(ln.entry_ids)} storebooks entries",
        )
        for ln in s.lines
    )
    return QboJournal(
        ref=s.key,
        date=s.date.isoformat(),
        doc_number=f"SB-{s.fingerprint[:8]}" if state is None else f"SB-{state.remote_id}",
        note=f"storebooks summary {s.key} ({store} {s.channel})",
        currency=s.currency,
        exponent=exponent(s.currency),
        lines=lines,
        remote_id=state.remote_id if state is not None and state.remote_id else None,
        sync_token=state.remote_version if state is not None else None,
    )


async def push_summaries(
    pool: asyncpg.Pool,
    company_id: UUID,
    client: QboClient,
    *,
    kind: SummaryKind,
    start: dt.date,
    end: dt.date,
) -> PushReport:
    books = await read_books(pool, company_id)
    async with pool.acquire() as conn, conn.transaction():
        mapping = await pushes.account_map(conn, company_id, TARGET)
        summaries = await pushes.build_summaries(conn, books, kind, start, end)
        pushes.check_mapped(TARGET, summaries, mapping)  # raises: nothing stored
    states = await pushes.push_states(pool, company_id, TARGET, [s.key for s in summaries])
    report = PushReport()
    todo = []
    for s in summaries:
        state = states.get(s.key)
        if state is not None and state.status == "PUSHED" and state.fingerprint == s.fingerprint:
            report.unchanged += 1
            continue
        todo.append((s, _journal(books, s, mapping, state)))
    for i in range(0, len(todo), BATCH_MAX):
        await _send(pool, company_id, client, todo[i : i + BATCH_MAX], report)
    return report


async def _send(
    pool: asyncpg.Pool,
    company_id: UUID,
    client: QboClient,
    chunk: list[tuple[Summary, QboJournal]],
    report: PushReport,
) -> None:
    """One batch request; recorded as soon as it answers, so a later
    failure never loses what QuickBooks already holds."""
    try:
        results = await client.save_journals([j for _, j in chunk])
    except QboError as exc:
        results = [QboResult(j.ref, None, None, str(exc)) for _, j in chunk]
    for (s, _), result in zip(chunk, results, strict=True):
        if result.error is None and result.remote_id:
            await pushes.record_pushed(
                pool, company_id, TARGET, s, result.remote_id, result.sync_token or "0"
            )
            report.sent += 1
        else:
            await pushes.record_failed(pool, company_id, TARGET, s.key, result.error or "refused")
            report.failed.append((s.key, result.error or "refused"))
