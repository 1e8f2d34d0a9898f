"""Summary journals: one balanced entry per period, store and channel, a
line per account, each line naming the journal entries it sums.

A ledger that receives every order fills up with thousands of lines a
month; a summary per day, per payout or per month keeps the accounting
system readable while every number still traces back to its entries (and
through them to orders and rules). Entries are grouped whole (by the
entry's store and channel), so each summary balances because each entry
does.

Pure: entries in, summaries out.
"""

from __future__ import annotations

import calendar
import datetime as dt
import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from uuid import UUID

from service.ledger.journal_reads import StoredEntry


class SummaryKind(StrEnum):
    DAY = "DAY"
    MONTH = "MONTH"
    PAYOUT = "PAYOUT"


@dataclass(frozen=True, slots=True)
class SummaryLine:
    account_key: str
    amount: int  # minor units, debit positive
    entry_ids: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Summary:
    kind: SummaryKind
    period: str  # "2025-03-01", "2025-03" or a payout id
    date: dt.date
    store_id: UUID | None
    channel: str
    currency: str
    lines: tuple[SummaryLine, ...]

    @property
    def key(self) -> str:
        """Stable across re-posts: what a pushed copy is found again by."""
        store, channel = self.store_id or "-", self.channel or "-"
        return f"{self.kind}/{self.period}/{store}/{channel}/{self.currency}"

    @property
    def fingerprint(self) -> str:
        """Changes when and only when an amount or a line does."""
        text = "|".join(f"{ln.account_key}={ln.amount}" for ln in self.lines)
        return hashlib.sha256(f"{self.date}|{text}".encode()).hexdigest()[:32]

    @property
    def entry_ids(self) -> tuple[int, ...]:
        return tuple(sorted({i for ln in self.lines for i in ln.entry_ids}))


def month_end(day: dt.date) -> dt.date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def period_of(
    kind: SummaryKind, entry: StoredEntry, payouts: Mapping[str, tuple[str, dt.date]]
) -> tuple[str, dt.date]:
    """The period an entry is summed into, and the summary's date.

    By payout: an order's entries go with the payout that carried its
    payments, dated on the payout's date; entries no payout carried stay
    in their day."""
    if kind is SummaryKind.MONTH:
        return entry.date.strftime("%Y-%m"), month_end(entry.date)
    if kind is SummaryKind.PAYOUT and entry.order_id and entry.order_id in payouts:
        payout_id, day = payouts[entry.order_id]
        return f"payout:{payout_id}", max(day, entry.date)
    return entry.date.isoformat(), entry.date


def entry_channel(entry: StoredEntry) -> str:
    for line in entry.lines:
        if line.channel:
            return line.channel
    return ""


def summarize(
    kind: SummaryKind,
    entries: Iterable[StoredEntry],
    *,
    payouts: Mapping[str, tuple[str, dt.date]] | None = None,
    last_day: dt.date | None = None,
) -> list[Summary]:
    """Summaries of the entries, in (date, key) order; ``last_day`` caps a
    month's date when the export stops mid-month."""
    groups: dict[tuple[str, UUID | None, str, str], dict[str, list[int]]] = {}
    amounts: dict[tuple[tuple[str, UUID | None, str, str], str], int] = {}
    dates: dict[tuple[str, UUID | None, str, str], dt.date] = {}
    for e in entries:
        period, day = period_of(kind, e, payouts or {})
        group = (period, e.store_id, entry_channel(e), e.currency_code)
        dates[group] = max(dates.get(group, day), day)
        by_account = groups.setdefault(group, {})
        for ln in e.lines:
            ids = by_account.setdefault(ln.account_key, [])
            if not ids or ids[-1] != e.entry_id:
                ids.append(e.entry_id)
            amounts[(group, ln.account_key)] = amounts.get((group, ln.account_key), 0) + ln.amount
    out = []
    for group, by_account in groups.items():
        lines = tuple(
            SummaryLine(account, amounts[(group, account)], tuple(ids))
            for account, ids in sorted(by_account.items())
            if amounts[(group, account)] != 0
        )
        if not lines:
            continue
        day = dates[group] if last_day is None else min(dates[group], last_day)
        period, store, channel, currency = group
        out.append(Summary(kind, period, day, store, channel, currency, lines))
    return sorted(out, key=lambda s: (s.date, s.key))
