"""The COGS download per settlement or statement, with store and channel on every row.

As the per-settlement "COGS Excel" merchants download: each order's units
a settlement reported as shipped, the unit cost the books used, and
whether the cost is still missing. Written as the COGS report is (RFC 4180
CSV, a one-sheet XLSX with numeric amounts and text guarded against
formula injection in CSV).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from xml.sax.saxutils import escape

from service.domain.money import format_amount
from service.ledger.reports.cogs import (
    _CONTENT_TYPES,
    _ROOT_RELS,
    _STYLES,
    _WORKBOOK,
    _WORKBOOK_RELS,
    _csv_text,
    _Number,
    _sheet,
)


@dataclass(frozen=True, slots=True)
class SettlementCogsRow:
    store: str
    channel: str
    settlement_id: str
    order_id: str
    day: dt.date
    sku: str
    fulfillment: str
    quantity: int
    unit_cost: int
    total_cost: int
    missing: bool


COLUMNS = (
    "Store",
    "Channel",
    "Settlement ID",
    "Order ID",
    "Date",
    "SKU",
    "Fulfilled by",
    "Quantity",
    "Unit cost",
    "Total cost",
    "Missing cost",
)


def _cells(r: SettlementCogsRow, currency: str) -> tuple[str | _Number | bool, ...]:
    return (
        r.store,
        r.channel,
        r.settlement_id,
        r.order_id,
        r.day.isoformat(),
        r.sku,
        r.fulfillment,
        _Number(str(r.quantity)),
        _Number(format_amount(r.unit_cost, currency)),
        _Number(format_amount(r.total_cost, currency)),
        r.missing,
    )


def settlement_cogs_csv(rows: Iterable[SettlementCogsRow], currency: str) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for r in rows:
        writer.writerow([_csv_text(c) for c in _cells(r, currency)])
    return buf.getvalue().encode("utf-8")


def settlement_cogs_xlsx(rows: Iterable[SettlementCogsRow], currency: str) -> bytes:
    table = [tuple[str | _Number | bool, ...](COLUMNS)]
    table.extend(_cells(r, currency) for r in rows)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", _CONTENT_TYPES)
        z.writestr("_rels/.rels", _ROOT_RELS)
        z.writestr("xl/workbook.xml", _WORKBOOK.format(name=escape("COGS")))
        z.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        z.writestr("xl/styles.xml", _STYLES)
        z.writestr("xl/worksheets/sheet1.xml", _sheet(table))
    return buf.getvalue()
