"""The COGS download per settlement or statement, with store and channel on every row.

As the per-settlement "COGS Excel" merchants download: each order's units
a settlement reported as shipped, the unit cost the books used, and
whether the cost is still missing. Written by the one table writer every
download shares (dates as dates, amounts as numbers, text guarded against
formula injection).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from service.domain.money import exponent, to_decimal
from service.ledger.exports.tables import Cell, Table, table_csv, table_xlsx


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


def _cells(r: SettlementCogsRow, currency: str) -> tuple[Cell, ...]:
    return (
        r.store,
        r.channel,
        r.settlement_id,
        r.order_id,
        r.day,
        r.sku,
        r.fulfillment,
        r.quantity,
        to_decimal(r.unit_cost, currency),
        to_decimal(r.total_cost, currency),
        r.missing,
    )


def settlement_cogs_table(rows: Iterable[SettlementCogsRow], currency: str) -> Table:
    return Table("COGS", COLUMNS, [_cells(r, currency) for r in rows], decimals=exponent(currency))


def settlement_cogs_csv(rows: Iterable[SettlementCogsRow], currency: str) -> bytes:
    return table_csv(settlement_cogs_table(rows, currency))


def settlement_cogs_xlsx(rows: Iterable[SettlementCogsRow], currency: str) -> bytes:
    return table_xlsx(settlement_cogs_table(rows, currency))
