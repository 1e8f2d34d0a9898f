"""Reading the audit log: who changed what, when (posting rule 15.4).

Every mutation writes its record in the same transaction as its change
(``service/commands/runner.py``); this is the reading side, newest first,
filtered by day and kind, and per order for the order screen.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import asyncpg


@dataclass(frozen=True, slots=True)
class AuditRecord:
    audit_id: int
    at: dt.datetime
    token_id: UUID | None
    token_name: str | None
    kind: str
    subject: str | None
    summary: Any
    before: Any
    after: Any


@dataclass(frozen=True, slots=True)
class AuditFilter:
    start: dt.date | None = None
    end: dt.date | None = None
    kind: str | None = None
    mentions: str | None = None  # records whose request names this (an order's id)


_WHERE = (
    "a.company_id = $1 AND ($2::date IS NULL OR a.at >= $2::date) "
    "AND ($3::date IS NULL OR a.at < $3::date + 1) AND ($4::text IS NULL OR a.kind = $4) "
    "AND ($5::text IS NULL OR strpos(a.summary::text, $5) > 0)"
)


def _args(f: AuditFilter) -> tuple[Any, ...]:
    return (f.start, f.end, f.kind, f.mentions)


async def audit_records(
    conn: asyncpg.Connection | asyncpg.Pool,
    company_id: UUID,
    f: AuditFilter,
    *,
    limit: int,
    before_id: int | None,
) -> list[AuditRecord]:
    rows = await conn.fetch(
        f"""
        SELECT a.audit_id, a.at, a.token_id, t.label AS token_name, a.kind, a.subject,
               a.summary, a.before, a.after
        FROM audit_log a LEFT JOIN api_tokens t USING (company_id, token_id)
        WHERE {_WHERE} AND ($6::bigint IS NULL OR a.audit_id < $6)
        ORDER BY a.audit_id DESC LIMIT $7
        """,
        company_id,
        *_args(f),
        before_id,
        limit,
    )
    return [AuditRecord(**dict(r)) for r in rows]


async def count_audit_records(
    conn: asyncpg.Connection | asyncpg.Pool, company_id: UUID, f: AuditFilter
) -> int:
    count: int = await conn.fetchval(
        f"SELECT count(*) FROM audit_log a WHERE {_WHERE}", company_id, *_args(f)
    )
    return count
