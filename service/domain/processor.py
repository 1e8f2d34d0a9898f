"""A payment processor's own records (posting rules section 11).

Balance transactions keep the processor's raw ``type`` string: the list of
types is open-ended (STACK-NOTES), so unknown ones are classified UNKNOWN,
posted to undeposited funds and listed for review, never dropped.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum


class RecordKind(StrEnum):
    CHARGE = "CHARGE"
    REFUND = "REFUND"
    FEE_REFUND = "FEE_REFUND"
    DISPUTE = "DISPUTE"
    DISPUTE_WON = "DISPUTE_WON"
    RESERVE_HOLD = "RESERVE_HOLD"
    RESERVE_RELEASE = "RESERVE_RELEASE"
    UNKNOWN = "UNKNOWN"


_KNOWN: dict[str, RecordKind] = {
    "charge": RecordKind.CHARGE,
    "payment": RecordKind.CHARGE,
    "sale": RecordKind.CHARGE,
    "capture": RecordKind.CHARGE,
    "refund": RecordKind.REFUND,
    "payment_refund": RecordKind.REFUND,
    "fee_refund": RecordKind.FEE_REFUND,
    "refund_fee": RecordKind.FEE_REFUND,
    "application_fee_refund": RecordKind.FEE_REFUND,
    "dispute": RecordKind.DISPUTE,
    "chargeback": RecordKind.DISPUTE,
    "dispute_withdrawal": RecordKind.DISPUTE,
    "dispute_won": RecordKind.DISPUTE_WON,
    "dispute_reversal": RecordKind.DISPUTE_WON,
    "chargeback_reversal": RecordKind.DISPUTE_WON,
    "reserve": RecordKind.RESERVE_HOLD,
    "reserve_hold": RecordKind.RESERVE_HOLD,
    "reserved_funds": RecordKind.RESERVE_HOLD,
    "reserved_funds_withdrawal": RecordKind.RESERVE_HOLD,
    "reserve_release": RecordKind.RESERVE_RELEASE,
    "reserved_funds_release": RecordKind.RESERVE_RELEASE,
    "reserved_funds_reversal": RecordKind.RESERVE_RELEASE,
}
"""Shopify's Admin GraphQL names (ShopifyPaymentsTransactionType, lower
case) next to the REST and other processors' names: DISPUTE_WITHDRAWAL is
the money taken for a chargeback, DISPUTE_REVERSAL its return when the
dispute is won; RESERVED_FUNDS_WITHDRAWAL / RESERVED_FUNDS_REVERSAL a
reserve held and released. A payout's own line (TRANSFER) never gets here:
the connector leaves it out, the payout record posts it."""


def classify_record(type_: str, amount: int, source_order_transaction_id: str | None) -> RecordKind:
    """Map a processor's type string to the rule that posts it.

    Shopify sends "adjustment" for several things; a positive adjustment
    that points at an order transaction is a fee given back on a refund
    (section 11), anything else is left for review. "reserve" with a
    positive amount is a release.
    """
    t = type_.strip().lower()
    if t == "adjustment":
        if amount > 0 and source_order_transaction_id:
            return RecordKind.FEE_REFUND
        return RecordKind.UNKNOWN
    if t in ("reserve", "reserved_funds") and amount > 0:
        return RecordKind.RESERVE_RELEASE
    return _KNOWN.get(t, RecordKind.UNKNOWN)


@dataclass(frozen=True, slots=True)
class BalanceTransaction:
    """One line of a processor balance: ``amount`` is signed from the
    processor's point of view (+ money into the balance), ``fee`` is what the
    processor charged for it (positive) and may be negative for a fee given
    back."""

    id: str
    processor: str
    type: str
    at: dt.datetime
    amount: int
    fee: int = 0
    currency: str | None = None
    order_id: str | None = None
    channel: str = ""
    source_order_transaction_id: str | None = None
    payout_id: str | None = None

    @property
    def kind(self) -> RecordKind:
        return classify_record(self.type, self.amount, self.source_order_transaction_id)


@dataclass(frozen=True, slots=True)
class Payout:
    """Money the processor sent to the bank (negative: a failed or reversed
    payout taking it back). ``date`` is the processor's own payout date:
    batches close at midnight UTC and are matched by id, never re-dated by
    local calendar (section 11)."""

    id: str
    processor: str
    date: dt.date
    amount: int
    fee: int = 0
    currency: str | None = None


ProcessorRecord = BalanceTransaction | Payout
