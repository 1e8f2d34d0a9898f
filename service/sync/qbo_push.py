"""Pushing summary journals to QuickBooks Online (journal entries, in
batches of 30); the rules every push follows are in ``pushing``."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any, TypeVar
from uuid import UUID

import asyncpg

from service.connectors.pacing import OAuthApi
from service.connectors.qbo.client import BATCH_MAX, QboClient, QboJournal, QboLine
from service.domain.money import exponent
from service.ledger.exports.pushes import PushState
from service.ledger.exports.reading import Books
from service.ledger.exports.summary import Summary, SummaryKind
from service.ledger.secrets import seal, unseal
from service.sync.pushing import Answer, PushReport, Target, push

Api = TypeVar("Api", bound=OAuthApi)

TARGET = "QBO"


async def save_connection(
    conn: asyncpg.Connection,
    company_id: UUID,
    target: str,
    secret_key: str,
    settings: dict[str, str],
    credentials: dict[str, str],
) -> None:
    """Store a connection; its tokens and client secret sealed."""
    await conn.execute(
        "INSERT INTO export_connections (company_id, target, settings, credentials) "
        "VALUES ($1, $2, $3::text::jsonb, $4) ON CONFLICT (company_id, target) DO UPDATE "
        "SET settings = excluded.settings, credentials = excluded.credentials",
        company_id,
        target,
        json.dumps(settings),
        seal(secret_key, credentials),
    )


async def load_connection(
    pool: asyncpg.Pool, company_id: UUID, target: str, secret_key: str
) -> tuple[dict[str, Any], dict[str, Any]]:
    row = await pool.fetchrow(
        "SELECT settings, credentials FROM export_connections "
        "WHERE company_id = $1 AND target = $2",
        company_id,
        target,
    )
    if row is None:
        raise ValueError(f"{target} is not connected for this company")
    settings = json.loads(row["settings"]) if isinstance(row["settings"], str) else row["settings"]
    return settings, unseal(secret_key, row["credentials"])


def token_keeper(
    pool: asyncpg.Pool, company_id: UUID, target: str, secret_key: str, client_secret: str
) -> Any:
    async def keep(tokens: dict[str, str]) -> None:
        await pool.execute(
            "UPDATE export_connections SET credentials = $3 WHERE company_id = $1 AND target = $2",
            company_id,
            target,
            seal(secret_key, {**tokens, "client_secret": client_secret}),
        )

    return keep


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
    await save_connection(
        conn,
        company_id,
        TARGET,
        secret_key,
        {"realmId": realm_id, "baseUrl": base_url, "tokenUrl": token_url, "clientId": client_id},
        {**tokens, "client_secret": client_secret},
    )


async def oauth_client(
    api: type[Api], pool: asyncpg.Pool, company_id: UUID, target: str, secret_key: str, id_key: str
) -> Api:
    """The accounting system's client from the stored connection; refreshed
    tokens are sealed and stored again as they come (``id_key``: the setting
    that names the company in the system)."""
    settings, sealed = await load_connection(pool, company_id, target, secret_key)
    return api(
        settings["baseUrl"],
        settings[id_key],
        {"access_token": sealed["access_token"], "refresh_token": sealed["refresh_token"]},
        token_url=settings["tokenUrl"],
        client_id=settings["clientId"],
        client_secret=sealed["client_secret"],
        on_tokens=token_keeper(pool, company_id, target, secret_key, sealed["client_secret"]),
    )


async def qbo_client(pool: asyncpg.Pool, company_id: UUID, secret_key: str) -> QboClient:
    return await oauth_client(QboClient, pool, company_id, TARGET, secret_key, "realmId")


def _journal(
    books: Books, s: Summary, mapping: dict[str, tuple[str, str]], state: PushState | None
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
    known = state is not None and state.remote_id is not None
    return QboJournal(
        ref=s.key,
        date=s.date.isoformat(),
        doc_number=f"SB-{s.fingerprint[:8]}",
        note=f"storebooks summary {s.key} ({store} {s.channel})",
        currency=s.currency,
        exponent=exponent(s.currency),
        lines=lines,
        remote_id=state.remote_id if known and state else None,
        sync_token=state.remote_version if known and state else None,
    )


def _version(answer: Answer) -> str:
    return str(getattr(answer, "sync_token", None) or "0")


async def push_summaries(
    pool: asyncpg.Pool,
    company_id: UUID,
    client: QboClient,
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
