"""One data model of a fake Shopify shop, rendered to every wire shape.

Amounts are integer minor units of the shop currency; times are aware UTC
datetimes. Both the REST (webhook) and the GraphQL renderers read this one
model, so any difference between the histories the two normalizers build
is the connector's fault, not the test data's.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass
class FTax:
    title: str
    rate: str
    amount: int
    channel_liable: bool = False


@dataclass
class FDiscountApp:
    """A Shopify discount application (REST ``discount_applications[i]``)."""

    type: str  # discount_code, automatic, manual
    label: str  # the code for discount_code, else the title
    value: str
    value_type: str  # percentage, fixed_amount
    allocation_method: str  # across, each
    target_selection: str  # all, entitled
    target_type: str  # line_item, shipping_line


@dataclass
class FAlloc:
    amount: int
    app_index: int


@dataclass
class FLine:
    id: int
    product_id: int
    variant_id: int
    sku: str | None
    title: str
    quantity: int
    price: int
    gift_card: bool = False
    allocs: list[FAlloc] = field(default_factory=list)
    taxes: list[FTax] = field(default_factory=list)

    @property
    def gross(self) -> int:
        return self.quantity * self.price

    @property
    def discount(self) -> int:
        return sum(a.amount for a in self.allocs)

    @property
    def tax(self) -> int:
        return sum(t.amount for t in self.taxes)


@dataclass
class FShip:
    id: int
    title: str
    code: str
    price: int
    allocs: list[FAlloc] = field(default_factory=list)
    taxes: list[FTax] = field(default_factory=list)

    @property
    def discount(self) -> int:
        return sum(a.amount for a in self.allocs)

    @property
    def tax(self) -> int:
        return sum(t.amount for t in self.taxes)


@dataclass
class FTxn:
    id: int
    kind: str  # authorization, capture, sale, void, refund
    status: str  # success, pending, failure, error
    gateway: str
    amount: int
    at: dt.datetime
    parent_id: int | None = None
    test: bool = False
    authorization: str | None = None
    """The processor's own id of the payment (PayPal's transaction id,
    Stripe's charge id), as Shopify's REST ``authorization`` carries it."""

    @property
    def manual(self) -> bool:
        """Shopify's ``manual_payment_gateway``: true for the manual
        gateways a shop sets up (cash, bank deposit, cash on delivery)."""
        return self.gateway.lower() in _MANUAL_GATEWAYS


_MANUAL_GATEWAYS = frozenset({"manual", "cash", "bank deposit", "cash on delivery (cod)"})


@dataclass
class FRefundLine:
    id: int
    line_id: int
    quantity: int
    restock_type: str
    subtotal: int
    tax: int


@dataclass
class FRefund:
    id: int
    at: dt.datetime
    note: str = ""
    lines: list[FRefundLine] = field(default_factory=list)
    shipping_line_id: int | None = None
    shipping: int = 0
    shipping_tax: int = 0
    shipping_adjustment_id: int = 0
    discrepancy: int = 0  # refund_discrepancy amount (money kept back is positive)
    discrepancy_adjustment_id: int = 0
    transactions: list[FTxn] = field(default_factory=list)


@dataclass
class FFulfillmentLine:
    id: int  # the FulfillmentLineItem id (GraphQL)
    line_id: int
    quantity: int


@dataclass
class FFulfillment:
    id: int
    at: dt.datetime
    status: str  # success, cancelled, pending, open
    lines: list[FFulfillmentLine] = field(default_factory=list)


@dataclass
class FOrder:
    id: int
    number: int
    created_at: dt.datetime
    updated_at: dt.datetime
    currency: str
    timezone: str = "America/New_York"
    source_name: str = "web"
    test: bool = False
    email: str = ""
    lines: list[FLine] = field(default_factory=list)
    shipping: list[FShip] = field(default_factory=list)
    apps: list[FDiscountApp] = field(default_factory=list)
    tip: int = 0
    payments: list[FTxn] = field(default_factory=list)  # every non-refund transaction
    refunds: list[FRefund] = field(default_factory=list)
    fulfillments: list[FFulfillment] = field(default_factory=list)
    cancelled_at: dt.datetime | None = None
    cancel_reason: str | None = None

    @property
    def name(self) -> str:
        return f"#{self.number}"

    @property
    def line_gross(self) -> int:
        return sum(ln.gross for ln in self.lines)

    @property
    def line_discounts(self) -> int:
        return sum(ln.discount for ln in self.lines)

    @property
    def shipping_price(self) -> int:
        return sum(s.price for s in self.shipping)

    @property
    def shipping_discounts(self) -> int:
        return sum(s.discount for s in self.shipping)

    @property
    def total_discounts(self) -> int:
        return self.line_discounts + self.shipping_discounts

    @property
    def subtotal(self) -> int:
        """Shopify's subtotal_price: lines after their discounts."""
        return self.line_gross - self.line_discounts

    @property
    def total_tax(self) -> int:
        return sum(ln.tax for ln in self.lines) + sum(s.tax for s in self.shipping)

    @property
    def total_price(self) -> int:
        return (
            self.subtotal
            + self.shipping_price
            - self.shipping_discounts
            + self.total_tax
            + self.tip
        )

    @property
    def refund_transactions(self) -> list[FTxn]:
        return [t for r in self.refunds for t in r.transactions]

    @property
    def transactions(self) -> list[FTxn]:
        """Every transaction, refunds included, in time order (Shopify's
        order transaction list)."""
        return sorted(self.payments + self.refund_transactions, key=lambda t: (t.at, t.id))

    @property
    def paid(self) -> int:
        return sum(
            t.amount
            for t in self.payments
            if t.status == "success" and t.kind in ("sale", "capture")
        )

    @property
    def refunded(self) -> int:
        return sum(t.amount for t in self.refund_transactions if t.status == "success")


@dataclass
class FBalanceTransaction:
    id: int
    type: str  # CHARGE, REFUND, ADJUSTMENT, DISPUTE, PAYOUT, ...
    source_type: str
    amount: int  # signed, + into the balance
    fee: int
    at: dt.datetime
    order_id: int | None = None
    source_order_transaction_id: int | None = None
    payout_id: int | None = None
    test: bool = False

    @property
    def net(self) -> int:
        return self.amount - self.fee


@dataclass
class FPayout:
    id: int
    issued_at: dt.datetime
    status: str  # PAID, IN_TRANSIT, SCHEDULED, FAILED, CANCELED
    amount: int  # positive
    transaction_type: str = "DEPOSIT"  # or WITHDRAWAL


@dataclass
class FVariant:
    """A product variant of the catalog. ``sku`` None or "" is a variant
    without a SKU (Shopify answers either); ``cost`` None is one whose
    merchant never entered a unit cost."""

    id: int
    product_id: int
    inventory_item_id: int
    product_title: str
    title: str  # "Default Title" for a product without options
    sku: str | None
    cost: int | None
    price: int


@dataclass
class FakeShopData:
    name: str
    domain: str
    currency: str
    timezone: str
    orders: list[FOrder] = field(default_factory=list)
    payouts: list[FPayout] = field(default_factory=list)
    balance_transactions: list[FBalanceTransaction] = field(default_factory=list)
    variants: list[FVariant] = field(default_factory=list)
    next_id: int = 7_000_000_000
    _owners: dict[tuple[str, int], FOrder] = field(default_factory=dict, repr=False, compare=False)

    def owner(self, kind: str, id_: int | str) -> FOrder:
        """The order an Order, Refund or Fulfillment id belongs to, from an
        index rebuilt when an id is not in it (orders change between syncs)."""
        key = (kind, int(id_))
        if key not in self._owners:
            self._owners.clear()
            for o in self.orders:
                self._owners[("Order", o.id)] = o
                self._owners.update({("Refund", r.id): o for r in o.refunds})
                self._owners.update({("Fulfillment", f.id): o for f in o.fulfillments})
        return self._owners[key]

    def new_id(self) -> int:
        self.next_id += 1
        return self.next_id

    def order(self, order_id: int | str) -> FOrder:
        wanted = int(order_id)
        for o in self.orders:
            if o.id == wanted:
                return o
        raise KeyError(order_id)

    def touch(self, order_id: int | str, at: dt.datetime) -> FOrder:
        """Shopify bumps updated_at on any change to an order."""
        o = self.order(order_id)
        o.updated_at = at
        return o

    def add_large_order(
        self,
        at: dt.datetime,
        *,
        lines: int = 300,
        refunds: int = 30,
        fulfillments: int = 15,
        price: int = 1000,
    ) -> FOrder:
        """An order past every nested limit one query can carry: ``lines``
        lines of one unit, paid in one Shopify Payments sale, shipped in
        ``fulfillments`` parts, then ``refunds`` returns of one line each
        (one refund transaction apiece), all adding up to the cent."""
        number = max((o.number for o in self.orders), default=1000) + 1
        o = FOrder(self.new_id(), number, at, at, self.currency, self.timezone)
        o.lines = [
            FLine(self.new_id(), 1, 1, f"BIG-{i:03}", f"Part {i}", 1, price) for i in range(lines)
        ]
        sale = FTxn(self.new_id(), "sale", "success", "shopify_payments", lines * price, at)
        o.payments = [sale]
        per = -(-lines // fulfillments)
        for k in range(fulfillments):
            part = o.lines[k * per : (k + 1) * per]
            shipped = [FFulfillmentLine(self.new_id(), ln.id, 1) for ln in part]
            o.fulfillments.append(
                FFulfillment(self.new_id(), at + dt.timedelta(hours=1 + k), "success", shipped)
            )
        for k in range(refunds):
            when = at + dt.timedelta(days=2, hours=k)
            txn = FTxn(self.new_id(), "refund", "success", sale.gateway, price, when, sale.id)
            line = FRefundLine(self.new_id(), o.lines[k].id, 1, "return", price, 0)
            o.refunds.append(FRefund(self.new_id(), when, "Return", [line], transactions=[txn]))
            o.updated_at = when
        self.orders.append(o)
        return o

    def add_appeasement_refund(self, order_id: int | str, amount: int, at: dt.datetime) -> FRefund:
        """Money given back with no lines (a goodwill refund), through the
        order's first successful payment, as a merchant might do after a
        sync has already seen the order."""
        o = self.order(order_id)
        payment = next(
            t for t in o.payments if t.status == "success" and t.kind in ("sale", "capture")
        )
        txn = FTxn(self.new_id(), "refund", "success", payment.gateway, amount, at, payment.id)
        refund = FRefund(
            id=self.new_id(),
            at=at,
            note="Appeasement",
            discrepancy=-amount,
            discrepancy_adjustment_id=self.new_id(),
            transactions=[txn],
        )
        o.refunds.append(refund)
        o.updated_at = at
        return refund
