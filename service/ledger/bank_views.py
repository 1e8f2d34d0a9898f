"""What the bank feed shows: lines, the lists of what is left to explain,
suggested matches, and reconciliations.

A clearing account (RIP, each processor's undeposited funds, Bank for
payouts not yet seen in a bank account) is zero once everything passed
through it; its items say what is still in it. A bank reconciliation
compares the bank's own closing balance with the books: the difference is
the lines not yet explained.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from uuid import UUID

import asyncpg

from service.domain.processor import BalanceTransaction
from service.ledger.bank_explain import LINE_SQL, LineRow, line_row
from service.ledger.bank_match import (
    EARLY_DAYS,
    WINDOW_DAYS,
    matched_payouts,
    processor_named,
)
from service.ledger.codec import decode_record, from_jsonb
from service.ledger.orders import COLUMNS, OrderSummary
from service.ledger.payouts import PayoutRow, list_payouts

SUGGEST_DAYS = 7
MAX_ITEMS = 500


async def _version(conn: asyncpg.Connection | asyncpg.Pool, company_id: UUID) -> int:
    version: int = await conn.fetchval(
        "SELECT current_version FROM books WHERE company_id = $1", company_id
    )
    return version


async def list_lines(
    conn: asyncpg.Connection | asyncpg.Pool,
    company_id: UUID,
    *,
    bank_account_id: UUID | None,
    unexplained_only: bool,
    after: tuple[dt.date, UUID] | None,
    limit: int,
) -> list[LineRow]:
    """Lines by date then id (keyset: ``after`` is the last one seen)."""
    rows = await conn.fetch(
        LINE_SQL + " WHERE l.company_id = $1 AND ($2::uuid IS NULL OR l.bank_account_id = $2) "
        "AND (NOT $3 OR x.kind IS NULL) "
        "AND ($4::date IS NULL OR (l.posted_date, l.line_id) > ($4, $5)) "
        "ORDER BY l.posted_date, l.line_id LIMIT $6",
        company_id,
        bank_account_id,
        unexplained_only,
        after[0] if after else None,
        after[1] if after else None,
        limit,
    )
    return [line_row(r) for r in rows]


async def payouts_without_deposit(
    conn: asyncpg.Connection, company_id: UUID, as_of: dt.date
) -> list[PayoutRow]:
    """Payouts whose window has passed with no bank line matched to them."""
    taken = await matched_payouts(conn, company_id)
    cutoff = as_of - dt.timedelta(days=WINDOW_DAYS)
    return [
        p
        for p in await list_payouts(conn, company_id, date_to=cutoff)
        if (p.processor, p.payout_id) not in taken and p.amount != 0
    ]


async def processor_deposits_without_payout(
    conn: asyncpg.Connection, company_id: UUID
) -> list[tuple[LineRow, str]]:
    """Unexplained deposits whose text names a processor: money a processor
    sent that no synced payout accounts for."""
    rows = await conn.fetch(
        LINE_SQL + " WHERE l.company_id = $1 AND x.kind IS NULL AND l.amount > 0 "
        "AND l.description ~* '(shopify|paypal|stripe|amazon|tiktok)' "
        "ORDER BY l.posted_date, l.line_id LIMIT $2",
        company_id,
        MAX_ITEMS,
    )
    out: list[tuple[LineRow, str]] = []
    for r in rows:
        line = line_row(r)
        processor = processor_named(line.description)
        if processor is not None:
            out.append((line, processor))
    return out


@dataclass(frozen=True, slots=True)
class Suggestions:
    orders: list[OrderSummary]
    payouts: list[PayoutRow]


async def suggestions(conn: asyncpg.Connection, company_id: UUID, line: LineRow) -> Suggestions:
    """Orders whose open balance is the line's amount; payouts of the same
    amount near its date that no line has matched yet."""
    orders: list[OrderSummary] = []
    if line.amount > 0:
        rows = await conn.fetch(
            f"SELECT {COLUMNS} FROM order_summaries WHERE company_id = $1 "
            "AND journal_version = $2 AND open_balance = $3 AND currency_code = $4 "
            "ORDER BY placed_at DESC, store_id, order_id LIMIT 10",
            company_id,
            await _version(conn, company_id),
            line.amount,
            line.currency,
        )
        orders = [OrderSummary(**dict(r)) for r in rows]
    taken = await matched_payouts(conn, company_id)
    near = await list_payouts(
        conn,
        company_id,
        date_from=line.date - dt.timedelta(days=SUGGEST_DAYS),
        date_to=line.date + dt.timedelta(days=SUGGEST_DAYS + EARLY_DAYS),
    )
    payouts = [
        p
        for p in near
        if p.amount == line.amount
        and p.currency == line.currency
        and (p.processor, p.payout_id) not in taken
    ]
    payouts.sort(key=lambda p: abs((p.payout_date - line.date).days))
    return Suggestions(orders, payouts[:10])


# Reconciliations --------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BankReconciliation:
    bank_account_id: UUID
    account_key: str
    currency: str
    as_of: dt.date
    statement_balance: int  # opening balance and every imported line to the date
    bank_closing_balance: int | None  # the bank's own figure for the date, if a file gave it
    books_balance: int
    unexplained: list[LineRow]

    @property
    def difference(self) -> int:
        """The bank's balance less the books' (0 once every line is explained)."""
        bank = (
            self.bank_closing_balance
            if self.bank_closing_balance is not None
            else self.statement_balance
        )
        return bank - self.books_balance


async def account_balance(
    conn: asyncpg.Connection | asyncpg.Pool,
    company_id: UUID,
    account_key: str,
    as_of: dt.date,
    processor: str | None = None,
) -> int:
    total: int = await conn.fetchval(
        "SELECT coalesce(sum(amount), 0)::bigint FROM journal_lines WHERE company_id = $1 "
        "AND journal_version = $2 AND account_key = $3 AND entry_date <= $4 "
        "AND ($5::text IS NULL OR processor = $5)",
        company_id,
        await _version(conn, company_id),
        account_key,
        as_of,
        processor,
    )
    return total


async def bank_reconciliation(
    conn: asyncpg.Connection, company_id: UUID, bank_account_id: UUID, as_of: dt.date
) -> BankReconciliation | None:
    acct = await conn.fetchrow(
        "SELECT account_key, currency_code, opening_balance, opening_date FROM bank_accounts "
        "WHERE company_id = $1 AND bank_account_id = $2",
        company_id,
        bank_account_id,
    )
    if acct is None:
        return None
    lines_total: int = await conn.fetchval(
        "SELECT coalesce(sum(amount), 0)::bigint FROM bank_lines WHERE company_id = $1 "
        "AND bank_account_id = $2 AND posted_date <= $3",
        company_id,
        bank_account_id,
        as_of,
    )
    opening = acct["opening_balance"] if acct["opening_date"] <= as_of else 0
    closing = await conn.fetchval(
        "SELECT closing_balance FROM bank_statement_balances WHERE company_id = $1 "
        "AND bank_account_id = $2 AND statement_date = $3",
        company_id,
        bank_account_id,
        as_of,
    )
    rows = await conn.fetch(
        LINE_SQL + " WHERE l.company_id = $1 AND l.bank_account_id = $2 AND x.kind IS NULL "
        "AND l.posted_date <= $3 ORDER BY l.posted_date, l.line_id LIMIT $4",
        company_id,
        bank_account_id,
        as_of,
        MAX_ITEMS,
    )
    return BankReconciliation(
        bank_account_id,
        acct["account_key"],
        acct["currency_code"],
        as_of,
        opening + lines_total,
        closing,
        await account_balance(conn, company_id, acct["account_key"], as_of),
        [line_row(r) for r in rows],
    )


@dataclass(frozen=True, slots=True)
class ClearingItem:
    """Something still in a clearing account: an order's money not yet in a
    processor record, a processor record not yet paid out, a payout not yet
    in the bank."""

    kind: str
    reference: str
    date: dt.date
    amount: int


@dataclass(frozen=True, slots=True)
class ClearingBalance:
    account_key: str
    processor: str | None
    as_of: dt.date
    balance: int
    items: list[ClearingItem]


async def clearing_balances(
    conn: asyncpg.Connection, company_id: UUID, as_of: dt.date
) -> list[ClearingBalance]:
    version = await _version(conn, company_id)
    out = [await _rip(conn, company_id, version, as_of)]
    processors = await conn.fetch(
        "SELECT DISTINCT processor FROM journal_lines WHERE company_id = $1 "
        "AND journal_version = $2 AND account_key = 'UNDEPOSITED_FUNDS' ORDER BY 1",
        company_id,
        version,
    )
    for r in processors:
        out.append(await _undeposited(conn, company_id, version, as_of, r["processor"]))
    out.append(await _bank_in_transit(conn, company_id, as_of))
    return out


async def _rip(
    conn: asyncpg.Connection, company_id: UUID, version: int, as_of: dt.date
) -> ClearingBalance:
    rows = await conn.fetch(
        "SELECT coalesce(e.order_id, '') AS ref, max(l.entry_date) AS d, "
        "sum(l.amount)::bigint AS a FROM journal_lines l "
        "JOIN journal_entries e USING (company_id, entry_id) "
        "WHERE l.company_id = $1 AND l.journal_version = $2 AND l.account_key = 'RIP' "
        "AND l.entry_date <= $3 GROUP BY 1 HAVING sum(l.amount) <> 0 ORDER BY 2, 1",
        company_id,
        version,
        as_of,
    )
    items = [
        ClearingItem("ORDER_PAID_NOT_IN_PROCESSOR_RECORD", r["ref"], r["d"], r["a"]) for r in rows
    ]
    balance = await account_balance(conn, company_id, "RIP", as_of)
    return ClearingBalance("RIP", None, as_of, balance, items[:MAX_ITEMS])


async def _undeposited(
    conn: asyncpg.Connection, company_id: UUID, version: int, as_of: dt.date, processor: str | None
) -> ClearingBalance:
    """The processor's records not yet in a payout made by the date: those
    the processor tied to no payout, or to one not yet made. For records
    that name no payout at all, the records since the last payout."""
    rows = await conn.fetch(
        "SELECT e.event_id, l.entry_date, sum(l.amount)::bigint AS a FROM journal_lines l "
        "JOIN journal_entries e USING (company_id, entry_id) WHERE l.company_id = $1 "
        "AND l.journal_version = $2 AND l.account_key = 'UNDEPOSITED_FUNDS' "
        "AND l.processor IS NOT DISTINCT FROM $3 AND e.rule <> 'processor.payout' "
        "AND l.entry_date <= $4 GROUP BY 1, 2 HAVING sum(l.amount) <> 0 ORDER BY 2, 1",
        company_id,
        version,
        processor,
        as_of,
    )
    paid = await _paid_out(conn, company_id, processor, as_of)
    if paid is None:
        last = await conn.fetchval(
            "SELECT max(l.entry_date) FROM journal_lines l JOIN journal_entries e "
            "USING (company_id, entry_id) WHERE l.company_id = $1 AND l.journal_version = $2 "
            "AND l.account_key = 'UNDEPOSITED_FUNDS' AND l.processor IS NOT DISTINCT FROM $3 "
            "AND e.rule = 'processor.payout' AND l.entry_date <= $4",
            company_id,
            version,
            processor,
            as_of,
        )
        rows = [r for r in rows if last is None or r["entry_date"] >= last]
    else:
        rows = [r for r in rows if r["event_id"] not in paid]
    items = [
        ClearingItem("PROCESSOR_RECORD_NOT_PAID_OUT", r["event_id"], r["entry_date"], r["a"])
        for r in rows[:MAX_ITEMS]
    ]
    balance = await account_balance(conn, company_id, "UNDEPOSITED_FUNDS", as_of, processor)
    return ClearingBalance("UNDEPOSITED_FUNDS", processor, as_of, balance, items)


async def _paid_out(
    conn: asyncpg.Connection, company_id: UUID, processor: str | None, as_of: dt.date
) -> set[str] | None:
    """Ids of the processor's records carried by a payout made by the date;
    None when its records name no payout (nothing to tell them apart by)."""
    made = {
        p.payout_id
        for p in await list_payouts(conn, company_id, date_to=as_of)
        if p.processor == processor
    }
    named = False
    out: set[str] = set()
    for r in await conn.fetch(
        "SELECT record FROM processor_records WHERE company_id = $1 "
        "AND record_type = 'balance_transaction'",
        company_id,
    ):
        record = decode_record(from_jsonb(r["record"]))
        if not isinstance(record, BalanceTransaction) or record.processor != processor:
            continue
        if record.payout_id:
            named = True
            if record.payout_id in made:
                out.add(record.id)
    return out if named else None


async def _bank_in_transit(
    conn: asyncpg.Connection, company_id: UUID, as_of: dt.date
) -> ClearingBalance:
    """Bank itself (outside every bank account's sub-ledger) holds payouts
    and linked deposits posted but not yet seen on a bank line."""
    taken = await matched_payouts(conn, company_id)
    items = [
        ClearingItem("PAYOUT_NOT_IN_BANK", f"{p.processor}:{p.payout_id}", p.payout_date, p.amount)
        for p in await list_payouts(conn, company_id, date_to=as_of)
        if (p.processor, p.payout_id) not in taken and p.amount != 0
    ]
    balance = await account_balance(conn, company_id, "BANK", as_of)
    return ClearingBalance("BANK", None, as_of, balance, items[:MAX_ITEMS])
