"""The journal and the statements as tables (CSV or XLSX through the
shared writer): the company, store and channel on every row, dates as
dates, amounts as numbers in the books' currency.

Pure: what the readers returned in, ``Table`` out.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from uuid import UUID

from service.domain.accounts import Chart
from service.domain.money import exponent, to_decimal
from service.ledger.exports.reading import Books
from service.ledger.exports.tables import Cell, Table
from service.ledger.journal_reads import StoredEntry
from service.ledger.statements import PL_TYPES, shown

JOURNAL_COLUMNS = (
    "Company",
    "Store",
    "Channel",
    "Date",
    "Entry ID",
    "Entry key",
    "Rule",
    "Memo",
    "Order ID",
    "SKU",
    "Processor",
    "Account",
    "Account name",
    "Debit",
    "Credit",
    "Currency",
)
STATEMENT_COLUMNS = (
    "Company",
    "Store",
    "Channel",
    "From",
    "To",
    "Account",
    "Account name",
    "Account type",
    "Amount",
    "Currency",
)
TRIAL_COLUMNS = (
    "Company",
    "Store",
    "Channel",
    "From",
    "To",
    "Account",
    "Account name",
    "Debit",
    "Credit",
    "Currency",
)
VALUATION_COLUMNS = (
    "Company",
    "Store",
    "Channel",
    "As of",
    "SKU",
    "Units",
    "Unit cost",
    "Value",
    "Currency",
)
ALL = "All"


def journal_table(books: Books, entries: Iterable[StoredEntry]) -> Table:
    rows: list[tuple[Cell, ...]] = []
    for e in entries:
        for ln in e.lines:
            amount = to_decimal(abs(ln.amount), e.currency_code)
            rows.append(
                (
                    books.company,
                    books.store_name(ln.store_id or e.store_id),
                    ln.channel or "",
                    e.date,
                    e.entry_id,
                    e.entry_key,
                    e.rule,
                    e.memo,
                    ln.order_id or e.order_id or "",
                    ln.sku or "",
                    ln.processor or "",
                    ln.account_key,
                    books.chart.get(ln.account_key).name,
                    amount if ln.amount > 0 else None,
                    amount if ln.amount < 0 else None,
                    e.currency_code,
                )
            )
    return Table("Journal", JOURNAL_COLUMNS, rows, exponent(books.currency))


def _ordered(chart: Chart, sums: dict[tuple[UUID, str, str], int]) -> list[tuple[UUID, str, str]]:
    position = {a.key: i for i, a in enumerate(chart.accounts)}
    return sorted(sums, key=lambda k: (str(k[0]), k[1], position.get(k[2], 10**6), k[2]))


def statement_table(
    books: Books,
    name: str,
    sums: dict[tuple[UUID, str, str], int],
    start: dt.date | None,
    end: dt.date,
    *,
    profit_and_loss: bool,
) -> Table:
    """P&L (income and expense accounts over the period) or balance sheet
    (asset, liability and equity accounts at the end), per store and
    channel, amounts as a statement shows them."""
    rows: list[tuple[Cell, ...]] = []
    for key in _ordered(books.chart, sums):
        store, channel, account = key
        acct = books.chart.get(account)
        if (acct.type in PL_TYPES) != profit_and_loss:
            continue
        rows.append(
            (
                books.company,
                books.store_name(store),
                channel,
                start,
                end,
                account,
                acct.name,
                acct.type.value,
                to_decimal(shown(account, sums[key], books.chart), books.currency),
                books.currency,
            )
        )
    return Table(name, STATEMENT_COLUMNS, rows, exponent(books.currency))


def trial_table(
    books: Books,
    lines: Iterable[tuple[str, int]],
    start: dt.date,
    end: dt.date,
    store: str = ALL,
) -> Table:
    rows: list[tuple[Cell, ...]] = []
    for account, net in lines:
        if not net:
            continue
        amount = to_decimal(abs(net), books.currency)
        rows.append(
            (
                books.company,
                store,
                ALL,
                start,
                end,
                account,
                books.chart.get(account).name,
                amount if net > 0 else None,
                amount if net < 0 else None,
                books.currency,
            )
        )
    return Table("Trial balance", TRIAL_COLUMNS, rows, exponent(books.currency))


def valuation_table(
    books: Books, as_of: dt.date, lines: Iterable[tuple[str, int, int | None, int]]
) -> Table:
    """Inventory is valued company-wide: the store and channel read 'All'."""
    rows: list[tuple[Cell, ...]] = [
        (
            books.company,
            ALL,
            ALL,
            as_of,
            sku,
            units,
            to_decimal(unit_cost, books.currency) if unit_cost is not None else None,
            to_decimal(value, books.currency),
            books.currency,
        )
        for sku, units, unit_cost, value in lines
    ]
    return Table("Inventory valuation", VALUATION_COLUMNS, rows, exponent(books.currency))
