"""The COGS download, read back the way a spreadsheet would read it."""

from __future__ import annotations

import csv
import datetime as dt
import importlib.util
import io
import zipfile
from xml.etree import ElementTree as ET

import pytest

from service.ledger.reports import COGS_COLUMNS, CogsRow, cogs_csv, cogs_xlsx
from service.ledger.reports.cogs import column_letter

NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}

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
    ),
]


def test_csv_is_rfc4180_with_a_header() -> None:
    data = cogs_csv(ROWS, "USD")
    assert data.startswith(b"Order,Order ID,Date,")
    assert data.split(b"\r\n")[0].decode() == ",".join(COGS_COLUMNS)
    parsed = list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))
    assert parsed[0] == list(COGS_COLUMNS)
    assert parsed[1] == [
        "#1001",
        "gid-1",
        "2025-03-01",
        "Shopify",
        "MUG",
        "2",
        "4.10",
        "8.20",
        "INVENTORY_SYSTEM",
        "no",
        "po_77",
    ]
    assert parsed[2][0] == '\'=HYPERLINK("x")'  # never a live formula
    assert parsed[2][4] == "" and parsed[2][9] == "yes"
    assert parsed[3][0] == 'Quote "and", comma\nnewline é'
    assert len(parsed) == 4


def test_csv_amounts_follow_the_currency() -> None:
    (line,) = list(csv.reader(io.StringIO(cogs_csv(ROWS[:1], "KWD").decode())))[1:]
    assert line[6:8] == ["0.410", "0.820"]


def _sheet_rows(data: bytes) -> list[list[tuple[str, str | None, str]]]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert z.testzip() is None
        names = set(z.namelist())
        assert {
            "[Content_Types].xml",
            "_rels/.rels",
            "xl/workbook.xml",
            "xl/_rels/workbook.xml.rels",
            "xl/styles.xml",
            "xl/worksheets/sheet1.xml",
        } <= names
        for name in names:
            ET.fromstring(z.read(name))  # every part is well-formed XML
        sheet = ET.fromstring(z.read("xl/worksheets/sheet1.xml"))
    out = []
    for row in sheet.iterfind(".//m:sheetData/m:row", NS):
        cells = []
        for c in row.iterfind("m:c", NS):
            kind = c.get("t")
            if kind == "inlineStr":
                text = "".join(t.text or "" for t in c.iterfind(".//m:t", NS))
            else:
                v = c.find("m:v", NS)
                text = "" if v is None else (v.text or "")
            cells.append((c.get("r") or "", kind, text))
        out.append(cells)
    return out


def test_xlsx_is_a_valid_package_with_typed_cells() -> None:
    rows = _sheet_rows(cogs_xlsx(ROWS, "USD"))
    assert [t for _, _, t in rows[0]] == list(COGS_COLUMNS)
    assert [r for r, _, _ in rows[0]][-1] == "K1"
    first = rows[1]
    assert first[0] == ("A2", "inlineStr", "#1001")
    assert first[2] == ("C2", "inlineStr", "2025-03-01")  # ISO text, not a serial
    assert first[5] == ("F2", None, "2")
    assert first[6] == ("G2", None, "4.10")
    assert first[7] == ("H2", None, "8.20")
    assert first[9] == ("J2", "b", "0")
    assert rows[2][0][2] == '=HYPERLINK("x")'  # inline strings are never evaluated
    assert rows[2][9] == ("J3", "b", "1")
    assert rows[3][0][2] == 'Quote "and", comma\nnewline é'
    assert rows[3][4][2] == "TEE"  # a control character XML cannot carry is dropped
    assert len(rows) == 4


def test_xlsx_header_is_bold() -> None:
    with zipfile.ZipFile(io.BytesIO(cogs_xlsx([], "USD"))) as z:
        sheet = ET.fromstring(z.read("xl/worksheets/sheet1.xml"))
        styles = ET.fromstring(z.read("xl/styles.xml"))
    header = sheet.findall(".//m:row", NS)
    assert len(header) == 1 and all(c.get("s") == "1" for c in header[0])
    xf = styles.findall("m:cellXfs/m:xf", NS)[1]
    font = styles.findall("m:fonts/m:font", NS)[int(xf.get("fontId") or 0)]
    assert font.find("m:b", NS) is not None


def test_column_letters() -> None:
    assert [column_letter(i) for i in (0, 25, 26, 27, 701, 702)] == [
        "A",
        "Z",
        "AA",
        "AB",
        "ZZ",
        "AAA",
    ]


@pytest.mark.skipif(importlib.util.find_spec("openpyxl") is None, reason="openpyxl not installed")
def test_openpyxl_reads_it() -> None:  # pragma: no cover - only where openpyxl exists
    import openpyxl  # type: ignore[import-untyped]

    wb = openpyxl.load_workbook(io.BytesIO(cogs_xlsx(ROWS, "USD")))
    ws = wb.active
    assert [c.value for c in ws[1]] == list(COGS_COLUMNS)
    assert ws["G2"].value == pytest.approx(4.10)
    assert ws["J3"].value is True
