"""The engine's output: journal entries (the ledger layer persists them).

Amounts are integer minor units of the order's currency, debit positive and
credit negative, so an entry balances when its lines sum to zero.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from operator import attrgetter
from typing import Final

from service.domain.records import seal


@dataclass(slots=True, unsafe_hash=True)
class JournalLine:
    account: Final[str]
    amount: Final[int]
    store_id: Final[str]
    channel: Final[str]
    order_id: Final[str | None]
    sku: Final[str | None]
    processor: Final[str | None]

    def __init__(
        self,
        account: str,
        amount: int,
        store_id: str,
        channel: str,
        order_id: str | None = None,
        sku: str | None = None,
        processor: str | None = None,
    ) -> None:
        self.account = account
        self.amount = amount
        self.store_id = store_id
        self.channel = channel
        self.order_id = order_id
        self.sku = sku
        self.processor = processor


@dataclass(slots=True, unsafe_hash=True)
class JournalEntry:
    """One balanced entry.

    ``key`` is deterministic (order id, rule, event id, part) so a re-post can
    be diffed entry by entry; ``event`` is the id of the event that caused it;
    ``rule`` a stable rule id such as "cash.payment".
    """

    key: Final[str]
    date: Final[dt.date]
    order_id: Final[str | None]
    event: Final[str]
    rule: Final[str]
    memo: Final[str]
    lines: Final[tuple[JournalLine, ...]]

    def __init__(
        self,
        key: str,
        date: dt.date,
        order_id: str | None,
        event: str,
        rule: str,
        memo: str,
        lines: tuple[JournalLine, ...],
    ) -> None:
        self.key = key
        self.date = date
        self.order_id = order_id
        self.event = event
        self.rule = rule
        self.memo = memo
        self.lines = lines

    @property
    def balanced(self) -> bool:
        return sum(line.amount for line in self.lines) == 0


seal(JournalLine, JournalEntry)


_DATE_KEY = attrgetter("date", "key")


def sort_entries(entries: Iterable[JournalEntry]) -> tuple[JournalEntry, ...]:
    """The canonical order of a journal: by date, then key."""
    return tuple(sorted(entries, key=_DATE_KEY))


def account_totals(entries: Iterable[JournalEntry]) -> dict[str, int]:
    """All-time (or whatever range was passed) net amount per account."""
    totals: dict[str, int] = {}
    for entry in entries:
        for line in entry.lines:
            totals[line.account] = totals.get(line.account, 0) + line.amount
    return {k: v for k, v in sorted(totals.items()) if v != 0}
