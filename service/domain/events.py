"""Dated things that happen to an order after it is placed.

Every event carries a timezone-aware datetime (UTC from the sources); the
engine turns it into a local date in the store's time zone. Events may
arrive in any order: the engine sorts them itself (posting invariant 3).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from service.domain.records import seal


class TransactionKind(StrEnum):
    AUTHORIZATION = "authorization"
    CAPTURE = "capture"
    SALE = "sale"
    VOID = "void"
    REFUND = "refund"


class TransactionStatus(StrEnum):
    SUCCESS = "success"
    PENDING = "pending"
    FAILURE = "failure"
    ERROR = "error"


class PaymentMethod(StrEnum):
    """How money moved, which decides the account it posts against.

    PROCESSOR: a payment processor (Shopify Payments, PayPal, Stripe):
    RIP until the processor's own record is synced (section 11).
    MANUAL: cash, bank deposit, cheque, COD, manual, unknown: posts nothing
    until a bank deposit is linked (cash rule 2).
    GIFT_CARD: paid with, or refunded to, a gift card / store credit:
    GIFT_CARD_LIABILITY.
    """

    PROCESSOR = "processor"
    MANUAL = "manual"
    GIFT_CARD = "gift_card"


def gateway_key(gateway: str) -> str:
    """A gateway name as mappings compare it: a channel may spell the same
    gateway with different case and spacing (Shopify does, across its APIs)."""
    return gateway.strip().lower()


@dataclass(slots=True, unsafe_hash=True)
class Transaction:
    """A payment transaction (Shopify order transaction).

    Only successful SALE and CAPTURE transactions move money in, and only
    successful REFUND transactions move it out; authorizations and voids
    reserve or release nothing the books see.
    """

    id: Final[str]
    at: Final[dt.datetime]
    kind: Final[TransactionKind]
    amount: Final[int]
    gateway: Final[str]
    method: Final[PaymentMethod]
    status: Final[TransactionStatus]
    currency: Final[str | None]
    parent_id: Final[str | None]
    converted_from: Final[str]
    """Set when the channel gave the amount only in the customer's
    currency: what it said (``"13.50 CAD"``), converted at the order's own
    rate (posting rule 13.3); memos repeat it so a reader knows."""

    def __init__(
        self,
        id: str,
        at: dt.datetime,
        kind: TransactionKind,
        amount: int,
        gateway: str,
        method: PaymentMethod,
        status: TransactionStatus = TransactionStatus.SUCCESS,
        currency: str | None = None,
        parent_id: str | None = None,
        converted_from: str = "",
    ) -> None:
        self.id = id
        self.at = at
        self.kind = kind
        self.amount = amount
        self.gateway = gateway
        self.method = method
        self.status = status
        self.currency = currency
        self.parent_id = parent_id
        self.converted_from = converted_from

    @property
    def processor(self) -> str | None:
        """The sub-ledger a processor payment lands in (the gateway)."""
        return self.gateway if self.method is PaymentMethod.PROCESSOR else None

    @property
    def moves_money_in(self) -> bool:
        return self.status is TransactionStatus.SUCCESS and (
            self.kind is TransactionKind.SALE or self.kind is TransactionKind.CAPTURE
        )

    @property
    def moves_money_out(self) -> bool:
        return self.status is TransactionStatus.SUCCESS and self.kind is TransactionKind.REFUND


@dataclass(slots=True, unsafe_hash=True)
class FulfillmentLine:
    line_id: Final[str]
    quantity: Final[int]

    def __init__(self, line_id: str, quantity: int) -> None:
        self.line_id = line_id
        self.quantity = quantity


class FulfillmentStatus(StrEnum):
    SUCCESS = "success"
    CANCELLED = "cancelled"
    PENDING = "pending"


@dataclass(slots=True, unsafe_hash=True)
class Fulfillment:
    """Units shipped. Only SUCCESS fulfillments count (a cancelled or
    pending shipment did not leave the warehouse)."""

    id: Final[str]
    at: Final[dt.datetime]
    lines: Final[tuple[FulfillmentLine, ...]]
    status: Final[FulfillmentStatus]

    def __init__(
        self,
        id: str,
        at: dt.datetime,
        lines: tuple[FulfillmentLine, ...],
        status: FulfillmentStatus = FulfillmentStatus.SUCCESS,
    ) -> None:
        self.id = id
        self.at = at
        self.lines = lines
        self.status = status


class RestockType(StrEnum):
    """Shopify's refund_line_items[].restock_type (STACK-NOTES)."""

    RETURN = "return"
    CANCEL = "cancel"
    NO_RESTOCK = "no_restock"
    LEGACY_RESTOCK = "legacy_restock"

    @property
    def restocks(self) -> bool:
        return self is not RestockType.NO_RESTOCK


@dataclass(slots=True, unsafe_hash=True)
class RefundLine:
    line_id: Final[str]
    quantity: Final[int]
    restock_type: Final[RestockType]

    def __init__(
        self, line_id: str, quantity: int, restock_type: RestockType = RestockType.NO_RESTOCK
    ) -> None:
        self.line_id = line_id
        self.quantity = quantity
        self.restock_type = restock_type


class AdjustmentKind(StrEnum):
    SHIPPING_REFUND = "shipping_refund"
    REFUND_DISCREPANCY = "refund_discrepancy"
    OTHER = "other"


@dataclass(slots=True, unsafe_hash=True)
class RefundAdjustment:
    """A Shopify refund order adjustment.

    SHIPPING_REFUND gives the shipping (``amount``) and shipping tax
    (``tax``) refunded, positive. Shopify's REST order adjustments carry the
    opposite sign and may reverse each other (-3.95, +3.95, -3.95): the
    normalizers turn them into refunded amounts and sum them with their
    signs (posting rule 13.4), never by absolute value.
    REFUND_DISCREPANCY is kept for the record but never posted: its sign is
    not reliable, so money kept back is derived from the refund's own
    transactions (posting rule 6.4, STACK-NOTES).
    """

    kind: Final[AdjustmentKind]
    amount: Final[int]
    tax: Final[int]

    def __init__(self, kind: AdjustmentKind, amount: int, tax: int = 0) -> None:
        self.kind = kind
        self.amount = amount
        self.tax = tax


@dataclass(slots=True, unsafe_hash=True)
class Refund:
    """``return_id``: the return (Shopify's returns) the refund belongs to;
    when that return sent replacement lines out, the refund is the
    exchange's, and its lines come back without being refunded."""

    id: Final[str]
    at: Final[dt.datetime]
    lines: Final[tuple[RefundLine, ...]]
    adjustments: Final[tuple[RefundAdjustment, ...]]
    transactions: Final[tuple[Transaction, ...]]
    note: Final[str]
    return_id: Final[str]

    def __init__(
        self,
        id: str,
        at: dt.datetime,
        lines: tuple[RefundLine, ...] = (),
        adjustments: tuple[RefundAdjustment, ...] = (),
        transactions: tuple[Transaction, ...] = (),
        note: str = "",
        return_id: str = "",
    ) -> None:
        self.id = id
        self.at = at
        self.lines = lines
        self.adjustments = adjustments
        self.transactions = transactions
        self.note = note
        self.return_id = return_id

    @property
    def shipping(self) -> int:
        return sum(a.amount for a in self.adjustments if a.kind is AdjustmentKind.SHIPPING_REFUND)

    @property
    def shipping_tax(self) -> int:
        return sum(a.tax for a in self.adjustments if a.kind is AdjustmentKind.SHIPPING_REFUND)


@dataclass(slots=True, unsafe_hash=True)
class Cancellation:
    """The order was cancelled. Its lines and money come back through
    refunds; the cancellation itself decides VOID detection."""

    id: Final[str]
    at: Final[dt.datetime]
    reason: Final[str]

    def __init__(self, id: str, at: dt.datetime, reason: str = "") -> None:
        self.id = id
        self.at = at
        self.reason = reason


seal(Transaction, FulfillmentLine, Fulfillment, RefundLine, RefundAdjustment, Refund, Cancellation)


Event = Transaction | Fulfillment | Refund | Cancellation
