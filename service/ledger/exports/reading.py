"""What every export reads: the journal in date order, the company's
names, and balances per store and channel from storebooks' own daily and
monthly balances (never re-added from the lines, so a file whose lines
disagree with the balances fails its own balance assertions)."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from dataclasses import dataclass
from uuid import UUID

import asyncpg

from service.domain.accounts import Chart
from service.ledger.accounts import load_chart
from service.ledger.journal_reads import EntryFilter, StoredEntry, StoredLine, entries_page
from service.ledger.statements import period_sums

PAGE = 5000


@dataclass(frozen=True, slots=True)
class Books:
    """The names and settings an export writes next to the numbers."""

    company_id: UUID
    company: str
    version: int
    currency: str
    stores: dict[UUID, str]
    chart: Chart

    def store_name(self, store_id: UUID | None) -> str:
        return self.stores.get(store_id, "") if store_id is not None else ""


async def read_books(conn: asyncpg.Connection | asyncpg.Pool, company_id: UUID) -> Books:
    row = await conn.fetchrow(
        "SELECT c.name, b.current_version, (SELECT s.currency_code FROM stores s "
        "WHERE s.company_id = c.company_id ORDER BY s.created_at LIMIT 1) AS currency "
        "FROM companies c JOIN books b USING (company_id) WHERE c.company_id = $1",
        company_id,
    )
    if row is None:
        raise ValueError(f"no company {company_id}")
    stores = {
        r["store_id"]: r["name"]
        for r in await conn.fetch(
            "SELECT store_id, name FROM stores WHERE company_id = $1", company_id
        )
    }
    chart = await load_chart(conn, company_id)
    return Books(
        company_id, row["name"], row["current_version"], row["currency"] or "USD", stores, chart
    )


async def iter_entries(
    conn: asyncpg.Connection | asyncpg.Pool, books: Books, where: EntryFilter
) -> AsyncIterator[StoredEntry]:
    """The journal's entries with their lines in (date, id) order.

    A period's whole journal streams through one server-side cursor over
    entries joined to their lines (one index walk, no page boundaries);
    a filter by account or subject reads a page at a time."""
    if where.account_key is not None or where.subject is not None:
        async for entry in _paged(conn, books, where):
            yield entry
        return
    if isinstance(conn, asyncpg.Pool):
        async with conn.acquire() as own:
            async for entry in _streamed(own, books, where):
                yield entry
        return
    async for entry in _streamed(conn, books, where):
        yield entry


_STREAM = """
    SELECT e.entry_id, e.entry_key, e.entry_date, e.rule, e.memo, e.event_id, e.order_id,
           e.store_id, e.currency_code, l.account_key, l.amount, l.store_id AS line_store,
           l.channel, l.order_id AS line_order, l.sku, l.processor
    FROM journal_entries e
    JOIN journal_lines l ON l.company_id = e.company_id AND l.entry_id = e.entry_id
    WHERE e.company_id = $1 AND e.journal_version = $2
      AND ($3::date IS NULL OR e.entry_date >= $3) AND ($4::date IS NULL OR e.entry_date <= $4)
    ORDER BY e.entry_date, e.entry_id, l.line_no
"""


async def _streamed(
    conn: asyncpg.Connection, books: Books, where: EntryFilter
) -> AsyncIterator[StoredEntry]:
    head: asyncpg.Record | None = None
    lines: list[StoredLine] = []
    async with conn.transaction(readonly=True):
        cursor = conn.cursor(
            _STREAM, books.company_id, books.version, where.start, where.end, prefetch=PAGE
        )
        async for r in cursor:
            if head is not None and r["entry_id"] != head["entry_id"]:
                yield _entry(head, lines)
                lines = []
            head = r
            lines.append(
                StoredLine(
                    r["account_key"],
                    r["amount"],
                    r["line_store"],
                    r["channel"],
                    r["line_order"],
                    r["sku"],
                    r["processor"],
                )
            )
    if head is not None:
        yield _entry(head, lines)


def _entry(r: asyncpg.Record, lines: list[StoredLine]) -> StoredEntry:
    return StoredEntry(
        r["entry_id"],
        r["entry_key"],
        r["entry_date"],
        r["rule"],
        r["memo"],
        r["event_id"],
        r["order_id"],
        r["store_id"],
        r["currency_code"],
        tuple(lines),
    )


async def _paged(
    conn: asyncpg.Connection | asyncpg.Pool, books: Books, where: EntryFilter
) -> AsyncIterator[StoredEntry]:
    after: tuple[dt.date, int] | None = None
    while True:
        page = await entries_page(
            conn, books.company_id, books.version, where, limit=PAGE, after=after
        )
        for entry in page:
            yield entry
        if len(page) < PAGE:
            return
        after = (page[-1].date, page[-1].entry_id)


def entry_channel(entry: StoredEntry) -> str:
    """The channel an entry belongs to: its lines' channel (one per entry
    in practice), or '' for company-level entries."""
    for line in entry.lines:
        if line.channel:
            return line.channel
    return ""


async def balances_through(
    conn: asyncpg.Connection | asyncpg.Pool, books: Books, day: dt.date
) -> dict[str, int]:
    """Net debit per account at the end of a day, from the balances."""
    sums = await period_sums(conn, books.company_id, books.version, None, day)
    out: dict[str, int] = {}
    for (_, account), amount in sums.items():
        out[account] = out.get(account, 0) + amount
    return out


async def sums_by_store_channel(
    conn: asyncpg.Connection | asyncpg.Pool,
    books: Books,
    start: dt.date | None,
    end: dt.date,
    store_id: UUID | None = None,
) -> dict[tuple[UUID, str, str], int]:
    """Net debit per (store, channel, account) over [start, end]; no start:
    since the beginning. Whole months from the monthly balances, the odd
    days from the daily ones."""
    rows = await conn.fetch(
        """
        WITH bounds AS (
            SELECT CASE WHEN $3::date IS NULL THEN NULL
                        WHEN date_trunc('month', $3::date)::date = $3 THEN $3::date
                        ELSE (date_trunc('month', $3::date) + interval '1 month')::date END AS lo,
                   date_trunc('month', $4::date + 1)::date AS hi
        ), parts AS (
            SELECT m.store_id, m.channel, m.account_key, m.amount
            FROM monthly_balances m, bounds b
            WHERE m.company_id = $1 AND m.journal_version = $2
              AND (b.lo IS NULL OR m.month >= b.lo) AND m.month < b.hi
              AND (b.lo IS NULL OR b.lo < b.hi)
            UNION ALL
            SELECT d.store_id, d.channel, d.account_key, d.amount
            FROM daily_balances d, bounds b
            WHERE d.company_id = $1 AND d.journal_version = $2
              AND ($3::date IS NULL OR d.day >= $3) AND d.day <= $4
              AND (b.lo IS NOT NULL AND b.lo >= b.hi
                   OR (b.lo IS NOT NULL AND d.day < b.lo) OR d.day >= b.hi)
        )
        SELECT store_id, channel, account_key, sum(amount)::bigint AS amount
        FROM parts WHERE ($5::uuid IS NULL OR store_id = $5)
        GROUP BY 1, 2, 3
        """,
        books.company_id,
        books.version,
        start,
        end,
        store_id,
    )
    return {
        (r["store_id"], r["channel"], r["account_key"]): r["amount"]
        for r in rows
        if r["amount"] != 0
    }
