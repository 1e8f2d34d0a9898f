"""How each bank line is explained, and what that posts.

A line is explained at most once (one row in bank_explanations): matched
to a payout, linked to orders, categorised (cash for store orders, a
transfer, any account), or the other side of a transfer. A line with no
explanation is unexplained and is listed. Each explained line posts from
its rows under the subject ``bank:line:<id>``, and each bank account's
opening balance under ``bank:opening:<id>``; a full re-post and ``verify``
post them again from the same rows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from uuid import UUID

import asyncpg

from service.domain.settings import AccountingBasis
from service.ledger.companies import books_store
from service.ledger.journal import Posting
from service.ledger.order_posting import post_live
from service.posting.bank import ExplainedLine, post_bank_line, post_bank_opening

PREFIX = "bank:"


class BankRefused(ValueError):
    """A refusal naming the input field (userError)."""

    def __init__(self, field: str, code: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.code = code


def line_subject(line_id: UUID | str) -> str:
    return f"bank:line:{line_id}"


def opening_subject(bank_account_id: UUID | str) -> str:
    return f"bank:opening:{bank_account_id}"


@dataclass(frozen=True, slots=True)
class LineRow:
    line_id: UUID
    bank_account_id: UUID
    account_key: str
    currency: str
    date: dt.date
    amount: int
    description: str
    payee: str
    kind: str | None
    store_id: UUID | None
    counter: str | None
    processor: str | None
    payout_id: str | None
    other_line_id: UUID | None


LINE_SQL = """
SELECT l.line_id, l.bank_account_id, a.account_key, a.currency_code, l.posted_date, l.amount,
       l.description, l.payee, x.kind, x.store_id, x.account_key AS counter, x.processor,
       x.payout_id, x.other_line_id
FROM bank_lines l JOIN bank_accounts a USING (company_id, bank_account_id)
LEFT JOIN bank_explanations x USING (company_id, line_id)
"""


def line_row(r: asyncpg.Record) -> LineRow:
    return LineRow(
        r["line_id"],
        r["bank_account_id"],
        r["account_key"],
        r["currency_code"],
        r["posted_date"],
        r["amount"],
        r["description"],
        r["payee"],
        r["kind"],
        r["store_id"],
        r["counter"],
        r["processor"],
        r["payout_id"],
        r["other_line_id"],
    )


async def get_line(
    conn: asyncpg.Connection | asyncpg.Pool, company_id: UUID, line_id: UUID
) -> LineRow | None:
    row = await conn.fetchrow(
        LINE_SQL + " WHERE l.company_id = $1 AND l.line_id = $2", company_id, line_id
    )
    return None if row is None else line_row(row)


async def basis_of(conn: asyncpg.Connection, company_id: UUID) -> AccountingBasis:
    raw = await conn.fetchval(
        "SELECT accounting_basis FROM bookkeeping_settings WHERE company_id = $1", company_id
    )
    return AccountingBasis(raw or "CASH")


async def _store(conn: asyncpg.Connection, company_id: UUID) -> UUID:
    found = await books_store(conn, company_id)
    if found is None:
        raise BankRefused("input", "NOT_APPLICABLE", "add a store first")
    return found[0]


def line_posting(line: LineRow, basis: AccountingBasis, books_store_id: UUID) -> Posting:
    """The line's entry (none while unexplained or the other side of a transfer)."""
    store_id = line.store_id or books_store_id
    entry = None
    if line.kind is not None:
        explained = ExplainedLine(
            str(line.line_id),
            line.account_key,
            line.date,
            line.amount,
            line.description,
            line.kind,
            line.counter,
            line.payout_id or "",
        )
        entry = post_bank_line(explained, basis, str(store_id), line.currency)
    entries = (entry,) if entry is not None else ()
    return Posting(line_subject(line.line_id), store_id, line.currency, entries)


async def repost_line(conn: asyncpg.Connection, company_id: UUID, line_id: UUID) -> None:
    line = await get_line(conn, company_id, line_id)
    store_id = await _store(conn, company_id)
    if line is None:
        await post_live(conn, company_id, Posting(line_subject(line_id), store_id, "USD", ()))
        return
    await post_live(
        conn, company_id, line_posting(line, await basis_of(conn, company_id), store_id)
    )


async def post_opening(conn: asyncpg.Connection, company_id: UUID, bank_account_id: UUID) -> None:
    for posting in await _opening_postings(conn, company_id, bank_account_id):
        await post_live(conn, company_id, posting)


async def _opening_postings(
    conn: asyncpg.Connection, company_id: UUID, only: UUID | None = None
) -> list[Posting]:
    found = await books_store(conn, company_id)
    if found is None:
        return []
    store_id = found[0]
    out: list[Posting] = []
    for r in await conn.fetch(
        "SELECT bank_account_id, account_key, currency_code, opening_date, opening_balance "
        "FROM bank_accounts WHERE company_id = $1 AND ($2::uuid IS NULL OR bank_account_id = $2)",
        company_id,
        only,
    ):
        entry = post_bank_opening(
            r["account_key"],
            str(r["bank_account_id"]),
            r["opening_date"],
            r["opening_balance"],
            str(store_id),
            r["currency_code"],
        )
        out.append(
            Posting(
                opening_subject(r["bank_account_id"]),
                store_id,
                r["currency_code"],
                (entry,) if entry is not None else (),
            )
        )
    return out


async def bank_postings(conn: asyncpg.Connection, company_id: UUID) -> list[Posting]:
    """Every bank subject posted afresh (opening balances and explained lines)."""
    found = await books_store(conn, company_id)
    if found is None:
        return []
    basis = await basis_of(conn, company_id)
    postings = await _opening_postings(conn, company_id)
    rows = await conn.fetch(
        LINE_SQL + " WHERE l.company_id = $1 AND x.kind IS NOT NULL AND x.kind <> 'TRANSFER_SIDE'",
        company_id,
    )
    postings += [line_posting(line_row(r), basis, found[0]) for r in rows]
    return postings


async def bank_subject_posting(
    conn: asyncpg.Connection, company_id: UUID, subject: str
) -> Posting | None:
    """One bank subject posted afresh (None: its row is gone), without
    posting every other bank subject to find it."""
    found = await books_store(conn, company_id)
    if found is None:
        return None
    _, kind, raw = subject.split(":", 2)
    try:
        key = UUID(raw)
    except ValueError:
        return None
    if kind == "opening":
        postings = await _opening_postings(conn, company_id, key)
        return postings[0] if postings else None
    line = await get_line(conn, company_id, key)
    if line is None:
        return None
    return line_posting(line, await basis_of(conn, company_id), found[0])


async def explain(
    conn: asyncpg.Connection,
    company_id: UUID,
    line_id: UUID,
    kind: str,
    *,
    store_id: UUID | None = None,
    account_key: str | None = None,
    processor: str | None = None,
    payout_id: str | None = None,
    other_line_id: UUID | None = None,
    rule_id: UUID | None = None,
) -> None:
    """Record the explanation and post the line (refused if explained already)."""
    done = await conn.fetchval(
        """
        INSERT INTO bank_explanations (company_id, line_id, kind, store_id, account_key,
                                       processor, payout_id, other_line_id, rule_id)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
        ON CONFLICT (company_id, line_id) DO NOTHING RETURNING true
        """,
        company_id,
        line_id,
        kind,
        store_id,
        account_key,
        processor,
        payout_id,
        other_line_id,
        rule_id,
    )
    if not done:
        raise BankRefused(
            "input.bankLineId", "ALREADY_EXPLAINED", "this bank line is explained already"
        )
    if kind != "TRANSFER_SIDE":
        await repost_line(conn, company_id, line_id)
