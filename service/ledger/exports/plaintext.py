"""Writing an hledger journal or a beancount ledger from the books, in
detail (one transaction per journal entry) or as summaries.

The journal is read a page at a time and written as it goes, so a year of
a large company never sits in memory whole (a summary by payout is the
exception: a payout's orders span days). Balance assertions at each
month's end and at the last day come from the daily and monthly balances.
An export that starts after the books do opens with one transaction
carrying every balance of the day before.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Callable, Iterable
from enum import StrEnum
from uuid import UUID

import asyncpg

from service.ledger.exports import ledger_text as lt
from service.ledger.exports.reading import Books, balances_through, iter_entries
from service.ledger.exports.summary import (
    Summary,
    SummaryKind,
    month_end,
    period_of,
    summarize,
)
from service.ledger.journal_reads import EntryFilter, StoredEntry


class TextFormat(StrEnum):
    HLEDGER = "hledger"
    BEANCOUNT = "beancount"


def detail_txn(books: Books, e: StoredEntry) -> lt.Txn:
    meta = {
        "entry": str(e.entry_id),
        "rule": e.rule,
        "order": e.order_id or "",
        "store": books.store_name(e.store_id),
        "channel": next((ln.channel for ln in e.lines if ln.channel), None) or "",
    }
    postings = tuple(
        lt.Posting(ln.account_key, ln.amount, e.currency_code, {"sku": ln.sku or ""})
        for ln in e.lines
    )
    return lt.Txn(e.date, e.memo or e.rule, postings, meta)


def summary_txn(books: Books, s: Summary) -> lt.Txn:
    what = {"DAY": "day", "MONTH": "month", "PAYOUT": "payout"}[s.kind]
    store = books.store_name(s.store_id)
    title = f"Summary of {what} {s.period}: {store or 'company'} {s.channel}".strip()
    meta = {"summary": s.key, "store": store, "channel": s.channel}
    postings = tuple(
        lt.Posting(
            ln.account_key,
            ln.amount,
            s.currency,
            {
                "entries": " ".join(str(i) for i in ln.entry_ids[:50])
                + (f" (+{len(ln.entry_ids) - 50} more)" if len(ln.entry_ids) > 50 else "")
            },
        )
        for ln in s.lines
    )
    return lt.Txn(s.date, title, postings, meta)


async def _txns(
    conn: asyncpg.Connection | asyncpg.Pool,
    books: Books,
    where: EntryFilter,
    summary: SummaryKind | None,
    payouts: dict[str, tuple[str, dt.date]],
) -> AsyncIterator[lt.Txn]:
    entries = iter_entries(conn, books, where)
    if summary is None:
        async for e in entries:
            yield detail_txn(books, e)
        return
    if summary is SummaryKind.PAYOUT:
        everything = [e async for e in entries]
        for s in summarize(summary, everything, payouts=payouts, last_day=where.end):
            yield summary_txn(books, s)
        return
    bucket: list[StoredEntry] = []
    current: str | None = None
    async for e in entries:
        period = period_of(summary, e, {})[0]
        if current is not None and period != current:
            for s in summarize(summary, bucket, last_day=where.end):
                yield summary_txn(books, s)
            bucket = []
        current = period
        bucket.append(e)
    for s in summarize(summary, bucket, last_day=where.end):
        yield summary_txn(books, s)


def month_ends(first: dt.date, last: dt.date) -> list[dt.date]:
    out, day = [], month_end(first)
    while day < last:
        out.append(day)
        day = month_end(day + dt.timedelta(days=1))
    return [*out, last]


async def write_ledger(
    conn: asyncpg.Connection | asyncpg.Pool,
    books: Books,
    fmt: TextFormat,
    write: Callable[[str], object],
    *,
    start: dt.date | None,
    end: dt.date,
    summary: SummaryKind | None = None,
    payouts: dict[str, tuple[str, dt.date]] | None = None,
) -> None:
    """Write the file through ``write``; every month's end is asserted
    (not for summaries by payout, which move entries to their payout's date)."""
    first = start or await conn.fetchval(
        "SELECT min(entry_date) FROM journal_entries WHERE company_id = $1 "
        "AND journal_version = $2",
        books.company_id,
        books.version,
    )
    checks = [] if first is None or summary is SummaryKind.PAYOUT else month_ends(first, end)
    asserted = {d: await balances_through(conn, books, d) for d in checks}
    seen: set[str] = set()
    for balances in asserted.values():
        seen |= set(balances)
    opening = await balances_through(conn, books, start - dt.timedelta(days=1)) if start else {}
    if fmt is TextFormat.HLEDGER:
        write(lt.hledger_header(books.company, books.currency))
    else:
        write(lt.beancount_header(books.company, books.currency, books.chart, seen | set(opening)))
    txn_text = lt.hledger_txn if fmt is TextFormat.HLEDGER else lt.beancount_txn
    names = lt.Names(books.chart)
    if opening:
        write(txn_text(names, _opening(start, opening, books.currency)))
    keys: set[str] = set(opening)
    pending = list(checks)
    where = EntryFilter(start=start, end=end)
    async for txn in _txns(conn, books, where, summary, payouts or {}):
        while pending and pending[0] < txn.date:
            keys |= set(asserted[pending[0]])
            write(_assert(fmt, books, pending.pop(0), asserted, keys))
        keys |= {p.account_key for p in txn.postings}
        write(txn_text(names, txn))
    for day in pending:
        keys |= set(asserted[day])
        write(_assert(fmt, books, day, asserted, keys))


def _opening(start: dt.date | None, balances: dict[str, int], currency: str) -> lt.Txn:
    assert start is not None
    postings = tuple(lt.Posting(k, v, currency) for k, v in sorted(balances.items()) if v)
    return lt.Txn(start, "Opening balances", postings, {"rule": "opening"})


def _assert(
    fmt: TextFormat,
    books: Books,
    day: dt.date,
    asserted: dict[dt.date, dict[str, int]],
    keys: Iterable[str],
) -> str:
    balances = {k: asserted[day].get(k, 0) for k in keys}
    if fmt is TextFormat.HLEDGER:
        return lt.hledger_assertions(books.chart, day, balances, books.currency)
    return lt.beancount_assertions(books.chart, day, balances, books.currency)


async def ledger_text(
    conn: asyncpg.Connection | asyncpg.Pool,
    books: Books,
    fmt: TextFormat,
    *,
    start: dt.date | None,
    end: dt.date,
    summary: SummaryKind | None = None,
    payouts: dict[str, tuple[str, dt.date]] | None = None,
) -> str:
    parts: list[str] = []
    await write_ledger(
        conn, books, fmt, parts.append, start=start, end=end, summary=summary, payouts=payouts
    )
    return "".join(parts)


async def order_payouts(
    conn: asyncpg.Connection | asyncpg.Pool, company_id: UUID
) -> dict[str, tuple[str, dt.date]]:
    """Order id -> (payout id, payout date), from the processors' records."""
    rows = await conn.fetch(
        "SELECT DISTINCT ON (b.record->>'order_id') b.record->>'order_id' AS order_id, "
        "b.record->>'payout_id' AS payout_id, (p.record->>'date')::date AS day "
        "FROM processor_records b JOIN processor_records p ON p.company_id = b.company_id "
        "AND p.record_type = 'payout' AND p.record_id = b.record->>'payout_id' "
        "WHERE b.company_id = $1 AND b.record_type = 'balance_transaction' "
        "AND b.record->>'order_id' IS NOT NULL ORDER BY b.record->>'order_id', day",
        company_id,
    )
    return {r["order_id"]: (r["payout_id"], r["day"]) for r in rows}
