"""Hypothesis strategies: consistent order histories.

``histories()`` draws anything the engine must accept: random lines,
discounts, taxes (some channel liable, some inside tax-inclusive prices),
gift cards, shipping, tips, partial and manual payments (custom gateways
flagged manual, gateways the merchant maps otherwise), partial
fulfillments, refunds of any lines with any restock type and any money up
to what was paid, cancellations, order statuses. ``settled_histories()``
draws orders that end fully paid (before
any refund), fully fulfilled and settled, with refunds only of shipped
units: the orders invariant 4 speaks about.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from hypothesis import strategies as st

from service.domain.context import PostingContext
from service.domain.costs import CostSource, LineCost
from service.domain.events import (
    AdjustmentKind,
    Cancellation,
    Event,
    Fulfillment,
    FulfillmentLine,
    PaymentMethod,
    Refund,
    RefundAdjustment,
    RefundLine,
    RestockType,
    Transaction,
    TransactionKind,
)
from service.domain.history import OrderHistory
from service.domain.order import DiscountAllocation, LineItem, Order, ShippingLine, TaxLine
from service.domain.settings import (
    AccountingBasis,
    FulfillmentTracking,
    OrderStatus,
    OrderStatusOverride,
    Settings,
)

BASE = dt.datetime(2025, 3, 1, 12, 0, tzinfo=dt.UTC)
ZONES = ("America/New_York", "UTC", "Asia/Tokyo", "Australia/Adelaide")
ALL_SETTINGS = tuple(Settings(b, t) for b in AccountingBasis for t in FulfillmentTracking)


@dataclass(frozen=True)
class Drawn:
    history: OrderHistory
    costs: tuple[LineCost, ...]
    override: OrderStatusOverride | None = None
    gateways: tuple[tuple[str, PaymentMethod], ...] = ()

    def ctx(self, settings: Settings) -> PostingContext:
        return PostingContext(settings, self.override, (), self.costs, self.gateways)


def _at(minutes: int) -> dt.datetime:
    return BASE + dt.timedelta(minutes=minutes)


def _inside(draw: st.DrawFn, room: int, upto: int) -> int:
    """A tax that fits in what is left of a tax-inclusive price."""
    return draw(st.integers(0, max(0, min(room, upto))))


@st.composite
def _lines(
    draw: st.DrawFn, allow_gift: bool = True, included: bool = False
) -> tuple[LineItem, ...]:
    """Order lines; with ``included`` the taxes are inside the prices (a
    VAT shop), so they never exceed the discounted price."""
    n = draw(st.integers(1, 4))
    out = []
    for i in range(n):
        qty = draw(st.integers(1, 3))
        price = draw(st.integers(0, 6000))
        gross = qty * price
        gift = allow_gift and i > 0 and draw(st.integers(0, 6)) == 0
        disc = draw(st.integers(0, gross)) if draw(st.booleans()) else 0
        room = gross - disc if included and not gift else 1 << 40
        taxes = []
        if draw(st.booleans()) and not (included and gift):
            tax = _inside(draw, room, 900)
            room -= tax
            taxes.append(TaxLine(tax))
        if draw(st.integers(0, 4)) == 0 and not (included and gift):
            taxes.append(TaxLine(_inside(draw, room, 500), channel_liable=True))
        out.append(
            LineItem(
                id=f"l{i}",
                sku=None if gift else f"SKU{i}",
                quantity=qty,
                unit_price=price,
                discounts=(DiscountAllocation(disc),) if disc else (),
                tax_lines=tuple(taxes),
                gift_card=gift,
            )
        )
    return tuple(out)


def _total(order: Order) -> int:
    """What the customer is charged (Shopify's total_price)."""
    return order.total


@st.composite
def _order(draw: st.DrawFn, oid: str, allow_gift: bool = True) -> Order:
    included = draw(st.integers(0, 3)) == 0  # a VAT or GST shop: taxes inside prices
    lines = draw(_lines(allow_gift, included))
    shipping: tuple[ShippingLine, ...] = ()
    if draw(st.booleans()):
        price = draw(st.integers(0, 1500))
        disc = draw(st.integers(0, price)) if draw(st.booleans()) else 0
        room = price - disc if included else 1 << 40
        tax = _inside(draw, room, 200)
        room -= tax
        ctax = _inside(draw, room, 100) if draw(st.integers(0, 3)) == 0 else 0
        taxes = tuple(t for t in (TaxLine(tax), TaxLine(ctax, channel_liable=True)) if t.amount)
        shipping = (ShippingLine("s1", price, disc, taxes),)
    unallocated = 0
    non_gift_gross = sum(
        ln.quantity * ln.unit_price for ln in lines if not ln.gift_card and not ln.discounts
    )
    if (
        non_gift_gross
        and not included
        and all(not ln.discounts for ln in lines)
        and draw(st.booleans())
    ):
        unallocated = draw(st.integers(0, non_gift_gross // 2))
    return Order(
        id=oid,
        store_id="store1",
        currency="USD",
        timezone=draw(st.sampled_from(ZONES)),
        placed_at=BASE,
        lines=lines,
        shipping_lines=shipping,
        tip=draw(st.integers(0, 500)) if draw(st.integers(0, 3)) == 0 else 0,
        unallocated_discount=unallocated,
        source=draw(st.sampled_from(("web", "pos", "tiktok"))),
        taxes_included=included,
    )


def _shipping_net(order: Order) -> int:
    """Shipping a refund can give back, before its tax (refunded shipping
    tax is its own amount, as in Shopify's refunds)."""
    net = sum(s.price - s.discount for s in order.shipping_lines)
    if order.taxes_included:
        net -= sum(t.amount for s in order.shipping_lines for t in s.tax_lines)
    return net


def _costs(draw: st.DrawFn, order: Order) -> tuple[LineCost, ...]:
    out = []
    for ln in order.lines:
        choice = draw(st.integers(0, 5))
        if choice == 0:
            continue  # missing cost
        if choice == 1:
            out.append(LineCost(ln.id, 0, CostSource.INVENTORY_SYSTEM, missing=True))
        out.append(
            LineCost(ln.id, draw(st.integers(0, 3000)), draw(st.sampled_from(list(CostSource))))
        )
    return tuple(out)


def _parts(draw: st.DrawFn, total: int, max_parts: int) -> list[int]:
    n = draw(st.integers(1, max_parts))
    cuts = sorted(draw(st.lists(st.integers(0, total), min_size=n - 1, max_size=n - 1)))
    parts = [b - a for a, b in zip([0, *cuts], [*cuts, total], strict=True)]
    return [p for p in parts if p] or [total]


_REFUNDABLE = (
    RestockType.RETURN,
    RestockType.CANCEL,
    RestockType.NO_RESTOCK,
    RestockType.LEGACY_RESTOCK,
)


def _method(draw: st.DrawFn, manual: bool) -> tuple[str, PaymentMethod]:
    choices = [("shopify_payments", PaymentMethod.PROCESSOR), ("paypal", PaymentMethod.PROCESSOR)]
    choices.append(("gift_card", PaymentMethod.GIFT_CARD))
    if manual:
        choices.append(("manual", PaymentMethod.MANUAL))
        # A custom gateway Shopify flags manual_payment_gateway (13.2).
        choices.append(("Zelle", PaymentMethod.MANUAL))
    return draw(st.sampled_from(choices))


def _gateway_mapping(draw: st.DrawFn) -> tuple[tuple[str, PaymentMethod], ...]:
    """Now and then the merchant maps a gateway otherwise (13.2)."""
    if draw(st.integers(0, 4)):
        return ()
    options = (
        ("zelle", PaymentMethod.PROCESSOR),
        ("paypal", PaymentMethod.MANUAL),
        ("manual", PaymentMethod.PROCESSOR),
    )
    return tuple(draw(st.lists(st.sampled_from(options), max_size=2, unique=True)))


@st.composite
def histories(draw: st.DrawFn, oid: str = "o1") -> Drawn:
    """Any consistent history, including odd ones."""
    order = draw(_order(oid))
    total = _total(order)
    events: list[Event] = []
    paid = 0
    for i, amount in enumerate(_parts(draw, draw(st.integers(0, total + total // 2)), 3)):
        if amount == 0:
            continue
        gateway, method = _method(draw, manual=True)
        events.append(
            Transaction(
                f"p{i}",
                _at(draw(st.integers(0, 20000))),
                draw(st.sampled_from((TransactionKind.SALE, TransactionKind.CAPTURE))),
                amount,
                gateway,
                method,
            )
        )
        paid += amount
    remaining = {ln.id: ln.quantity for ln in order.lines}
    for i in range(draw(st.integers(0, 3))):
        fl = []
        for ln in order.lines:
            if remaining[ln.id] and draw(st.booleans()):
                q = draw(st.integers(1, remaining[ln.id]))
                remaining[ln.id] -= q
                fl.append(FulfillmentLine(ln.id, q))
        if fl:
            events.append(Fulfillment(f"f{i}", _at(draw(st.integers(0, 20000))), tuple(fl)))
    refundable = {ln.id: ln.quantity for ln in order.lines}
    ship_left = _shipping_net(order)
    ship_tax_left = sum(t.amount for s in order.shipping_lines for t in s.tax_lines)
    money_left = paid
    for i in range(draw(st.integers(0, 2))):
        rl = []
        for ln in order.lines:
            if refundable[ln.id] and draw(st.booleans()):
                q = draw(st.integers(1, refundable[ln.id]))
                refundable[ln.id] -= q
                rl.append(RefundLine(ln.id, q, draw(st.sampled_from(_REFUNDABLE))))
        adj: tuple[RefundAdjustment, ...] = ()
        if ship_left and draw(st.booleans()):
            s_amt = draw(st.integers(0, ship_left))
            s_tax = draw(st.integers(0, ship_tax_left))
            ship_left -= s_amt
            ship_tax_left -= s_tax
            adj = (RefundAdjustment(AdjustmentKind.SHIPPING_REFUND, s_amt, s_tax),)
        txns = []
        if money_left and draw(st.booleans()):
            m = draw(st.integers(0, money_left))
            money_left -= m
            gateway, method = _method(draw, manual=False)
            if m:
                txns.append(Transaction(f"rt{i}", BASE, TransactionKind.REFUND, m, gateway, method))
        at = _at(draw(st.integers(0, 20000)))
        txns = [Transaction(t.id, at, t.kind, t.amount, t.gateway, t.method) for t in txns]
        events.append(Refund(f"r{i}", at, tuple(rl), adj, tuple(txns)))
    if draw(st.integers(0, 4)) == 0:
        events.append(Cancellation("c1", _at(draw(st.integers(0, 20000)))))
    override = None
    if draw(st.integers(0, 3)) == 0:
        status = draw(st.sampled_from(list(OrderStatus)))
        override = OrderStatusOverride(
            status, (BASE + dt.timedelta(days=draw(st.integers(0, 30)))).date()
        )
    if draw(st.integers(0, 15)) == 0:
        order = Order(
            **{**{f: getattr(order, f) for f in order.__dataclass_fields__}, "test": True}
        )
    shuffled = draw(st.permutations(events))
    return Drawn(
        OrderHistory(order, tuple(shuffled)),
        _costs(draw, order),
        override,
        _gateway_mapping(draw),
    )


@st.composite
def settled_histories(draw: st.DrawFn, oid: str = "o1") -> Drawn:
    """Fully paid (exactly, before any refund), every unit shipped, refunds
    only of shipped units after shipping, no cancellation, no status."""
    order = draw(_order(oid))
    total = _total(order)
    events: list[Event] = []
    for i, amount in enumerate(_parts(draw, total, 3) if total else []):
        gateway, method = _method(draw, manual=False)
        events.append(
            Transaction(
                f"p{i}",
                _at(draw(st.integers(0, 5000))),
                TransactionKind.SALE,
                amount,
                gateway,
                method,
            )
        )
    remaining = {ln.id: ln.quantity for ln in order.lines}
    i = 0
    while any(remaining.values()):
        fl = []
        for ln in order.lines:
            if remaining[ln.id]:
                q = draw(st.integers(1, remaining[ln.id])) if i < 2 else remaining[ln.id]
                remaining[ln.id] -= q
                fl.append(FulfillmentLine(ln.id, q))
        events.append(Fulfillment(f"f{i}", _at(draw(st.integers(0, 5000))), tuple(fl)))
        i += 1
    refundable = {ln.id: ln.quantity for ln in order.lines}
    ship_left = _shipping_net(order)
    ship_tax_left = sum(t.amount for s in order.shipping_lines for t in s.tax_lines)
    money_left = total
    for r in range(draw(st.integers(0, 2))):
        rl = []
        for ln in order.lines:
            if refundable[ln.id] and draw(st.booleans()):
                q = draw(st.integers(1, refundable[ln.id]))
                refundable[ln.id] -= q
                rl.append(RefundLine(ln.id, q, draw(st.sampled_from(_REFUNDABLE))))
        adj: tuple[RefundAdjustment, ...] = ()
        if ship_left and draw(st.booleans()):
            s_amt = draw(st.integers(0, ship_left))
            s_tax = draw(st.integers(0, ship_tax_left))
            ship_left -= s_amt
            ship_tax_left -= s_tax
            adj = (RefundAdjustment(AdjustmentKind.SHIPPING_REFUND, s_amt, s_tax),)
        at = _at(draw(st.integers(6000, 9000)))
        txns: tuple[Transaction, ...] = ()
        m = draw(st.integers(0, money_left))
        if m:
            money_left -= m
            gateway, method = _method(draw, manual=False)
            txns = (Transaction(f"rt{r}", at, TransactionKind.REFUND, m, gateway, method),)
        events.append(Refund(f"r{r}", at, tuple(rl), adj, txns))
    shuffled = draw(st.permutations(events))
    return Drawn(OrderHistory(order, tuple(shuffled)), _costs(draw, order))
