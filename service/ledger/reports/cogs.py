"""The "COGS Excel" download (seed 001/004): the cost of each order line,
where it came from and whether it is missing, per settlement if asked,
and every other cost of goods sold the journal holds for the period
(restocks reported by hand), so the file's total is the P&L's COGS.

Pure: rows in, bytes out, through the one tabular writer every download
shares (``service.ledger.exports.tables``): dates are dates, amounts are
numbers, text that could start a formula is escaped.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from service.domain.money import exponent, to_decimal
from service.ledger.exports.tables import Cell, Table, table_csv, table_xlsx


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
    cost_source: str  # MANUAL / INVENTORY_SYSTEM / PRODUCT_COSTING / RESTOCK / ""
    missing: bool
    payout_id: str | None = None
    store: str = ""


COGS_COLUMNS: tuple[str, ...] = (
    "Store",
    "Channel",
    "Order",
    "Order ID",
    "Date",
    "SKU",
    "Quantity",
    "Unit cost",
    "Total cost",
    "Cost source",
    "Missing cost",
    "Payout ID",
)


def _cells(row: CogsRow, currency: str) -> tuple[Cell, ...]:
    return (
        row.store,
        row.channel,
        row.order_name,
        row.order_id,
        row.day,
        row.sku or "",
        row.quantity,
        to_decimal(row.unit_cost, currency),
        to_decimal(row.total_cost, currency),
        row.cost_source,
        row.missing,
        row.payout_id or "",
    )


def cogs_table(rows: Iterable[CogsRow], currency: str, sheet_name: str = "COGS") -> Table:
    return Table(
        sheet_name,
        COGS_COLUMNS,
        [_cells(r, currency) for r in rows],
        exponent(currency),
    )


def cogs_csv(rows: Iterable[CogsRow], currency: str) -> bytes:
    """RFC 4180 CSV, UTF-8, header first; amounts as plain decimals."""
    return table_csv(cogs_table(rows, currency))


def cogs_xlsx(rows: Iterable[CogsRow], currency: str, sheet_name: str = "COGS") -> bytes:
    """A one-sheet workbook Excel, LibreOffice and openpyxl open as is."""
    return table_xlsx(cogs_table(rows, currency, sheet_name))
