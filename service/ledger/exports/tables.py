"""One writer for every tabular download (CSV and XLSX).

Pure: a ``Table`` of typed cells in, bytes out. Dates stay dates and
amounts stay numbers in both formats (a spreadsheet sums them and sorts by
them); text is text.

CSV follows RFC 4180 (CRLF, quotes doubled, UTF-8, header first). XLSX is
written by XlsxWriter, one sheet per table, a bold frozen header, dates
with a date format and amounts with the currency's decimals.

Formula injection: a name, an order number or a memo comes from a store or
a client and could start with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return, which a spreadsheet may evaluate when the file is opened.
Such text is written with a leading ``'`` in both formats (OWASP's advice),
and XLSX text cells are always written as strings, never as formulas.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

import xlsxwriter

Cell = str | int | Decimal | dt.date | bool | None
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# Characters XML 1.0 cannot carry at all; a store's text could hold them.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_SHEET_NAME_BAD = re.compile(r"[\[\]:*?/\\]")


@dataclass(frozen=True, slots=True)
class Table:
    """A sheet: a name, the column titles, and the rows of typed cells.

    ``decimals``: how many places amounts show in a spreadsheet (the
    currency's minor units)."""

    name: str
    columns: tuple[str, ...]
    rows: Sequence[Sequence[Cell]] = field(default_factory=list)
    decimals: int = 2


def safe_text(value: str) -> str:
    """Text a spreadsheet shows as text, never evaluates."""
    return "'" + value if value.startswith(_FORMULA_START) else value


def _csv_cell(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, int | Decimal):
        return str(value)
    return safe_text(value)


def table_csv(table: Table) -> bytes:
    """RFC 4180 CSV, UTF-8, header first; amounts as plain decimals."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(table.columns)
    for row in table.rows:
        writer.writerow([_csv_cell(c) for c in row])
    return buf.getvalue().encode("utf-8")


def _sheet_name(name: str, taken: set[str]) -> str:
    base = _SHEET_NAME_BAD.sub("_", _XML_ILLEGAL.sub("", name)).strip("'")[:31] or "Sheet"
    out, n = base, 1
    while out.lower() in taken:
        n += 1
        out = f"{base[:28]}~{n}"
    taken.add(out.lower())
    return out


def tables_xlsx(tables: Iterable[Table]) -> bytes:
    """A workbook with one sheet per table, as Excel, LibreOffice and openpyxl open it."""
    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_formulas": False})
    bold = book.add_format({"bold": True})
    date = book.add_format({"num_format": "yyyy-mm-dd"})
    amounts: dict[int, object] = {}
    taken: set[str] = set()
    for table in tables:
        sheet = book.add_worksheet(_sheet_name(table.name, taken))
        places = max(0, min(table.decimals, 6))
        if places not in amounts:
            fmt = "0" if not places else "0." + "0" * places
            amounts[places] = book.add_format({"num_format": "#,##" + fmt})
        amount = amounts[places]
        sheet.write_row(0, 0, list(table.columns), bold)
        sheet.freeze_panes(1, 0)
        for r, row in enumerate(table.rows, start=1):
            for c, value in enumerate(row):
                _xlsx_cell(sheet, r, c, value, date, amount)
    book.close()
    return buf.getvalue()


def _xlsx_cell(sheet: object, r: int, c: int, value: Cell, date: object, amount: object) -> None:
    ws = sheet  # xlsxwriter's Worksheet (untyped)
    if value is None:
        return
    if isinstance(value, bool):
        ws.write_boolean(r, c, value)  # type: ignore[attr-defined]
    elif isinstance(value, dt.date):
        ws.write_datetime(r, c, dt.datetime.combine(value, dt.time()), date)  # type: ignore[attr-defined]
    elif isinstance(value, Decimal):
        ws.write_number(r, c, value, amount)  # type: ignore[attr-defined]
    elif isinstance(value, int):
        ws.write_number(r, c, value)  # type: ignore[attr-defined]
    else:
        ws.write_string(r, c, safe_text(_XML_ILLEGAL.sub("", value)))  # type: ignore[attr-defined]


def table_xlsx(table: Table) -> bytes:
    return tables_xlsx([table])
