"""The "COGS Excel" download (seed 001/004): the cost of each order line,
where it came from and whether it is missing, per settlement if asked.

Pure: rows in, bytes out. CSV follows RFC 4180 (CRLF, quotes doubled,
UTF-8 with a header row). XLSX is written by hand as a minimal Office Open
XML package (one sheet, bold header, inline strings) so the service needs
no spreadsheet dependency; amounts are numeric cells so totals work in
Excel, dates are ISO text so no locale reinterprets them.

Spreadsheet formula injection: an order name or SKU comes from a store and
could start with ``=``. In CSV such text is prefixed with ``'`` (OWASP's
advice) because Excel evaluates it on open; XLSX inline strings are never
evaluated, so they are written as they are.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from xml.sax.saxutils import escape

from service.domain.money import format_amount


@dataclass(frozen=True, slots=True)
class CogsRow:
    order_name: str
    order_id: str
    day: dt.date
    channel: str
    sku: str | None
    quantity: int
    unit_cost: int  # minor units per unit (0 when missing)
    total_cost: int  # minor units
    cost_source: str  # MANUAL / INVENTORY_SYSTEM / PRODUCT_COSTING / ""
    missing: bool
    payout_id: str | None = None


COGS_COLUMNS: tuple[str, ...] = (
    "Order",
    "Order ID",
    "Date",
    "Channel",
    "SKU",
    "Quantity",
    "Unit cost",
    "Total cost",
    "Cost source",
    "Missing cost",
    "Payout ID",
)


@dataclass(frozen=True, slots=True)
class _Number:
    text: str  # an exact decimal string ("12.30")


def _cells(row: CogsRow, currency: str) -> tuple[str | _Number | bool, ...]:
    return (
        row.order_name,
        row.order_id,
        row.day.isoformat(),
        row.channel,
        row.sku or "",
        _Number(str(row.quantity)),
        _Number(format_amount(row.unit_cost, currency)),
        _Number(format_amount(row.total_cost, currency)),
        row.cost_source,
        row.missing,
        row.payout_id or "",
    )


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _csv_text(value: str | _Number | bool) -> str:
    if isinstance(value, _Number):
        return value.text
    if isinstance(value, bool):
        return "yes" if value else "no"
    return "'" + value if value.startswith(_FORMULA_START) else value


def cogs_csv(rows: Iterable[CogsRow], currency: str) -> bytes:
    """RFC 4180 CSV, UTF-8, header first; amounts as plain decimals."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(COGS_COLUMNS)
    for row in rows:
        writer.writerow([_csv_text(c) for c in _cells(row, currency)])
    return buf.getvalue().encode("utf-8")


# -- XLSX -------------------------------------------------------------------

# Characters XML 1.0 cannot carry at all; a store's text could hold them.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

_XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_SML = "application/vnd.openxmlformats-officedocument.spreadsheetml"
_PKG_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
_DOC_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"

_CONTENT_TYPES = (
    f"{_XML_HEAD}"
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    f'<Override PartName="/xl/workbook.xml" ContentType="{_SML}.sheet.main+xml"/>'
    f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{_SML}.worksheet+xml"/>'
    f'<Override PartName="/xl/styles.xml" ContentType="{_SML}.styles+xml"/>'
    "</Types>"
)
_ROOT_RELS = (
    f'{_XML_HEAD}<Relationships xmlns="{_PKG_RELS}">'
    f'<Relationship Id="rId1" Type="{_DOC_RELS}/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="{name}" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    f'{_XML_HEAD}<Relationships xmlns="{_PKG_RELS}">'
    f'<Relationship Id="rId1" Type="{_DOC_RELS}/worksheet" Target="worksheets/sheet1.xml"/>'
    f'<Relationship Id="rId2" Type="{_DOC_RELS}/styles" Target="styles.xml"/>'
    "</Relationships>"
)
_STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)


def column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    n = index + 1
    while n:
        n, rem = divmod(n - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _xml_cell(ref: str, value: str | _Number | bool, style: str) -> str:
    if isinstance(value, _Number):
        return f'<c r="{ref}"{style}><v>{value.text}</v></c>'
    if isinstance(value, bool):
        return f'<c r="{ref}"{style} t="b"><v>{int(value)}</v></c>'
    text = escape(_XML_ILLEGAL.sub("", value))
    return f'<c r="{ref}"{style} t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>'


def _sheet(rows: Iterable[tuple[str | _Number | bool, ...]]) -> str:
    parts = [
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" '
        'activePane="bottomLeft" state="frozen"/></sheetView></sheetViews><sheetData>'
    ]
    for r, cells in enumerate(rows, start=1):
        style = ' s="1"' if r == 1 else ""
        parts.append(f'<row r="{r}">')
        parts.extend(_xml_cell(f"{column_letter(c)}{r}", v, style) for c, v in enumerate(cells))
        parts.append("</row>")
    parts.append("</sheetData></worksheet>")
    return "".join(parts)


def cogs_xlsx(rows: Iterable[CogsRow], currency: str, sheet_name: str = "COGS") -> bytes:
    """A one-sheet workbook Excel, LibreOffice and openpyxl open as is."""
    table = [tuple[str | _Number | bool, ...](COGS_COLUMNS)]
    table.extend(_cells(row, currency) for row in rows)
    return workbook(table, sheet_name)


Cell = str | _Number | bool


def number(text: str) -> _Number:
    """An exact decimal string written as a numeric cell."""
    return _Number(text)


def table_csv(table: Iterable[tuple[Cell, ...]]) -> bytes:
    """Any table (header row first) as RFC 4180 CSV, formula-safe."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    for cells in table:
        writer.writerow([_csv_text(c) for c in cells])
    return buf.getvalue().encode("utf-8")


def workbook(table: Iterable[tuple[Cell, ...]], sheet_name: str) -> bytes:
    """Any table (header row first, bold) as a one-sheet XLSX."""
    name = escape(_XML_ILLEGAL.sub("", sheet_name)[:31] or "Sheet1", {'"': "&quot;"})
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", _CONTENT_TYPES)
        z.writestr("_rels/.rels", _ROOT_RELS)
        z.writestr("xl/workbook.xml", _WORKBOOK.format(name=name))
        z.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        z.writestr("xl/styles.xml", _STYLES)
        z.writestr("xl/worksheets/sheet1.xml", _sheet(table))
    return buf.getvalue()
