"""A marketplace's settlement in channel-neutral terms (posting rules section 17).

Amazon's settlement reports and TikTok Shop's statements both say the same
things in different words: what a customer paid for an order (principal,
shipping, tax, promotions), what the marketplace kept (commissions,
fulfilment, advertising), what it held back or released (reserves), what
it gave back (reimbursements), and what finally went to the bank. The
connectors translate their provider's words into the kinds below; the
ledger stores only these, and the posting engine posts only these.

Every amount is signed from the merchant's point of view: + money owed to
the merchant, - money the marketplace kept or took back.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

MARKETPLACES = ("amazon", "tiktok")
"""Channel names of the marketplaces, as journal lines and payouts carry them."""


class LineKind(StrEnum):
    """What a settlement line is, whatever the provider called it."""

    PRINCIPAL = "PRINCIPAL"  # the items' price (+ on a sale, - on a refund)
    SHIPPING = "SHIPPING"  # shipping charged to the customer
    TAX = "TAX"  # sales tax the merchant owes
    FACILITATOR_TAX = "FACILITATOR_TAX"  # tax the marketplace collected and remits itself
    PROMOTION = "PROMOTION"  # merchant-funded discounts (- on a sale)
    PLATFORM_DISCOUNT = "PLATFORM_DISCOUNT"  # discounts the platform pays back (+)
    SELLING_FEE = "SELLING_FEE"  # commissions, referral, transaction, affiliate fees
    FULFILLMENT_FEE = "FULFILLMENT_FEE"  # fulfilment, storage, labels
    ADVERTISING = "ADVERTISING"
    RESERVE = "RESERVE"  # - held back, + released
    REIMBURSEMENT = "REIMBURSEMENT"  # lost or damaged inventory paid back
    OTHER_INCOME = "OTHER_INCOME"
    UNKNOWN = "UNKNOWN"  # a combination no rule knows: posted for review


ORDER_MONEY = frozenset(
    {
        LineKind.PRINCIPAL,
        LineKind.SHIPPING,
        LineKind.TAX,
        LineKind.FACILITATOR_TAX,
        LineKind.PROMOTION,
        LineKind.PLATFORM_DISCOUNT,
    }
)
"""Kinds that are the customer's money: recognised as sales against RIP,
then cleared from RIP into the marketplace's undeposited funds."""


class Fulfillment(StrEnum):
    MARKETPLACE = "MARKETPLACE"  # Amazon AFN (FBA), TikTok FBT
    MERCHANT = "MERCHANT"  # Amazon MFN (FBM), TikTok FBM
    UNKNOWN = ""


@dataclass(frozen=True, slots=True)
class SettlementLine:
    """One amount of a settlement. ``refund`` marks the amounts of a refund
    (they reverse a sale line by line); ``description`` keeps the provider's
    own words so a person can check the mapping; ``quantity`` counts units
    shipped (sales) or given back (refunds) on principal lines only;
    ``shipped`` is the day the order shipped when the marketplace records
    the amount on a later day (``posted``)."""

    line_no: int
    kind: LineKind
    amount: int
    posted: dt.date
    description: str
    order_id: str | None = None
    sku: str | None = None
    quantity: int = 0
    refund: bool = False
    fulfillment: Fulfillment = Fulfillment.UNKNOWN
    shipped: dt.date | None = None


@dataclass(frozen=True, slots=True)
class Settlement:
    """A settlement (Amazon) or statement (TikTok Shop): its lines and the
    money it paid to the bank (``total``; negative when the merchant owed).

    ``payout_id`` names the payment that carried it to the bank when that is
    not the settlement itself (TikTok Shop pays several statements at
    once); until ``payout_status`` is PAID nothing has reached the bank."""

    marketplace: str
    settlement_id: str
    start: dt.date
    end: dt.date
    deposit_date: dt.date
    total: int
    currency: str
    lines: tuple[SettlementLine, ...]
    payout_id: str | None = None
    payout_status: str = "PAID"

    @property
    def paid(self) -> bool:
        return self.payout_status == "PAID"

    @property
    def lines_total(self) -> int:
        return sum(ln.amount for ln in self.lines)


class SettlementError(ValueError):
    """A settlement that cannot be taken, named with what is wrong.

    ``line`` is the 1-based line of the provider's file (None for the
    settlement as a whole)."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message if line is None else f"line {line}: {message}")
        self.line = line


def check_total(settlement: Settlement) -> None:
    """A settlement whose lines do not add up to what it paid is refused whole."""
    if settlement.lines_total != settlement.total:
        raise SettlementError(
            f"settlement {settlement.settlement_id}: its lines add up to "
            f"{settlement.lines_total} minor units but its total is {settlement.total}"
        )


MAPPABLE = frozenset(LineKind) - {LineKind.UNKNOWN}
"""Kinds a merchant may give an amount no rule knows."""


def with_mappings(settlement: Settlement, mappings: Mapping[str, LineKind]) -> Settlement:
    """The settlement with the merchant's choices applied to the amounts no
    rule knows (by the provider's words)."""
    if not mappings:
        return settlement
    lines = tuple(
        dataclasses.replace(ln, kind=mappings[ln.description])
        if ln.kind is LineKind.UNKNOWN and ln.description in mappings
        else ln
        for ln in settlement.lines
    )
    return dataclasses.replace(settlement, lines=lines)
