"""Posting many processor records at once into the live books.

A sync stores processor records by the hundred; posting them one by one
costs several round trips to the database each. Here a batch is diffed
against what the books hold in one read, and written in one delete, one
copy and one balance update, with the same outcome as posting each record
on its own: a record whose entries did not change writes nothing, a closed
period keeps its entries, and while a full re-post builds new books the
records are noted for it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any
from uuid import UUID

import asyncpg

from service.domain.journal import JournalEntry
from service.ledger.held_moves import BalanceKey
from service.ledger.journal import (
    Posting,
    _add_line_deltas,
    _entry_fingerprint,
    apply_balance_deltas,
    closed_through,
    copy_postings,
    fold_posting,
    stored_entries,
)
from service.ledger.order_posting import current_version
from service.ledger.processor_posting import processor_posting


def _same(a: JournalEntry, b: JournalEntry) -> bool:
    return _entry_fingerprint(a) == _entry_fingerprint(b)


async def post_processor_batch(
    conn: asyncpg.Connection,
    company_id: UUID,
    store_id: UUID,
    records: Sequence[tuple[str, str, Any]],
) -> int:
    """Make the books hold the entries of these stored records (record type,
    record id, stored JSON); returns entries written or removed."""
    if not records:
        return 0
    version, building = await current_version(conn, company_id)
    store = await conn.fetchrow(
        "SELECT timezone, currency_code FROM stores WHERE company_id = $1 AND store_id = $2",
        company_id,
        store_id,
    )
    postings = [
        processor_posting(store_id, store["timezone"], store["currency_code"], t, i, rec)
        for t, i, rec in records
    ]
    subjects = [p.subject for p in postings]
    if building:
        await conn.execute(
            "INSERT INTO books_dirty (company_id, subject) SELECT $1, unnest($2::text[]) "
            "ON CONFLICT DO NOTHING",
            company_id,
            subjects,
        )
    held_all = await stored_entries(conn, company_id, version, subjects)
    through = await closed_through(conn, company_id)
    deltas: dict[BalanceKey, int] = defaultdict(int)
    gone: list[int] = []
    added: list[Posting] = []
    for posting in postings:
        held = held_all.get(posting.subject, {})
        if through is not None:
            locked = [e for _, e in held.values() if e.date <= through]
            posting = fold_posting(posting, locked, through)
        new = {e.key: e for e in posting.entries}
        for key, (entry_id, entry) in held.items():
            if key not in new or not _same(new[key], entry):
                gone.append(entry_id)
                _add_line_deltas(deltas, entry.date, entry.lines, -1, posting.store_id)
        fresh = tuple(
            e for e in posting.entries if e.key not in held or not _same(held[e.key][1], e)
        )
        for e in fresh:
            _add_line_deltas(deltas, e.date, e.lines, 1, posting.store_id)
        if fresh:
            added.append(Posting(posting.subject, posting.store_id, posting.currency, fresh))
    if gone:
        await conn.execute(
            "DELETE FROM journal_entries WHERE company_id = $1 AND entry_id = any($2::bigint[])",
            company_id,
            gone,
        )
    if added:
        await copy_postings(conn, company_id, version, added)
    if deltas:
        await apply_balance_deltas(conn, company_id, version, deltas)
    return len(gone) + sum(len(p.entries) for p in added)
