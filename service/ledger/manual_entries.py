"""Manual journal entries and opening balances, stored and posted.

An entry made by hand is checked against the company's chart and closed
period, stored, and posted in the same transaction; it is never edited
or deleted, only reversed by another entry. Opening balances are one
record per company, posted on their date. A full re-post posts both again
from their rows (``kept_postings``), unchanged.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from uuid import UUID

import asyncpg

from service.domain.manual import ManualEntry, ManualLine, OpeningBalances, OpeningInventory
from service.ledger.accounts import load_chart
from service.ledger.codec import from_jsonb
from service.ledger.companies import books_store
from service.ledger.journal import Posting, closed_through
from service.ledger.order_posting import post_live
from service.posting.manual import (
    ManualEntryError,
    check_lines,
    post_manual_entry,
    post_opening_balances,
)


class PeriodLocked(ValueError):
    """The date falls in the closed period (userError PERIOD_LOCKED)."""

    def __init__(self, field: str, through: dt.date) -> None:
        super().__init__(f"the books are closed through {through}; reopen them first")
        self.field = field


def manual_subject(entry_id: str) -> str:
    return f"manual:{entry_id}"


OPENING_SUBJECT = "opening"


async def _open_accounts(conn: asyncpg.Connection, company_id: UUID) -> set[str]:
    chart = await load_chart(conn, company_id)
    return {a.key for a in chart.accounts if a.active}


async def _check_open(conn: asyncpg.Connection, company_id: UUID, day: dt.date, field: str) -> None:
    through = await closed_through(conn, company_id)
    if through is not None and day <= through:
        raise PeriodLocked(field, through)


async def _facts(conn: asyncpg.Connection, company_id: UUID) -> tuple[UUID, str]:
    found = await books_store(conn, company_id)
    if found is None:
        raise ManualEntryError("input", "add a store first: the books are kept in its currency")
    return found


def _lines_json(lines: tuple[ManualLine, ...]) -> list[dict[str, Any]]:
    return [{"account": ln.account, "amount": ln.amount, "memo": ln.memo} for ln in lines]


def _lines_of(raw: Any) -> tuple[ManualLine, ...]:
    data = from_jsonb(raw)
    return tuple(ManualLine(d["account"], int(d["amount"]), d.get("memo", "")) for d in data)


async def create_manual_entry(
    conn: asyncpg.Connection, company_id: UUID, entry: ManualEntry
) -> ManualEntry:
    """Check, store and post a manual entry (``entry.id`` is replaced)."""
    if not entry.memo.strip() or len(entry.memo) > 500:
        raise ManualEntryError("input.memo", "a memo of 1 to 500 characters says what it is")
    await _check_open(conn, company_id, entry.date, "input.date")
    check_lines(
        [(ln.account, ln.amount) for ln in entry.lines],
        await _open_accounts(conn, company_id),
        "input.lines",
    )
    store_id, currency = await _facts(conn, company_id)
    entry_id: UUID = await conn.fetchval(
        "INSERT INTO manual_entries (company_id, store_id, entry_date, memo, lines, refs, reverses)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING entry_id",
        company_id,
        store_id,
        entry.date,
        entry.memo.strip(),
        _lines_json(entry.lines),
        list(entry.references),
        UUID(entry.reverses) if entry.reverses else None,
    )
    stored = ManualEntry(
        str(entry_id), entry.date, entry.memo.strip(), entry.lines, entry.references, entry.reverses
    )
    posting = Posting(
        manual_subject(stored.id),
        store_id,
        currency,
        (post_manual_entry(stored, str(store_id), currency),),
    )
    await post_live(conn, company_id, posting)
    return stored


async def reverse_manual_entry(
    conn: asyncpg.Connection, company_id: UUID, entry_id: UUID, day: dt.date
) -> ManualEntry:
    """The only way to undo a manual entry: an entry with every line turned round."""
    row = await conn.fetchrow(
        "SELECT m.entry_id, m.memo, m.lines, m.reverses, "
        "EXISTS (SELECT 1 FROM manual_entries r WHERE r.company_id = m.company_id "
        "AND r.reverses = m.entry_id) AS reversed "
        "FROM manual_entries m WHERE m.company_id = $1 AND m.entry_id = $2",
        company_id,
        entry_id,
    )
    if row is None:
        raise ManualEntryError("input.id", "no such manual entry")
    if row["reversed"]:
        raise ManualEntryError("input.id", "this entry has been reversed already")
    lines = tuple(ManualLine(ln.account, -ln.amount, ln.memo) for ln in _lines_of(row["lines"]))
    reversal = ManualEntry("", day, f"Reversal: {row['memo']}"[:500], lines, (), str(entry_id))
    return await create_manual_entry(conn, company_id, reversal)


async def set_opening_balances(
    conn: asyncpg.Connection, company_id: UUID, opening: OpeningBalances
) -> Posting:
    """Store the company's opening balances (replacing any) and post them."""
    await _check_open(conn, company_id, opening.date, "input.date")
    accounts = await _open_accounts(conn, company_id)
    for i, ln in enumerate(opening.lines):
        pair = [(ln.account, ln.amount), ("OPENING_BALANCE_EQUITY", -ln.amount)]
        check_lines(pair, accounts, f"input.lines[{i}]")
    for i, item in enumerate(opening.inventory):
        if item.units <= 0 or item.unit_cost < 0:
            raise ManualEntryError(
                f"input.inventory[{i}]", "units are positive and a unit cost is not negative"
            )
    store_id, currency = await _facts(conn, company_id)
    await conn.execute(
        """
        INSERT INTO opening_balances (company_id, store_id, opening_date, lines, inventory)
        VALUES ($1, $2, $3, $4, $5)
        ON CONFLICT (company_id) DO UPDATE SET store_id = excluded.store_id,
            opening_date = excluded.opening_date, lines = excluded.lines,
            inventory = excluded.inventory, updated_at = now()
        """,
        company_id,
        store_id,
        opening.date,
        _lines_json(opening.lines),
        [[i.sku, i.units, i.unit_cost] for i in opening.inventory],
    )
    posting = Posting(
        OPENING_SUBJECT, store_id, currency, post_opening_balances(opening, str(store_id), currency)
    )
    await post_live(conn, company_id, posting)
    return posting


async def opening_inventory(
    conn: asyncpg.Connection, company_id: UUID
) -> tuple[dt.date, tuple[OpeningInventory, ...]] | None:
    row = await conn.fetchrow(
        "SELECT opening_date, inventory FROM opening_balances WHERE company_id = $1", company_id
    )
    if row is None:
        return None
    data = from_jsonb(row["inventory"])
    return row["opening_date"], tuple(OpeningInventory(s, int(u), int(c)) for s, u, c in data)


async def kept_postings(conn: asyncpg.Connection, company_id: UUID) -> list[Posting]:
    """Every manual entry and the opening balances, posted afresh."""
    postings: list[Posting] = []
    for r in await conn.fetch(
        "SELECT m.entry_id, m.store_id, m.entry_date, m.memo, m.lines, m.refs, m.reverses, "
        "s.currency_code FROM manual_entries m JOIN stores s USING (company_id, store_id) "
        "WHERE m.company_id = $1",
        company_id,
    ):
        refs = from_jsonb(r["refs"])
        entry = ManualEntry(
            str(r["entry_id"]),
            r["entry_date"],
            r["memo"],
            _lines_of(r["lines"]),
            tuple(refs),
            str(r["reverses"]) if r["reverses"] else None,
        )
        postings.append(
            Posting(
                manual_subject(entry.id),
                r["store_id"],
                r["currency_code"],
                (post_manual_entry(entry, str(r["store_id"]), r["currency_code"]),),
            )
        )
    row = await conn.fetchrow(
        "SELECT o.*, s.currency_code FROM opening_balances o JOIN stores s "
        "USING (company_id, store_id) WHERE o.company_id = $1",
        company_id,
    )
    if row is not None:
        found = await opening_inventory(conn, company_id)
        opening = OpeningBalances(
            row["opening_date"], _lines_of(row["lines"]), found[1] if found else ()
        )
        postings.append(
            Posting(
                OPENING_SUBJECT,
                row["store_id"],
                row["currency_code"],
                post_opening_balances(opening, str(row["store_id"]), row["currency_code"]),
            )
        )
    return postings
