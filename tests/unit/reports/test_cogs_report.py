"""The COGS download, read back the way a spreadsheet would read it."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import openpyxl  # type: ignore[import-untyped]

from service.ledger.exports.tables import Table, table_csv, table_xlsx
from service.ledger.reports import COGS_COLUMNS, CogsRow, cogs_csv, cogs_xlsx

ROWS = [
    CogsRow(
        "#1001",
        "gid-1",
        dt.date(2025, 3, 1),
        "Shopify",
        "MUG",
        2,
        410,
        820,
        "INVENTORY_SYSTEM",
        False,
        "po_77",
        "Main store",
    ),
    CogsRow('=HYPERLINK("x")', "gid-2", dt.date(2025, 3, 2), "Amazon", None, 1, 0, 0, "", True),
    CogsRow(
        'Quote "and", comma\nnewline é',
        "gid-3",
        dt.date(2025, 3, 3),
        "TikTok",
        "TEE\x01",
        3,
        1234,
        3702,
        "MANUAL",
        False,
        None,
        "@store",
    ),
]


def test_csv_is_rfc4180_with_a_header() -> None:
    data = cogs_csv(ROWS, "USD")
    assert data.split(b"\r\n")[0].decode() == ",".join(COGS_COLUMNS)
    parsed = list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))
    assert parsed[0] == list(COGS_COLUMNS)
    assert parsed[1] == [
        "Main store",
        "Shopify",
        "#1001",
        "gid-1",
        "2025-03-01",
        "MUG",
        "2",
        "4.10",
        "8.20",
        "INVENTORY_SYSTEM",
        "no",
        "po_77",
    ]
    assert parsed[2][2] == '\'=HYPERLINK("x")'  # never a live formula
    assert parsed[2][5] == "" and parsed[2][10] == "yes"
    assert parsed[3][2] == 'Quote "and", comma\nnewline é'
    assert parsed[3][0] == "'@store"
    assert len(parsed) == 4


def test_csv_amounts_follow_the_currency() -> None:
    (line,) = list(csv.reader(io.StringIO(cogs_csv(ROWS[:1], "KWD").decode())))[1:]
    assert line[7:9] == ["0.410", "0.820"]


def test_xlsx_has_typed_cells_and_no_formula() -> None:
    wb = openpyxl.load_workbook(io.BytesIO(cogs_xlsx(ROWS, "USD")))
    ws = wb.active
    assert ws.title == "COGS"
    assert [c.value for c in ws[1]] == list(COGS_COLUMNS)
    assert all(c.font.b for c in ws[1])
    assert ws.freeze_panes == "A2"
    assert ws["E2"].value == dt.datetime(2025, 3, 1)  # a date, not text
    assert ws["E2"].is_date
    assert ws["G2"].value == 2
    assert Decimal(str(ws["H2"].value)) == Decimal("4.10")
    assert Decimal(str(ws["I2"].value)) == Decimal("8.20")
    assert ws["K2"].value is False and ws["K3"].value is True
    assert ws["C3"].value == '\'=HYPERLINK("x")' and ws["C3"].data_type == "s"
    assert ws["C4"].value == 'Quote "and", comma\nnewline é'
    assert ws["F4"].value == "TEE"  # a control character XML cannot carry is dropped
    assert ws.max_row == 4


def test_every_formula_start_is_escaped() -> None:
    starts = ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx", "plain"]
    table = Table("T", ("Name",), [(s,) for s in starts])
    parsed = list(csv.reader(io.StringIO(table_csv(table).decode(), newline="")))[1:]
    assert [r[0] for r in parsed] == ["'" + s for s in starts[:-1]] + ["plain"]
    ws = openpyxl.load_workbook(io.BytesIO(table_xlsx(table))).active
    values = [ws.cell(row=r, column=1).value for r in range(2, 2 + len(starts))]
    assert all(v.startswith("'") for v in values[:-1]) and values[-1] == "plain"
    assert all(ws.cell(row=r, column=1).data_type == "s" for r in range(2, 2 + len(starts)))


def test_sheet_names_are_made_valid_and_unique() -> None:
    from service.ledger.exports.tables import tables_xlsx

    data = tables_xlsx([Table("a/b:c" * 10, ("x",)), Table("a/b:c" * 10, ("x",))])
    names = openpyxl.load_workbook(io.BytesIO(data)).sheetnames
    assert len(names) == 2 and len(set(names)) == 2 and all(len(n) <= 31 for n in names)
