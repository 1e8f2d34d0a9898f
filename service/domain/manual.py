"""Entries a person makes by hand: manual journal entries and opening
balances (posting rules 14.3 and 15.1).

Amounts are integer minor units, debit positive and credit negative, as in
the journal. These records are inputs like orders: the journal is posted
from them, and a full re-post posts them again unchanged.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ManualLine:
    account: str
    amount: int  # debit positive, credit negative
    memo: str = ""


@dataclass(frozen=True, slots=True)
class ManualEntry:
    """``reverses``: the id of the entry this one reverses (entries are
    never edited or deleted: a correction reverses and re-enters)."""

    id: str
    date: dt.date
    memo: str
    lines: tuple[ManualLine, ...]
    references: tuple[str, ...] = ()
    reverses: str | None = None


@dataclass(frozen=True, slots=True)
class OpeningInventory:
    sku: str
    units: int
    unit_cost: int


@dataclass(frozen=True, slots=True)
class OpeningBalances:
    """A company's balances on the day it starts keeping its books here:
    inventory from its SKU list and any other account, the difference
    against opening balance equity."""

    date: dt.date
    lines: tuple[ManualLine, ...] = ()
    inventory: tuple[OpeningInventory, ...] = ()
