"""An order as it was placed: lines, shipping, tips, tax, channel.

Amounts are integer minor units of ``Order.currency`` (the store's shop
money, posting rules section 4). What happens to the order afterwards
(payments, fulfillments, refunds, cancellation) lives in ``events``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Final

from service.domain.records import seal


@dataclass(slots=True, unsafe_hash=True)
class TaxLine:
    """A tax amount on a line or a shipping line.

    ``channel_liable``: the channel (a marketplace facilitator, or Shopify
    when its tax line says so) collects and remits this tax itself, so the
    merchant owes nothing for it (posting rules section 5).
    """

    amount: Final[int]
    channel_liable: Final[bool]
    title: Final[str]

    def __init__(self, amount: int, channel_liable: bool = False, title: str = "") -> None:
        self.amount = amount
        self.channel_liable = channel_liable
        self.title = title


@dataclass(slots=True, unsafe_hash=True)
class DiscountAllocation:
    """The part of a discount allocated to one line.

    ``order_level`` tells an order-level discount spread over lines from a
    discount aimed at that line; both post to DISCOUNTS the same way, the
    flag is kept for memos and reports.
    """

    amount: Final[int]
    order_level: Final[bool]
    code: Final[str]

    def __init__(self, amount: int, order_level: bool = False, code: str = "") -> None:
        self.amount = amount
        self.order_level = order_level
        self.code = code


@dataclass(slots=True, unsafe_hash=True)
class LineItem:
    """``exchange_for``: the return this line was added for, when it is
    the replacement sent out in an exchange (Shopify adds exchange items
    to the original order). Such a line is not a new sale: it takes the
    place of the units returned, and only a price difference is sold or
    refunded (posting rule 6.4, exchanges)."""

    id: Final[str]
    sku: Final[str | None]
    quantity: Final[int]
    unit_price: Final[int]
    discounts: Final[tuple[DiscountAllocation, ...]]
    tax_lines: Final[tuple[TaxLine, ...]]
    gift_card: Final[bool]
    title: Final[str]
    exchange_for: Final[str]

    def __init__(
        self,
        id: str,
        sku: str | None,
        quantity: int,
        unit_price: int,
        discounts: tuple[DiscountAllocation, ...] = (),
        tax_lines: tuple[TaxLine, ...] = (),
        gift_card: bool = False,
        title: str = "",
        exchange_for: str = "",
    ) -> None:
        self.id = id
        self.sku = sku
        self.quantity = quantity
        self.unit_price = unit_price
        self.discounts = discounts
        self.tax_lines = tax_lines
        self.gift_card = gift_card
        self.title = title
        self.exchange_for = exchange_for


@dataclass(slots=True, unsafe_hash=True)
class ShippingLine:
    id: Final[str]
    price: Final[int]
    discount: Final[int]
    tax_lines: Final[tuple[TaxLine, ...]]
    title: Final[str]

    def __init__(
        self,
        id: str,
        price: int,
        discount: int = 0,
        tax_lines: tuple[TaxLine, ...] = (),
        title: str = "",
    ) -> None:
        self.id = id
        self.price = price
        self.discount = discount
        self.tax_lines = tax_lines
        self.title = title


@dataclass(slots=True, unsafe_hash=True)
class Order:
    """The order at placement.

    ``unallocated_discount`` is an order-level discount the source did not
    spread over lines; the engine spreads it by gross with a
    largest-remainder split (posting rules section 4). ``source`` is the sales
    channel (online_store, pos, tiktok, a returns app, ...). ``timezone`` is
    the store's IANA zone, used for every entry date (section 4).

    ``taxes_included``: prices (of lines and shipping) already contain the
    tax their tax lines name, as in VAT and GST countries; gross sales are
    then the prices less that tax, so the order's total stays exactly what
    the customer was charged (posting rule 13.1).
    """

    id: Final[str]
    store_id: Final[str]
    currency: Final[str]
    timezone: Final[str]
    placed_at: Final[dt.datetime]
    lines: Final[tuple[LineItem, ...]]
    shipping_lines: Final[tuple[ShippingLine, ...]]
    tip: Final[int]
    unallocated_discount: Final[int]
    source: Final[str]
    test: Final[bool]
    name: Final[str]
    taxes_included: Final[bool]

    def __init__(
        self,
        id: str,
        store_id: str,
        currency: str,
        timezone: str,
        placed_at: dt.datetime,
        lines: tuple[LineItem, ...],
        shipping_lines: tuple[ShippingLine, ...] = (),
        tip: int = 0,
        unallocated_discount: int = 0,
        source: str = "web",
        test: bool = False,
        name: str = "",
        taxes_included: bool = False,
    ) -> None:
        self.id = id
        self.store_id = store_id
        self.currency = currency
        self.timezone = timezone
        self.placed_at = placed_at
        self.lines = lines
        self.shipping_lines = shipping_lines
        self.tip = tip
        self.unallocated_discount = unallocated_discount
        self.source = source
        self.test = test
        self.name = name
        self.taxes_included = taxes_included

    @property
    def total(self) -> int:
        """What the customer is charged for the order as placed (Shopify's
        ``total_price``): lines and shipping less their discounts, plus
        tips, plus tax unless the prices already include it. An exchange's
        replacement lines are left out: they take the place of returned
        units, and only their price difference is charged."""
        sold = [ln for ln in self.lines if not ln.exchange_for]
        lines = sum(
            ln.quantity * ln.unit_price - sum(d.amount for d in ln.discounts) for ln in sold
        )
        shipping = sum(s.price - s.discount for s in self.shipping_lines)
        total = lines + shipping + self.tip - self.unallocated_discount
        if not self.taxes_included:
            total += sum(t.amount for ln in sold for t in ln.tax_lines)
            total += sum(t.amount for s in self.shipping_lines for t in s.tax_lines)
        return total

    @property
    def label(self) -> str:
        """The name a person knows the order by (#1001), else its id."""
        return self.name or self.id


seal(TaxLine, DiscountAllocation, LineItem, ShippingLine, Order)
