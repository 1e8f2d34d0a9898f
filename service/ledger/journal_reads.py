"""Reading the journal back: entries with their lines, for drill-down."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from uuid import UUID

import asyncpg


@dataclass(frozen=True, slots=True)
class StoredLine:
    account_key: str
    amount: int
    store_id: UUID | None
    channel: str | None
    order_id: str | None
    sku: str | None
    processor: str | None


@dataclass(frozen=True, slots=True)
class StoredEntry:
    entry_id: int
    entry_key: str
    date: dt.date
    rule: str
    memo: str
    event_id: str
    order_id: str | None
    store_id: UUID | None
    currency_code: str
    lines: tuple[StoredLine, ...]


@dataclass(frozen=True, slots=True)
class EntryFilter:
    subject: str | None = None
    account_key: str | None = None
    start: dt.date | None = None
    end: dt.date | None = None
    # A statement column's store or channel: entries with a line there
    # (on account_key, when given).
    store_id: UUID | None = None
    channel: str | None = None

    def params(self) -> tuple[object, ...]:
        """$3 to $8 of _WHERE."""
        return (self.subject, self.account_key, self.start, self.end, self.store_id, self.channel)


_WHERE = """
    e.company_id = $1 AND e.journal_version = $2
    AND ($3::text IS NULL OR e.subject = $3)
    AND (($4::text IS NULL AND $7::uuid IS NULL AND $8::text IS NULL) OR EXISTS (
        SELECT 1 FROM journal_lines l WHERE l.company_id = e.company_id
        AND l.entry_id = e.entry_id AND ($4::text IS NULL OR l.account_key = $4)
        AND ($7::uuid IS NULL OR l.store_id = $7) AND ($8::text IS NULL OR l.channel = $8)))
    AND ($5::date IS NULL OR e.entry_date >= $5)
    AND ($6::date IS NULL OR e.entry_date <= $6)
"""


async def entries_page(
    conn: asyncpg.Connection | asyncpg.Pool,
    company_id: UUID,
    version: int,
    where: EntryFilter,
    *,
    limit: int,
    after: tuple[dt.date, int] | None,
) -> list[StoredEntry]:
    rows = await conn.fetch(
        f"""
        SELECT e.entry_id, e.entry_key, e.entry_date, e.rule, e.memo, e.event_id, e.order_id,
               e.store_id, e.currency_code
        FROM journal_entries e
        WHERE {_WHERE}
          AND ($9::date IS NULL OR (e.entry_date, e.entry_id) > ($9, $10))
        ORDER BY e.entry_date, e.entry_id
        LIMIT $11
        """,
        company_id,
        version,
        *where.params(),
        after[0] if after else None,
        after[1] if after else 0,
        limit,
    )
    return await with_lines(conn, company_id, rows)


async def count_entries(
    conn: asyncpg.Connection | asyncpg.Pool, company_id: UUID, version: int, where: EntryFilter
) -> int:
    count: int = await conn.fetchval(
        f"SELECT count(*) FROM journal_entries e WHERE {_WHERE}",
        company_id,
        version,
        *where.params(),
    )
    return count


async def entries_of_subjects(
    conn: asyncpg.Connection | asyncpg.Pool, company_id: UUID, version: int, subjects: list[str]
) -> dict[str, list[StoredEntry]]:
    rows = await conn.fetch(
        """
        SELECT e.subject, e.entry_id, e.entry_key, e.entry_date, e.rule, e.memo, e.event_id,
               e.order_id, e.store_id, e.currency_code
        FROM journal_entries e
        WHERE e.company_id = $1 AND e.journal_version = $2 AND e.subject = any($3::text[])
        ORDER BY e.entry_date, e.entry_id
        """,
        company_id,
        version,
        subjects,
    )
    entries = await with_lines(conn, company_id, rows)
    out: dict[str, list[StoredEntry]] = {s: [] for s in subjects}
    for row, entry in zip(rows, entries, strict=True):
        out[row["subject"]].append(entry)
    return out


async def with_lines(
    conn: asyncpg.Connection | asyncpg.Pool, company_id: UUID, rows: list[asyncpg.Record]
) -> list[StoredEntry]:
    if not rows:
        return []
    lines = await conn.fetch(
        "SELECT entry_id, account_key, amount, store_id, channel, order_id, sku, processor "
        "FROM journal_lines WHERE company_id = $1 AND entry_id = any($2::bigint[]) "
        "ORDER BY entry_id, line_no",
        company_id,
        [r["entry_id"] for r in rows],
    )
    by_entry: dict[int, list[StoredLine]] = {}
    for ln in lines:
        by_entry.setdefault(ln["entry_id"], []).append(
            StoredLine(
                ln["account_key"],
                ln["amount"],
                ln["store_id"],
                ln["channel"],
                ln["order_id"],
                ln["sku"],
                ln["processor"],
            )
        )
    return [
        StoredEntry(
            r["entry_id"],
            r["entry_key"],
            r["entry_date"],
            r["rule"],
            r["memo"],
            r["event_id"],
            r["order_id"],
            r["store_id"],
            r["currency_code"],
            tuple(by_entry.get(r["entry_id"], ())),
        )
        for r in rows
    ]
