"""Buying stock: suppliers' bills and their payments (posting rule 14.1).

A purchase is units received at a cost; freight and duties named on it are
part of what the units cost. Unpaid, it is a bill owed to its supplier;
paid at once, the money left the bank that day. Amounts are integer minor
units.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class PurchaseRecord:
    id: str
    sku: str
    day: dt.date
    units: int
    unit_cost: int
    freight: int = 0
    duties: int = 0
    supplier_id: str | None = None
    supplier_name: str = ""
    paid_at_once: bool = False
    reference: str = ""

    @property
    def landed_cost(self) -> int:
        """What the units cost on the shelf, freight and duties included."""
        return self.units * self.unit_cost + self.freight + self.duties


@dataclass(frozen=True, slots=True)
class BillPayment:
    id: str
    supplier_id: str
    day: dt.date
    amount: int
    supplier_name: str = ""
    purchase_id: str | None = None
    reference: str = ""
