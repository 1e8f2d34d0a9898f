"""Payouts of every processor as one list, for matching bank lines.

Each processor (Shopify Payments, PayPal, Stripe, the marketplaces) adds a
small function that returns its own payouts as PayoutRow; bank matching
reads them all through ``list_payouts``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from uuid import UUID


@dataclass(frozen=True)
class PayoutRow:
    """Money a processor sent to the bank. ``amount`` is in minor units,
    signed: + money to the bank, - money the processor took back."""

    processor: str
    payout_id: str
    store_id: UUID | None
    payout_date: dt.date
    amount: int
    currency: str
    status: str
