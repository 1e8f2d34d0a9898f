"""A seeded generator of realistic, arithmetically consistent shop data.

Shopify's own fixtures do not add up (STACK-NOTES); these do: every order's
total is subtotal - discounts + shipping + tax + tip, refunds never return
more than was paid nor more units than were sold, fulfillments never ship
more than was ordered, and every Shopify Payments transaction has a balance
transaction whose fee and payout tie back to it.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from tests.fakes.shopify.model import (
    FakeShopData,
    FAlloc,
    FBalanceTransaction,
    FDiscountApp,
    FFulfillment,
    FFulfillmentLine,
    FLine,
    FOrder,
    FPayout,
    FRefund,
    FRefundLine,
    FShip,
    FTax,
    FTxn,
    FVariant,
)

UTC = dt.UTC
BASE = dt.datetime(2024, 1, 2, 14, 0, tzinfo=UTC)
PROCESSOR = "shopify_payments"
_PRODUCTS = ["Linen Shirt", "Wool Socks", "Canvas Tote", "Rain Jacket", "Trail Cap", "Mug", "Scarf"]
_SOURCES = ["web"] * 14 + ["pos", "pos", "shopify_draft_order", "iphone", "4383523", "loop-returns"]
_RATES = [None, "0.06", "0.0725", "0.08875", "0.1", "0.0625"]


def split(total: int, weights: list[int]) -> list[int]:
    """Largest-remainder split of ``total`` in proportion to ``weights``."""
    whole = sum(weights)
    if whole <= 0:
        return [0] * len(weights)
    base = [total * w // whole for w in weights]
    rest = total - sum(base)
    order = sorted(range(len(weights)), key=lambda i: (-(total * weights[i] % whole), i))
    for i in order[:rest]:
        base[i] += 1
    return base


def _round(amount: Decimal) -> int:
    return int(amount.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _tax(taxable: int, rate: str) -> int:
    return _round(Decimal(taxable) * Decimal(rate))


def _share(amount: int, part: int, whole: int) -> int:
    return amount * part // whole


class _Builder:
    def __init__(self, data: FakeShopData, rng: random.Random) -> None:
        self.data = data
        self.rng = rng

    def id(self) -> int:
        return self.data.new_id()

    # -- the order as placed ------------------------------------------------

    def order(self, number: int, t0: dt.datetime) -> FOrder:
        rng = self.rng
        o = FOrder(
            id=self.id(),
            number=number,
            created_at=t0,
            updated_at=t0,
            currency=self.data.currency,
            timezone=self.data.timezone,
            source_name=rng.choice(_SOURCES),
            test=rng.random() < 0.03,
            email=f"buyer{number}@example.com",
        )
        exchange = o.source_name == "loop-returns" or rng.random() < 0.02
        for _ in range(rng.choice([1, 2, 3, 3, 3, 4, 4, 4, 5, 5])):
            o.lines.append(self.line(gift=not exchange and rng.random() < 0.05))
        if exchange:
            self.exchange_discount(o)
        else:
            self.line_discounts(o)
            self.order_discount(o)
        self.shipping(o)
        self.taxes(o)
        if o.source_name in ("web", "pos") and rng.random() < 0.08:
            o.tip = rng.choice([100, 200, 300, 500])
        return o

    def line(self, gift: bool) -> FLine:
        rng = self.rng
        if gift:
            return FLine(
                self.id(),
                self.id(),
                self.id(),
                None,
                "Gift Card",
                1,
                rng.choice([2500, 5000, 10000]),
                gift_card=True,
            )
        title = rng.choice(_PRODUCTS)
        sku = None if rng.random() < 0.05 else f"{title[:3].upper()}-{rng.randint(100, 999)}"
        price = rng.randint(4, 120) * 100 + rng.choice([0, 0, 99, 50, 95])
        return FLine(
            self.id(), self.id(), self.id(), sku, title, rng.choice([1, 1, 1, 2, 3]), price
        )

    def exchange_discount(self, o: FOrder) -> None:
        """A returns app's exchange order: every line 100% off."""
        o.apps.append(
            FDiscountApp(
                "manual", "Exchange", "100.0", "percentage", "each", "explicit", "line_item"
            )
        )
        for ln in o.lines:
            ln.allocs.append(FAlloc(ln.gross, len(o.apps) - 1))

    def line_discounts(self, o: FOrder) -> None:
        for ln in o.lines:
            if ln.gift_card or self.rng.random() >= 0.12:
                continue
            pct = self.rng.choice([10, 20, 25])
            o.apps.append(
                FDiscountApp(
                    "automatic",
                    f"{pct}% off {ln.title}",
                    f"{pct}.0",
                    "percentage",
                    "across",
                    "entitled",
                    "line_item",
                )
            )
            ln.allocs.append(FAlloc(_round(Decimal(ln.gross) * pct / 100), len(o.apps) - 1))

    def order_discount(self, o: FOrder) -> None:
        rng = self.rng
        eligible = [ln for ln in o.lines if not ln.gift_card]
        if not eligible or rng.random() >= 0.3:
            return
        nets = [ln.gross - ln.discount for ln in eligible]
        base = sum(nets)
        if base <= 0:
            return
        if rng.random() < 0.6:
            pct = rng.choice([10, 15, 20])
            amount = _round(Decimal(base) * pct / 100)
            app = FDiscountApp(
                "discount_code",
                f"SAVE{pct}",
                f"{pct}.0",
                "percentage",
                "across",
                "all",
                "line_item",
            )
        else:
            fixed = rng.choice([500, 1000])
            amount = min(fixed, base)
            app = FDiscountApp(
                "discount_code",
                f"TAKE{fixed // 100}",
                f"{fixed // 100}.0",
                "fixed_amount",
                "across",
                "all",
                "line_item",
            )
        o.apps.append(app)
        for ln, part in zip(eligible, split(amount, nets), strict=True):
            if part:
                ln.allocs.append(FAlloc(part, len(o.apps) - 1))

    def shipping(self, o: FOrder) -> None:
        rng = self.rng
        physical = any(not ln.gift_card for ln in o.lines)
        if o.source_name == "pos" or not physical or rng.random() >= 0.9:
            return
        express = rng.random() < 0.2
        price = 1500 if express else rng.choice([0, 499, 695, 995])
        ship = FShip(
            self.id(), "Express" if express else "Standard", "EXP" if express else "STD", price
        )
        if price and rng.random() < 0.1:
            o.apps.append(
                FDiscountApp(
                    "discount_code",
                    "FREESHIP",
                    "100.0",
                    "percentage",
                    "each",
                    "all",
                    "shipping_line",
                )
            )
            ship.allocs.append(FAlloc(price, len(o.apps) - 1))
        o.shipping.append(ship)

    def taxes(self, o: FOrder) -> None:
        rng = self.rng
        rate = rng.choice(_RATES)
        if rate is None:
            return
        liable = rng.random() < 0.12
        two = rng.random() < 0.4
        for ln in o.lines:
            if not ln.gift_card:
                ln.taxes = self.tax_lines(ln.gross - ln.discount, rate, liable, two)
        if rng.random() < 0.5:
            for s in o.shipping:
                s.taxes = self.tax_lines(s.price - s.discount, rate, liable, two)

    @staticmethod
    def tax_lines(taxable: int, rate: str, liable: bool, two: bool) -> list[FTax]:
        if liable:
            return [FTax("Marketplace Facilitator Tax", rate, _tax(taxable, rate), True)]
        if not two:
            return [FTax("Sales Tax", rate, _tax(taxable, rate))]
        state = str(Decimal(rate) * Decimal("0.75"))
        county = str(Decimal(rate) - Decimal(state))
        state_tax = _tax(taxable, state)
        return [
            FTax("State Tax", state, state_tax),
            FTax("County Tax", county, _tax(taxable, rate) - state_tax),
        ]

    # -- what happens afterwards -----------------------------------------

    def txn(
        self,
        o: FOrder,
        kind: str,
        status: str,
        gateway: str,
        amount: int,
        at: dt.datetime,
        parent: int | None = None,
    ) -> FTxn:
        t = FTxn(self.id(), kind, status, gateway, amount, at, parent, test=o.test)
        o.payments.append(t)
        return t

    def payments(self, o: FOrder) -> None:
        rng = self.rng
        total = o.total_price
        if total <= 0:
            return
        t = o.created_at + dt.timedelta(seconds=rng.randint(1, 30))
        later = o.created_at + dt.timedelta(days=rng.randint(2, 9), minutes=rng.randint(0, 600))
        if o.test:
            self.txn(o, "sale", "success", "bogus", total, t)
            return
        if o.source_name == "pos":
            self.txn(o, "sale", "success", "cash" if rng.random() < 0.5 else PROCESSOR, total, t)
            return
        r = rng.random()
        if r < 0.50:
            self.txn(o, "sale", "success", PROCESSOR, total, t)
        elif r < 0.62:
            auth = self.txn(o, "authorization", "success", PROCESSOR, total, t)
            cap = o.created_at + dt.timedelta(days=rng.randint(1, 3))
            self.txn(o, "capture", "success", PROCESSOR, total, cap, auth.id)
        elif r < 0.70:
            self.txn(o, "sale", "success", "paypal", total, t)
        elif r < 0.77:
            gift = min(total, rng.choice([1000, 2500, 5000]))
            self.txn(o, "sale", "success", "gift_card", gift, t)
            if total > gift:
                self.txn(o, "sale", "success", PROCESSOR, total - gift, t + dt.timedelta(seconds=2))
        elif r < 0.87:
            gateway = rng.choice(["manual", "Cash on Delivery (COD)", "Bank Deposit"])
            self.txn(o, "sale", "pending", gateway, total, t)
            if rng.random() < 0.6:
                self.txn(o, "sale", "success", gateway, total, later)
        elif r < 0.92:
            deposit = max(1, total // 2)
            self.txn(o, "sale", "success", PROCESSOR, deposit, t)
            if rng.random() < 0.5:
                self.txn(o, "sale", "success", PROCESSOR, total - deposit, later)
        elif r < 0.96:
            self.txn(o, "sale", "failure", PROCESSOR, total, t)
            self.txn(o, "sale", "success", PROCESSOR, total, t + dt.timedelta(seconds=90))
        # else: an unpaid invoice, nothing yet

    def cancel(self, o: FOrder) -> None:
        rng = self.rng
        at = o.created_at + dt.timedelta(hours=rng.randint(1, 36))
        o.cancelled_at = at
        o.cancel_reason = rng.choice(["customer", "inventory", "fraud", "declined", "other"])
        o.payments = [p for p in o.payments if p.at <= at]
        captured = {p.parent_id for p in o.payments if p.kind == "capture"}
        for p in list(o.payments):
            if p.kind == "authorization" and p.status == "success" and p.id not in captured:
                self.txn(o, "void", "success", p.gateway, p.amount, at, p.id)
        refund = FRefund(self.id(), at, note="Order cancelled")
        for ln in o.lines:
            refund.lines.append(
                FRefundLine(self.id(), ln.id, ln.quantity, "cancel", ln.gross - ln.discount, ln.tax)
            )
        for s in o.shipping[:1]:
            if s.price - s.discount or s.tax:
                refund.shipping_line_id = s.id
                refund.shipping, refund.shipping_tax = s.price - s.discount, s.tax
                refund.shipping_adjustment_id = self.id()
        for p in o.payments:
            if p.status == "success" and p.kind in ("sale", "capture"):
                refund.transactions.append(
                    FTxn(self.id(), "refund", "success", p.gateway, p.amount, at, p.id, o.test)
                )
        o.refunds.append(refund)

    def fulfil(self, o: FOrder) -> None:
        rng = self.rng
        gifts = [ln for ln in o.lines if ln.gift_card]
        if gifts:  # Shopify fulfils gift cards as soon as they are paid for
            o.fulfillments.append(
                FFulfillment(
                    self.id(),
                    o.created_at + dt.timedelta(minutes=2),
                    "success",
                    [FFulfillmentLine(self.id(), ln.id, ln.quantity) for ln in gifts],
                )
            )
        physical = [ln for ln in o.lines if not ln.gift_card]
        if not physical:
            return
        r = rng.random()
        first = o.created_at + dt.timedelta(days=rng.randint(1, 5), hours=rng.randint(0, 12))
        if r < 0.15:
            return
        if r < 0.75:
            o.fulfillments.append(self.fulfillment(first, [(ln, ln.quantity) for ln in physical]))
            return
        if r < 0.95:
            part = [(ln, rng.randint(0, ln.quantity)) for ln in physical]
            if sum(q for _, q in part) == 0:
                part[0] = (part[0][0], 1)
            if all(q == ln.quantity for ln, q in part) and len(part) > 1:
                part[-1] = (part[-1][0], 0)
            o.fulfillments.append(self.fulfillment(first, [(ln, q) for ln, q in part if q]))
            rest = [(ln, ln.quantity - q) for ln, q in part if ln.quantity - q]
            if rest and rng.random() < 0.6:
                second = first + dt.timedelta(days=rng.randint(2, 6))
                status = "open" if rng.random() < 0.1 else "success"
                o.fulfillments.append(self.fulfillment(second, rest, status))
            return
        o.fulfillments.append(
            self.fulfillment(first, [(ln, ln.quantity) for ln in physical], "cancelled")
        )
        o.fulfillments.append(
            self.fulfillment(first + dt.timedelta(hours=5), [(ln, ln.quantity) for ln in physical])
        )

    def fulfillment(
        self, at: dt.datetime, parts: list[tuple[FLine, int]], status: str = "success"
    ) -> FFulfillment:
        return FFulfillment(
            self.id(), at, status, [FFulfillmentLine(self.id(), ln.id, q) for ln, q in parts]
        )

    def refunds(self, o: FOrder) -> None:
        rng = self.rng
        if rng.random() >= 0.25:
            return
        shipped: dict[int, int] = defaultdict(int)
        for f in o.fulfillments:
            if f.status == "success":
                for fl in f.lines:
                    shipped[fl.line_id] += fl.quantity
        done = [f.at for f in o.fulfillments] or [o.created_at]
        at = max(done + [p.at for p in o.payments]) + dt.timedelta(days=rng.randint(2, 20))
        self.refund(o, at, shipped)
        if rng.random() < 0.25:
            self.refund(o, at + dt.timedelta(days=rng.randint(1, 10)), shipped)

    def refund(self, o: FOrder, at: dt.datetime, shipped: dict[int, int]) -> None:
        rng = self.rng
        refunded: dict[int, int] = defaultdict(int)
        for r in o.refunds:
            for rl in r.lines:
                refunded[rl.line_id] += rl.quantity
        avail = o.paid - o.refunded
        kind = rng.choice(["return", "return", "return", "cancel", "appeasement", "store_credit"])
        refund = FRefund(self.id(), at)
        if kind == "appeasement":
            if avail <= 0:
                return
            amount = min(avail, rng.choice([300, 500, 1000]))
            refund.note = "Sorry for the delay"
            refund.discrepancy, refund.discrepancy_adjustment_id = -amount, self.id()
            self.refund_money(o, refund, amount, at, store_credit=False)
            o.refunds.append(refund)
            return
        value = 0
        for ln in o.lines:
            if ln.gift_card:
                continue
            if kind == "cancel":
                room = ln.quantity - max(shipped[ln.id], refunded[ln.id])
                restock = "cancel"
            else:
                room = shipped[ln.id] - refunded[ln.id]
                restock = "return" if rng.random() < 0.7 else "no_restock"
            if room <= 0 or (refund.lines and rng.random() < 0.5):
                continue
            q = rng.randint(1, room)
            before, after = refunded[ln.id], refunded[ln.id] + q
            sub = _share(ln.gross - ln.discount, after, ln.quantity) - _share(
                ln.gross - ln.discount, before, ln.quantity
            )
            tax = _share(ln.tax, after, ln.quantity) - _share(ln.tax, before, ln.quantity)
            refund.lines.append(FRefundLine(self.id(), ln.id, q, restock, sub, tax))
            refunded[ln.id] = after
            value += sub + tax
        if not refund.lines:
            return
        already = any(r.shipping or r.shipping_tax for r in o.refunds)
        if o.shipping and not already and rng.random() < 0.3:
            s = o.shipping[0]
            if s.price - s.discount or s.tax:
                refund.shipping_line_id = s.id
                refund.shipping, refund.shipping_tax = s.price - s.discount, s.tax
                refund.shipping_adjustment_id = self.id()
                value += refund.shipping + refund.shipping_tax
        fee = rng.choice([0, 0, 500, 700]) if kind == "return" else 0
        money = max(0, min(value - min(fee, value), avail))
        if value - money:
            refund.discrepancy, refund.discrepancy_adjustment_id = value - money, self.id()
        refund.note = {
            "return": "Returned",
            "cancel": "Not shipped",
            "store_credit": "Store credit",
        }[kind]
        self.refund_money(o, refund, money, at, store_credit=kind == "store_credit")
        o.refunds.append(refund)

    def refund_money(
        self, o: FOrder, refund: FRefund, amount: int, at: dt.datetime, store_credit: bool
    ) -> None:
        if amount <= 0:
            return
        if store_credit:
            refund.transactions.append(
                FTxn(self.id(), "refund", "success", "gift_card", amount, at, None, o.test)
            )
            return
        back: dict[int, int] = defaultdict(int)
        for t in o.refund_transactions:
            if t.status == "success" and t.parent_id is not None:
                back[t.parent_id] += t.amount
        left = amount
        payments = [
            p for p in o.payments if p.status == "success" and p.kind in ("sale", "capture")
        ]
        payments.sort(key=lambda p: (p.gateway == "gift_card", p.at, p.id))
        for p in payments:
            take = min(left, p.amount - back[p.id])
            if take > 0:
                refund.transactions.append(
                    FTxn(self.id(), "refund", "success", p.gateway, take, at, p.id, o.test)
                )
                left -= take
            if not left:
                return
        if left:  # money paid to a since-refunded payment: give it back as store credit
            refund.transactions.append(
                FTxn(self.id(), "refund", "success", "gift_card", left, at, None, o.test)
            )

    def finish(self, o: FOrder) -> None:
        times = [o.created_at] + [t.at for t in o.transactions] + [f.at for f in o.fulfillments]
        times += [r.at for r in o.refunds]
        if o.cancelled_at:
            times.append(o.cancelled_at)
        o.updated_at = max(times) + dt.timedelta(seconds=self.rng.randint(0, 120))

    # -- Shopify Payments ------------------------------------------------

    def processor_records(self) -> None:
        rng = self.rng
        data = self.data
        for o in data.orders:
            if o.test:
                continue
            for t in o.transactions:
                if t.gateway != PROCESSOR or t.status != "success":
                    continue
                at = t.at + dt.timedelta(seconds=rng.randint(1, 5))
                if t.kind in ("sale", "capture"):
                    fee = _round(Decimal(t.amount) * Decimal("0.029")) + 30
                    data.balance_transactions.append(
                        FBalanceTransaction(
                            self.id(), "CHARGE", "CHARGE", t.amount, fee, at, o.id, t.id
                        )
                    )
                    if rng.random() < 0.01:
                        data.balance_transactions.append(
                            FBalanceTransaction(
                                self.id(),
                                "DISPUTE",
                                "DISPUTE",
                                -t.amount,
                                1500,
                                at + dt.timedelta(days=20),
                                o.id,
                                t.id,
                            )
                        )
                elif t.kind == "refund":
                    data.balance_transactions.append(
                        FBalanceTransaction(
                            self.id(), "REFUND", "REFUND", -t.amount, 0, at, o.id, t.id
                        )
                    )
                    if rng.random() < 0.3:
                        data.balance_transactions.append(
                            FBalanceTransaction(
                                self.id(), "ADJUSTMENT", "ADJUSTMENT", 30, 0, at, o.id, t.id
                            )
                        )
        data.balance_transactions.sort(key=lambda b: (b.at, b.id))
        by_day: dict[dt.date, list[FBalanceTransaction]] = defaultdict(list)
        for b in data.balance_transactions:
            by_day[b.at.date()].append(b)
        if not by_day:
            return
        last = max(by_day)
        payouts: list[FBalanceTransaction] = []
        for day in sorted(by_day):
            net = sum(b.net for b in by_day[day])
            if net == 0:
                continue
            issued = dt.datetime.combine(day + dt.timedelta(days=2), dt.time(6), tzinfo=UTC)
            age = (last - day).days
            status = "SCHEDULED" if age < 1 else "IN_TRANSIT" if age < 3 else "PAID"
            payout = FPayout(
                self.id(), issued, status, abs(net), "DEPOSIT" if net > 0 else "WITHDRAWAL"
            )
            data.payouts.append(payout)
            for b in by_day[day]:
                b.payout_id = payout.id
            payouts.append(
                FBalanceTransaction(
                    self.id(), "PAYOUT", "TRANSFER", -net, 0, issued, payout_id=payout.id
                )
            )
        data.balance_transactions.extend(payouts)
        data.balance_transactions.sort(key=lambda b: b.id)


_OPTIONS = {
    "Linen Shirt": ["White / S", "White / M", "Navy / M", "Navy / L", "Sand / XL"],
    "Wool Socks": ["Grey / M", "Grey / L", "Charcoal / M"],
    "Canvas Tote": ["Default Title"],
    "Rain Jacket": ["Olive / M", "Olive / L", "Black / S", "Black / XL"],
    "Trail Cap": ["Default Title"],
    "Mug": ["Default Title"],
    "Scarf": ["Red", "Grey"],
}
_CATALOG_IDS = 8_000_000_000
"""Catalog-only ids (inventory items, variants nobody ordered) live apart
from ``FakeShopData.new_id``'s range, so adding the catalog changes no
order's ids."""


def _catalog(data: FakeShopData, seed: int) -> list[FVariant]:
    """The product variants behind the orders' lines, from a random stream
    of its own (the orders' stream is left exactly as it was).

    Every SKU on an order is a variant (its id and price those of the first
    line that sold it, its product title the line's title), about 85% with
    a unit cost, the rest without. Besides: variants without a SKU (None or
    "", as Shopify answers either; gift cards among them), a few SKUs never
    sold, and a few later variants reusing an existing SKU with another cost
    (a merchant's duplicated product)."""
    rng = random.Random(f"catalog:{seed}")
    ids = iter(range(_CATALOG_IDS + 1, _CATALOG_IDS + 10_000_000))
    firsts: dict[str, FLine] = {}
    products: dict[str, int] = {}
    gift: FLine | None = None
    for o in data.orders:
        for ln in o.lines:
            products.setdefault(ln.title, ln.product_id)
            if ln.gift_card:
                gift = gift or ln
            elif ln.sku:
                firsts.setdefault(ln.sku, ln)

    def cost(price: int) -> int | None:
        if rng.random() < 0.15:
            return None
        return price * rng.randint(25, 55) // 100

    variants: list[FVariant] = []
    for sku, ln in firsts.items():
        variants.append(
            FVariant(
                id=ln.variant_id,
                product_id=products[ln.title],
                inventory_item_id=next(ids),
                product_title=ln.title,
                title=rng.choice(_OPTIONS.get(ln.title, ["Default Title"])),
                sku=sku,
                cost=cost(ln.price),
                price=ln.price,
            )
        )
    originals = list(variants)
    for title, product_id in sorted(products.items()):
        if title == "Gift Card" or rng.random() < 0.5:
            for _ in range(1 if title != "Gift Card" else 3):
                variants.append(
                    FVariant(
                        next(ids),
                        product_id,
                        next(ids),
                        title,
                        rng.choice(_OPTIONS.get(title, ["$25", "$50", "$100"])),
                        rng.choice([None, ""]),
                        None if title == "Gift Card" else cost(2000),
                        gift.price if gift is not None and title == "Gift Card" else 2000,
                    )
                )
        if title != "Gift Card" and rng.random() < 0.5:
            price = rng.randint(4, 120) * 100
            variants.append(
                FVariant(
                    next(ids),
                    product_id,
                    next(ids),
                    title,
                    rng.choice(_OPTIONS.get(title, ["Default Title"])),
                    f"{title[:3].upper()}-{rng.randint(1000, 9999)}",  # never sold: 4 digits
                    cost(price),
                    price,
                )
            )
    for original in originals:
        if rng.random() < 0.04:
            variants.append(
                FVariant(
                    next(ids),
                    next(ids),
                    next(ids),
                    f"{original.product_title} (copy)",
                    original.title,
                    original.sku,
                    cost(original.price),
                    original.price,
                )
            )
    variants.sort(key=lambda v: v.id)
    return variants


def generate_shop(n_orders: int, seed: int) -> FakeShopData:
    """A shop with ``n_orders`` orders spread over a year, its Shopify
    Payments payouts and the product catalog its orders sold from. The same
    arguments always give the same data."""
    rng = random.Random(seed)
    data = FakeShopData(
        name="Fake Outfitters",
        domain="fake-outfitters.myshopify.com",
        currency="USD",
        timezone="America/New_York",
    )
    b = _Builder(data, rng)
    spread = max(600, 365 * 86400 // max(n_orders, 1))
    for i in range(n_orders):
        t0 = BASE + dt.timedelta(seconds=i * spread + rng.randint(0, spread // 2))
        o = b.order(1001 + i, t0)
        b.payments(o)
        if rng.random() < 0.06:
            b.cancel(o)
        else:
            b.fulfil(o)
            b.refunds(o)
        b.finish(o)
        data.orders.append(o)
    b.processor_records()
    data.variants = _catalog(data, seed)
    return data
