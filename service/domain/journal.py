"""The engine's output: journal entries (the ledger layer persists them).

Amounts are integer minor units of the order's currency, debit positive and
credit negative, so an entry balances when its lines sum to zero.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from operator import attrgetter


@dataclass(frozen=True, slots=True)
class JournalLine:
    account: str
    amount: int
    store_id: str
    channel: str
    order_id: str | None = None
    sku: str | None = None
    processor: str | None = None

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
        # Written out instead of the generated frozen __init__ (which goes
        # through object.__setattr__ per field): a re-post builds millions
        # of lines, and the slot descriptors are twice as fast. The
        # instance is exactly as frozen as with the generated one.
        _l_account(self, account)
        _l_amount(self, amount)
        _l_store_id(self, store_id)
        _l_channel(self, channel)
        _l_order_id(self, order_id)
        _l_sku(self, sku)
        _l_processor(self, processor)


@dataclass(frozen=True, slots=True)
class JournalEntry:
    """One balanced entry.

    ``key`` is deterministic (order id, rule, event id, part) so a re-post can
    be diffed entry by entry; ``event`` is the id of the event that caused it;
    ``rule`` a stable rule id such as "cash.payment".
    """

    key: str
    date: dt.date
    order_id: str | None
    event: str
    rule: str
    memo: str
    lines: tuple[JournalLine, ...]

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
        # See JournalLine.__init__.
        _e_key(self, key)
        _e_date(self, date)
        _e_order_id(self, order_id)
        _e_event(self, event)
        _e_rule(self, rule)
        _e_memo(self, memo)
        _e_lines(self, lines)

    @property
    def balanced(self) -> bool:
        return sum(line.amount for line in self.lines) == 0


def _setter(cls: type, name: str) -> Callable[[object, object], None]:
    """The slot's own setter, which bypasses the frozen ``__setattr__``."""
    setter: Callable[[object, object], None] = vars(cls)[name].__set__
    return setter


_l_account = _setter(JournalLine, "account")
_l_amount = _setter(JournalLine, "amount")
_l_store_id = _setter(JournalLine, "store_id")
_l_channel = _setter(JournalLine, "channel")
_l_order_id = _setter(JournalLine, "order_id")
_l_sku = _setter(JournalLine, "sku")
_l_processor = _setter(JournalLine, "processor")
_e_key = _setter(JournalEntry, "key")
_e_date = _setter(JournalEntry, "date")
_e_order_id = _setter(JournalEntry, "order_id")
_e_event = _setter(JournalEntry, "event")
_e_rule = _setter(JournalEntry, "rule")
_e_memo = _setter(JournalEntry, "memo")
_e_lines = _setter(JournalEntry, "lines")


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
