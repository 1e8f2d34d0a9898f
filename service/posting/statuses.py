"""Which parts of an order post: order and channel statuses (posting rule 3, 8).

An explicit order status (an order action) replaces the channel status. A
detected status (test order, exchange order, early cancellation) is combined
with the channel status: a detection can only take things away, so a $0
exchange order from an EXCLUDED channel stays excluded.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from service.domain.context import PostingContext
from service.domain.history import OrderHistory
from service.domain.records import seal
from service.domain.settings import (
    AccountingBasis,
    ChannelStatus,
    FulfillmentTracking,
    OrderStatus,
)
from service.posting.prepare import DEPOSIT, FULFILLMENT, PAYMENT, Prepared


@dataclass(slots=True, unsafe_hash=True)
class Treatment:
    """What posts for one order."""

    status: Final[OrderStatus | ChannelStatus]
    sales: Final[bool]  # sales, discounts, tax, AR, payments, refunds
    cogs: Final[bool]  # COGS and restocks
    giveaway: Final[bool]  # product cost to PRODUCT_GIVEAWAYS instead of COGS
    cogs_only_payments: Final[bool]  # payments as Cr GROSS_SALES (section 8)
    bad_debt: Final[bool]
    overcollected: Final[bool]

    def __init__(
        self,
        status: OrderStatus | ChannelStatus,
        sales: bool,
        cogs: bool,
        giveaway: bool = False,
        cogs_only_payments: bool = False,
        bad_debt: bool = False,
        overcollected: bool = False,
    ) -> None:
        self.status = status
        self.sales = sales
        self.cogs = cogs
        self.giveaway = giveaway
        self.cogs_only_payments = cogs_only_payments
        self.bad_debt = bad_debt
        self.overcollected = overcollected

    @property
    def nothing(self) -> bool:
        return not (self.sales or self.cogs or self.cogs_only_payments)


seal(Treatment)


NOTHING_VOID = Treatment(OrderStatus.VOID, sales=False, cogs=False)
NOTHING_EXCLUDED = Treatment(OrderStatus.EXCLUDED, sales=False, cogs=False)


def every_line_fully_discounted(p: Prepared) -> bool:
    """The mark of an exchange order made by a returns app (seed 002/003):
    every line 100% discounted. Shipping and tax may still be charged."""
    if not p.lines:
        return False
    gross_total = 0
    for pl in p.lines:
        if pl.exchange_for:
            continue  # a replacement's vector is only its price difference
        v = pl.vector
        if pl.gift_card or v[1] < v[0]:
            return False
        gross_total += v[0]
    return gross_total > 0


def cancelled_before_recognition(p: Prepared, ctx: PostingContext) -> bool:
    """Cancelled before any payment and before the order was recognised.

    Cash basis recognises sales at payment, so "before any payment" is
    enough (seed 002: cancelled before payment -> Void). Accrual with
    placed-date tracking recognises at placement, so such an order is never
    void: its cancellation is a refund (seed 002). Accrual with fulfilled-date
    tracking: no payment and no fulfillment before the cancellation. Any
    money in counts as a payment here, manual ones included.
    """
    if p.cancelled_at is None or p.cancelled_date is None:
        return False
    settings = ctx.settings
    accrual = settings.basis is AccountingBasis.ACCRUAL
    if accrual and settings.fulfillment_tracking is FulfillmentTracking.ORDER_PLACED_DATE:
        return False
    cancel_ts = p.cancelled_at
    for ev in p.events:
        if ev.kind == PAYMENT and ev.ts <= cancel_ts:
            return False
        if ev.kind == DEPOSIT and ev.date <= p.cancelled_date:
            return False
        if accrual and ev.kind == FULFILLMENT and ev.ts <= cancel_ts and ev.obj:
            return False
    return True


def detected_status(history: OrderHistory, p: Prepared, ctx: PostingContext) -> OrderStatus | None:
    """posting rules section 3, detected automatically."""
    if history.order.test:
        return OrderStatus.EXCLUDED
    if cancelled_before_recognition(p, ctx):
        return OrderStatus.VOID
    if every_line_fully_discounted(p):
        return OrderStatus.COGS_ONLY
    return None


_CHANNEL = {
    ChannelStatus.INCLUDED: Treatment(ChannelStatus.INCLUDED, sales=True, cogs=True),
    ChannelStatus.SALES_ONLY: Treatment(ChannelStatus.SALES_ONLY, sales=True, cogs=False),
    ChannelStatus.COGS_ONLY: Treatment(
        ChannelStatus.COGS_ONLY, sales=False, cogs=True, cogs_only_payments=True
    ),
    ChannelStatus.EXCLUDED: Treatment(ChannelStatus.EXCLUDED, sales=False, cogs=False),
}


def treatment(history: OrderHistory, p: Prepared, ctx: PostingContext) -> Treatment:
    override = ctx.override.status if ctx.override is not None else None
    channel = ctx.settings.channel_status(history.order.source)
    if override is OrderStatus.VOID:
        return NOTHING_VOID
    if override is OrderStatus.EXCLUDED:
        return NOTHING_EXCLUDED
    if override is OrderStatus.GIVEAWAY:
        return Treatment(OrderStatus.GIVEAWAY, sales=False, cogs=True, giveaway=True)
    if override is OrderStatus.COGS_ONLY:
        return Treatment(OrderStatus.COGS_ONLY, sales=False, cogs=True, cogs_only_payments=True)
    if override is OrderStatus.INCLUDED:
        return _CHANNEL[ChannelStatus.INCLUDED]
    base = _CHANNEL[channel]
    detected = detected_status(history, p, ctx)
    if detected is OrderStatus.EXCLUDED:
        return NOTHING_EXCLUDED
    if detected is OrderStatus.VOID:
        return NOTHING_VOID
    if detected is OrderStatus.COGS_ONLY:
        if base.cogs:
            return _CHANNEL[ChannelStatus.COGS_ONLY]
        return NOTHING_EXCLUDED
    if override is OrderStatus.UNCOLLECTIBLE or override is OrderStatus.OVERCOLLECTED:
        # Balance-closing actions act on top of the channel status.
        return Treatment(
            base.status,
            base.sales,
            base.cogs,
            cogs_only_payments=base.cogs_only_payments,
            bad_debt=override is OrderStatus.UNCOLLECTIBLE,
            overcollected=override is OrderStatus.OVERCOLLECTED,
        )
    return base
