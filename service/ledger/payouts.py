"""Processors' payouts as bank matching reads them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from uuid import UUID


@dataclass(frozen=True)
class PayoutRow:
    """One payout to (``amount`` > 0) or from the bank, in minor units."""

    processor: str
    payout_id: str
    store_id: UUID | None
    payout_date: dt.date
    amount: int
    currency: str
    status: str
