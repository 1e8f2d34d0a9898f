"""Bank accounts and the import of their statement files.

A bank account is an account of the company's chart under Bank (its own
sub-ledger) with a currency, an opening balance and, for CSV files, the
column mapping its bank's export uses. An import reads the whole file
first; any bad line refuses it all. A line the bank already sent (same
FITID / AcctSvcrRef, or the same date, amount and description) is stored
once. New lines are then matched to payouts and put through the saved
rules.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import asyncpg

from service.domain.accounts import AccountType
from service.domain.bank_files import BankFileError, CsvMapping, StatementLine, read_statement
from service.domain.money import exponent
from service.ledger.accounts import AccountRefused, NewAccount, create_account
from service.ledger.bank_explain import BankRefused, LineRow, post_opening
from service.ledger.codec import from_jsonb
from service.ledger.companies import books_store

CURRENCY = re.compile(r"^[A-Z]{3}$")


@dataclass(frozen=True, slots=True)
class BankAccount:
    id: UUID
    account_key: str
    name: str
    currency: str
    opening_date: dt.date
    opening_balance: int
    csv_mapping: CsvMapping | None


def _account(r: asyncpg.Record) -> BankAccount:
    raw = r["csv_mapping"]
    data = from_jsonb(raw)
    return BankAccount(
        r["bank_account_id"],
        r["account_key"],
        r["name"],
        r["currency_code"],
        r["opening_date"],
        r["opening_balance"],
        CsvMapping.from_json(data) if data else None,
    )


async def list_bank_accounts(
    conn: asyncpg.Connection | asyncpg.Pool, company_id: UUID
) -> list[BankAccount]:
    rows = await conn.fetch(
        "SELECT * FROM bank_accounts WHERE company_id = $1 ORDER BY account_key", company_id
    )
    return [_account(r) for r in rows]


async def get_bank_account(
    conn: asyncpg.Connection | asyncpg.Pool, company_id: UUID, bank_account_id: UUID
) -> BankAccount | None:
    row = await conn.fetchrow(
        "SELECT * FROM bank_accounts WHERE company_id = $1 AND bank_account_id = $2",
        company_id,
        bank_account_id,
    )
    return None if row is None else _account(row)


async def create_bank_account(
    conn: asyncpg.Connection,
    company_id: UUID,
    key: str,
    name: str,
    currency: str,
    opening_date: dt.date,
    opening_balance: int,
) -> BankAccount:
    """The chart account under Bank, the bank account, its opening balance posted."""
    if not CURRENCY.match(currency):
        raise BankRefused("input.currencyCode", "INVALID", "a three-letter ISO 4217 code")
    exponent(currency)
    books = await books_store(conn, company_id)
    if books is None:
        raise BankRefused("input", "NOT_APPLICABLE", "add a store first")
    if books[1] != currency:
        raise BankRefused(
            "input.currencyCode",
            "CURRENCY_MISMATCH",
            f"the books are kept in {books[1]}: a bank account in {currency} cannot be posted",
        )
    try:
        await create_account(conn, company_id, NewAccount(key, name, AccountType.ASSET, "BANK"))
    except AccountRefused as exc:
        raise BankRefused(exc.field, exc.code, str(exc)) from None
    row = await conn.fetchrow(
        "INSERT INTO bank_accounts (company_id, account_key, name, currency_code, opening_date, "
        "opening_balance) VALUES ($1, $2, $3, $4, $5, $6) RETURNING *",
        company_id,
        key,
        name.strip(),
        currency,
        opening_date,
        opening_balance,
    )
    account = _account(row)
    await post_opening(conn, company_id, account.id)
    return account


async def set_csv_mapping(
    conn: asyncpg.Connection, company_id: UUID, bank_account_id: UUID, mapping: CsvMapping
) -> None:
    if not mapping.amount and not (mapping.credit and mapping.debit):
        raise BankRefused(
            "input.amount", "REQUIRED", "name an amount column, or both credit and debit columns"
        )
    try:
        dt.date(2025, 1, 31).strftime(mapping.date_format)
    except ValueError:
        raise BankRefused("input.dateFormat", "INVALID", "not a date format") from None
    done = await conn.execute(
        "UPDATE bank_accounts SET csv_mapping = $3 WHERE company_id = $1 AND bank_account_id = $2",
        company_id,
        bank_account_id,
        mapping.as_json(),
    )
    if done.endswith(" 0"):
        raise BankRefused("input.bankAccountId", "NOT_FOUND", "no such bank account")


@dataclass(frozen=True, slots=True)
class ImportResult:
    import_id: UUID
    format: str
    lines_read: int
    lines_new: int
    duplicates: int
    new_lines: tuple[LineRow, ...]

    @property
    def new_line_ids(self) -> tuple[UUID, ...]:
        return tuple(x.line_id for x in self.new_lines)


def dedupe_keys(lines: tuple[StatementLine, ...]) -> list[str]:
    """Each line's key; two lines of one file that read the same (two equal
    coffees on one day) stay two lines, and the same file read again gives
    the same keys."""
    seen: Counter[str] = Counter()
    keys: list[str] = []
    for line in lines:
        key = line.dedupe_key
        seen[key] += 1
        keys.append(key if seen[key] == 1 else f"{key}#{seen[key]}")
    return keys


async def import_statement(
    conn: asyncpg.Connection, company_id: UUID, bank_account_id: UUID, data: bytes
) -> ImportResult:
    """Read and store a statement file; nothing is stored if any line is bad."""
    account = await get_bank_account(conn, company_id, bank_account_id)
    if account is None:
        raise BankRefused("input.bankAccountId", "NOT_FOUND", "no such bank account")
    try:
        statement = read_statement(data, account.currency, account.csv_mapping)
    except BankFileError as exc:
        raise BankRefused(f"input.file: {exc.where}", exc.code, str(exc)) from None
    if statement.currency and statement.currency != account.currency:
        raise BankRefused(
            "input.file",
            "CURRENCY_MISMATCH",
            f"the file is in {statement.currency}, bank account {account.account_key} is in "
            f"{account.currency}",
        )
    import_id: UUID = await conn.fetchval("SELECT gen_random_uuid()")
    keys = dedupe_keys(statement.lines)
    rows: list[Any] = await conn.fetch(
        """
        INSERT INTO bank_lines (company_id, bank_account_id, posted_date, amount, description,
                                payee, dedupe_key, import_id)
        SELECT $1, $2, d, a, t, p, k, $3
        FROM unnest($4::date[], $5::bigint[], $6::text[], $7::text[], $8::text[])
             AS u(d, a, t, p, k)
        ON CONFLICT (company_id, bank_account_id, dedupe_key) DO NOTHING
        RETURNING line_id, posted_date, amount, description, payee
        """,
        company_id,
        bank_account_id,
        import_id,
        [ln.date for ln in statement.lines],
        [ln.amount for ln in statement.lines],
        [ln.description for ln in statement.lines],
        [ln.payee for ln in statement.lines],
        keys,
    )
    if statement.closing_balance is not None and statement.closing_date is not None:
        await conn.execute(
            "INSERT INTO bank_statement_balances (company_id, bank_account_id, statement_date, "
            "closing_balance) VALUES ($1, $2, $3, $4) ON CONFLICT (company_id, bank_account_id, "
            "statement_date) DO UPDATE SET closing_balance = excluded.closing_balance",
            company_id,
            bank_account_id,
            statement.closing_date,
            statement.closing_balance,
        )
    new = tuple(
        LineRow(
            r["line_id"],
            bank_account_id,
            account.account_key,
            account.currency,
            r["posted_date"],
            r["amount"],
            r["description"],
            r["payee"],
            None,
            None,
            None,
            None,
            None,
            None,
        )
        for r in rows
    )
    return ImportResult(
        import_id,
        statement.format,
        len(statement.lines),
        len(new),
        len(statement.lines) - len(new),
        new,
    )
