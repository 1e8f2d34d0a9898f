"""Posting many newly explained bank lines at once (an import's matches).

A line that was unexplained has no entries, so its new entries are written
in bulk and the balances moved once, instead of one diff per line. A line
dated in the closed period goes through the usual per-subject path, which
keeps the closed period as it is.
"""

from __future__ import annotations

from collections import defaultdict
from uuid import UUID

import asyncpg

from service.ledger.bank_explain import (
    LINE_SQL,
    BankRefused,
    LineRow,
    basis_of,
    line_posting,
    line_row,
)
from service.ledger.companies import books_store
from service.ledger.held_moves import BalanceKey
from service.ledger.journal import (
    apply_balance_deltas,
    closed_through,
    copy_postings,
)
from service.ledger.order_posting import current_version, post_live


async def post_lines(conn: asyncpg.Connection, company_id: UUID, line_ids: list[UUID]) -> None:
    if not line_ids:
        return
    rows = await conn.fetch(
        LINE_SQL + " WHERE l.company_id = $1 AND l.line_id = ANY($2::uuid[])",
        company_id,
        line_ids,
    )
    await post_line_rows(conn, company_id, [line_row(r) for r in rows])


async def post_line_rows(conn: asyncpg.Connection, company_id: UUID, lines: list[LineRow]) -> None:
    """Post lines just explained, as read (or just decided) with their explanation."""
    if not lines:
        return
    found = await books_store(conn, company_id)
    if found is None:
        raise BankRefused("input", "NOT_APPLICABLE", "add a store first")
    basis = await basis_of(conn, company_id)
    postings = [line_posting(line, basis, found[0]) for line in lines]
    through = await closed_through(conn, company_id)
    version, building = await current_version(conn, company_id)
    late = [
        p for p in postings if through is not None and any(e.date <= through for e in p.entries)
    ]
    bulk = [p for p in postings if p not in late and p.entries]
    for posting in late:
        await post_live(conn, company_id, posting)
    if building:
        await conn.execute(
            "INSERT INTO books_dirty (company_id, subject) SELECT $1, s FROM unnest($2::text[]) s "
            "ON CONFLICT DO NOTHING",
            company_id,
            [p.subject for p in bulk],
        )
    await copy_postings(conn, company_id, version, bulk)
    deltas: dict[BalanceKey, int] = defaultdict(int)
    for posting in bulk:
        for entry in posting.entries:
            for ln in entry.lines:
                deltas[(entry.date, ln.account, ln.store_id, ln.channel)] += ln.amount
    await apply_balance_deltas(conn, company_id, version, deltas)
