"""Summary journals as the CSV files QuickBooks Online and Xero import.

QuickBooks Online ("Import journal entries", QuickBooks Online help): one
row per line with ``Journal No.``, ``Journal Date``, ``Account``,
``Debits``, ``Credits``, ``Description`` and ``Name``; rows sharing a
journal number form one entry, which must balance.

Xero ("Enter multiple manual journals using an import template",
help.xero.com/ManualJournalsImport): ``Narration``, ``Date``
(dd/mm/yyyy), ``Description``, ``AccountCode`` (the code, not the name),
``TaxRate`` (the tax rate's full name; storebooks writes "No VAT"-style
names only when mapped, else "Tax Exempt"), ``Amount`` (positive is a
debit, negative a credit) and tracking columns; rows sharing a narration
and date form one journal. Xero takes up to 300 lines a file.

Pure: summaries and the account mapping in, ``Table`` out.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from service.domain.money import exponent, to_decimal
from service.ledger.exports.reading import Books
from service.ledger.exports.summary import Summary
from service.ledger.exports.tables import Cell, Table

QBO_COLUMNS = ("Journal No.", "Journal Date", "Account", "Debits", "Credits", "Description", "Name")
XERO_COLUMNS = (
    "Narration",
    "Date",
    "Description",
    "AccountCode",
    "TaxRate",
    "Amount",
    "TrackingName1",
    "TrackingOption1",
    "TrackingName2",
    "TrackingOption2",
)
XERO_MAX_LINES = 300
NO_TAX = "Tax Exempt"


def _narration(books: Books, s: Summary) -> str:
    return f"storebooks {s.kind.lower()} {s.period} {books.store_name(s.store_id)} {s.channel}"


def qbo_table(
    books: Books, summaries: Iterable[Summary], mapping: Mapping[str, tuple[str, str]]
) -> Table:
    """``mapping``: storebooks key -> (QuickBooks account id, account name)."""
    rows: list[tuple[Cell, ...]] = []
    for n, s in enumerate(summaries, start=1):
        for ln in s.lines:
            amount = to_decimal(abs(ln.amount), s.currency)
            rows.append(
                (
                    f"SB{n:05d}",
                    s.date,
                    mapping[ln.account_key][1] or mapping[ln.account_key][0],
                    amount if ln.amount > 0 else None,
                    amount if ln.amount < 0 else None,
                    f"{_narration(books, s)}: {len(ln.entry_ids)} entries",
                    books.store_name(s.store_id),
                )
            )
    return Table("Journal entries", QBO_COLUMNS, rows, exponent(books.currency))


def xero_table(
    books: Books, summaries: Iterable[Summary], mapping: Mapping[str, tuple[str, str]]
) -> Table:
    """``mapping``: storebooks key -> (Xero account code, tax rate name or '')."""
    rows: list[tuple[Cell, ...]] = []
    for s in summaries:
        for ln in s.lines:
            code, tax = mapping[ln.account_key]
            rows.append(
                (
                    _narration(books, s),
                    s.date.strftime("%d/%m/%Y"),
                    f"{ln.account_key}: {len(ln.entry_ids)} entries",
                    code,
                    tax or NO_TAX,
                    to_decimal(ln.amount, s.currency),
                    "Channel" if s.channel else "",
                    s.channel,
                    "Store" if s.store_id else "",
                    books.store_name(s.store_id),
                )
            )
    return Table("Manual journals", XERO_COLUMNS, rows, exponent(books.currency))
