"""Moves of the books' shared counters, held back to the end of a transaction.

Every order posted on a day moves the same few rows: that day's, month's
and year's balance of each account it touches, and the day's count of
lines missing a cost. A transaction holds such a row locked from its first
move to its commit, so two webhooks of different orders on the same day
wait for each other for as long as either takes to post. Held back and
made just before the commit, the moves keep those rows locked for two
round trips instead of a whole posting.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

BalanceKey = tuple[dt.date, str, str, str]  # day, account, store id, channel


@dataclass(slots=True)
class HeldMoves:
    balances: dict[int, dict[BalanceKey, int]] = field(default_factory=dict)
    missing_days: dict[int, Counter[tuple[Any, Any]]] = field(default_factory=dict)

    def hold_balances(self, version: int, deltas: Mapping[BalanceKey, int]) -> None:
        held = self.balances.setdefault(version, defaultdict(int))
        for key, amount in deltas.items():
            held[key] += amount

    def hold_missing_days(self, version: int, deltas: Mapping[tuple[Any, Any], int]) -> None:
        self.missing_days.setdefault(version, Counter()).update(deltas)
