"""Restocks reported by hand (posting rules section 10, seed 000)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum


@dataclass(frozen=True, slots=True)
class ChannelRestock:
    """A COGS amount for a channel and a period; negative is a restock."""

    id: str
    store_id: str
    channel: str
    period_start: dt.date
    period_end: dt.date
    amount: int
    currency: str = "USD"


@dataclass(frozen=True, slots=True)
class SkuRestock:
    """Units of a SKU restocked on a channel in a month (``month`` is any
    day of that month), valued at ``unit_cost``."""

    store_id: str
    channel: str
    sku: str
    month: dt.date
    units: int
    unit_cost: int
    currency: str = "USD"


class BulkMode(StrEnum):
    REPLACE = "REPLACE"
    ADD_ON_TOP = "ADD_ON_TOP"
