"""REST-shaped payloads (webhook bodies) -> ``OrderHistory``.

Webhooks carry the REST shape: snake_case, ids as integers, money as
decimal strings with a ``*_set`` twin in shop and presentment money. The
books are kept in shop money, so a ``*_set.shop_money`` amount is preferred
whenever it is present.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from service.connectors.shopify.canonical import (
    REST,
    finish_history,
    fulfillment_status,
    id_key,
    restock_type,
    return_id,
    transaction_kind,
    transaction_status,
)
from service.connectors.shopify.errors import NormalizationError
from service.connectors.shopify.gateways import classify_gateway
from service.connectors.shopify.payload import Node
from service.domain.events import (
    AdjustmentKind,
    Fulfillment,
    FulfillmentLine,
    Refund,
    RefundAdjustment,
    RefundLine,
    RestockType,
    Transaction,
)
from service.domain.history import OrderHistory
from service.domain.money import convert_at_rate, format_money
from service.domain.order import DiscountAllocation, LineItem, Order, ShippingLine, TaxLine


def rest_order_id(payload: Mapping[str, Any]) -> str:
    """The id of the order an orders/* webhook body describes."""
    return Node(payload).ident("id")


def rest_updated_at(payload: Mapping[str, Any]) -> dt.datetime:
    """When Shopify last changed the object (UTC): webhooks arrive late and
    out of order, so the newest ``updated_at`` wins, not the last arrival."""
    return Node(payload).time("updated_at")


def rest_owner_order_id(payload: Mapping[str, Any]) -> str:
    """The order a refunds/create, order_transactions/create or
    fulfillments/* body belongs to."""
    return Node(payload).ident("order_id")


def _money(node: Node, key: str, currency: str) -> int:
    """``key`` in shop money: ``<key>_set.shop_money`` when Shopify sends it
    (the plain field may be presentment money on multi-currency orders)."""
    money_set = node.opt_child(f"{key}_set")
    if money_set is None:
        return node.amount(key, currency)
    shop = money_set.child("shop_money")
    code = shop.opt_text("currency_code", currency)
    if code != currency:
        raise NormalizationError(
            shop.at("currency_code"), f"{code}, but the shop's books are in {currency}"
        )
    return shop.amount("amount", currency)


def _taxes(node: Node, currency: str) -> tuple[TaxLine, ...]:
    taxes = [
        TaxLine(_money(t, "price", currency), t.flag("channel_liable"), t.opt_text("title"))
        for t in node.items("tax_lines")
    ]
    return tuple(
        sorted((t for t in taxes if t.amount), key=lambda t: (t.title, t.amount, t.channel_liable))
    )


def _discounts(node: Node, apps: list[Node], currency: str) -> tuple[DiscountAllocation, ...]:
    found: list[tuple[int, DiscountAllocation]] = []
    for alloc in node.items("discount_allocations"):
        amount = _money(alloc, "amount", currency)
        index = alloc.integer("discount_application_index")
        if not 0 <= index < len(apps):
            raise NormalizationError(
                alloc.at("discount_application_index"), f"no discount_applications[{index}]"
            )
        app = apps[index]
        if amount:
            order_level = app.opt_text("target_selection") == "all"
            code = app.opt_text("code") or app.opt_text("title")
            found.append((index, DiscountAllocation(amount, order_level, code)))
    found.sort(key=lambda pair: (pair[0], pair[1].amount))
    return tuple(d for _, d in found)


@dataclass(frozen=True, slots=True)
class OrderRate:
    """The order's own exchange rate: its total in shop money over its
    total in the customer's (presentment) money, each in minor units."""

    shop_total: int
    presentment_total: int
    presentment_currency: str

    def to_shop(self, node: Node, key: str) -> tuple[int, str]:
        """``node[key]``, an amount in the customer's currency, in shop
        money rounded half-even, and the words that say so."""
        if self.presentment_total <= 0:
            raise NormalizationError(
                node.at(key), "in the customer's currency, and the order has no rate to convert it"
            )
        raw = node.amount(key, self.presentment_currency)
        shop = convert_at_rate(raw, self.shop_total, self.presentment_total)
        said = f"{format_money(raw, self.presentment_currency)}"
        return shop, said


def _order_rate(n: Node, currency: str) -> OrderRate | None:
    """The order's rate, when it says its total in both currencies."""
    total = n.opt_child("total_price_set")
    if total is None:
        return None
    presentment = total.opt_child("presentment_money")
    if presentment is None:
        return None
    code = presentment.text("currency_code")
    return OrderRate(_money(n, "total_price", currency), presentment.amount("amount", code), code)


def _transaction(t: Node, currency: str, rate: OrderRate | None = None) -> Transaction | None:
    kind = transaction_kind(t.text("kind"), t.at("kind"))
    if kind is None:
        return None
    converted = ""
    if t.has("amount_set"):
        amount = _money(t, "amount", currency)
    else:
        code = t.opt_text("currency", currency)
        if code == currency:
            amount = t.amount("amount", currency)
        elif rate is not None and code == rate.presentment_currency:
            amount, converted = rate.to_shop(t, "amount")
        else:
            raise NormalizationError(
                t.at("amount"),
                f"in {code}, the shop's books are in {currency}, and no amount_set"
                " nor an order rate to convert it",
            )
    gateway = t.opt_text("gateway")
    at = t.time("processed_at") if t.has("processed_at") else t.time("created_at")
    return Transaction(
        id=t.ident("id"),
        at=at,
        kind=kind,
        amount=amount,
        gateway=gateway,
        method=classify_gateway(gateway, t.flag("manual_payment_gateway")),
        status=transaction_status(t.text("status"), t.at("status")),
        currency=currency,
        parent_id=t.opt_ident("parent_id"),
        converted_from=converted,
    )


def _refund(r: Node, currency: str, rate: OrderRate | None) -> Refund:
    legacy_restock = RestockType.LEGACY_RESTOCK if r.flag("restock") else RestockType.NO_RESTOCK
    lines: list[RefundLine] = []
    for rl in r.items("refund_line_items"):
        qty = rl.integer("quantity")
        if qty == 0:
            continue
        if rl.has("line_item_id"):
            line_id = rl.ident("line_item_id")
        else:
            line_id = rl.child("line_item").ident("id")
        if rl.has("restock_type"):
            rtype = restock_type(rl.text("restock_type"), rl.at("restock_type"))
        else:
            rtype = legacy_restock
        lines.append(RefundLine(line_id, qty, rtype))
    adjustments: list[RefundAdjustment] = []
    shipping_lines = r.items("refund_shipping_lines")
    for s in shipping_lines:
        adjustments.append(
            RefundAdjustment(
                AdjustmentKind.SHIPPING_REFUND,
                _money(s, "subtotal_amount", currency),
                _money(s, "tax_amount", currency)
                if s.has("tax_amount") or s.has("tax_amount_set")
                else 0,
            )
        )
    for a in r.items("order_adjustments"):
        kind_word = a.text("kind")
        if kind_word == "shipping_refund":
            if shipping_lines:
                continue  # the same shipping, already read from refund_shipping_lines
            kind = AdjustmentKind.SHIPPING_REFUND
        elif kind_word == "refund_discrepancy":
            kind = AdjustmentKind.REFUND_DISCREPANCY
        else:
            kind = AdjustmentKind.OTHER
        amount = _money(a, "amount", currency)
        tax = (
            _money(a, "tax_amount", currency)
            if a.has("tax_amount") or a.has("tax_amount_set")
            else 0
        )
        if kind is AdjustmentKind.SHIPPING_REFUND:
            # Shopify writes shipping given back as a negative adjustment;
            # the domain counts it as a positive refunded amount.
            amount, tax = -amount, -tax
        adjustments.append(RefundAdjustment(kind, amount, tax))
    txns = [_transaction(t, currency, rate) for t in r.items("transactions")]
    return Refund(
        id=r.ident("id"),
        at=r.time("created_at"),
        lines=tuple(
            sorted(lines, key=lambda x: (id_key(x.line_id), x.restock_type.value, x.quantity))
        ),
        adjustments=tuple(adjustments),
        transactions=tuple(t for t in txns if t is not None),
        note=r.opt_text("note"),
        return_id=return_id(r),
    )


def _fulfillment(f: Node) -> Fulfillment:
    lines = [
        FulfillmentLine(li.ident("id"), li.integer("quantity")) for li in f.items("line_items")
    ]
    return Fulfillment(
        id=f.ident("id"),
        at=f.time("created_at"),
        lines=tuple(sorted((x for x in lines if x.quantity), key=lambda x: id_key(x.line_id))),
        status=fulfillment_status(f.text("status"), f.at("status")),
    )


def _order(n: Node, store_id: str, timezone: str) -> Order:
    currency = n.text("currency")
    placed_at = n.time("processed_at") if n.has("processed_at") else n.time("created_at")
    apps = n.items("discount_applications")
    lines = [
        LineItem(
            id=ln.ident("id"),
            sku=ln.opt_text("sku") or None,
            quantity=ln.integer("quantity"),
            unit_price=_money(ln, "price", currency),
            discounts=_discounts(ln, apps, currency),
            tax_lines=_taxes(ln, currency),
            gift_card=ln.flag("gift_card"),
            title=ln.opt_text("name") or ln.opt_text("title"),
        )
        for ln in n.items("line_items", required=True)
    ]
    shipping = [
        ShippingLine(
            id=s.ident("id"),
            price=_money(s, "price", currency),
            discount=sum(d.amount for d in _discounts(s, apps, currency)),
            tax_lines=_taxes(s, currency),
            title=s.opt_text("title"),
        )
        for s in n.items("shipping_lines")
    ]
    tip = _money(n, "total_tip_received", currency) if n.has("total_tip_received") else 0
    return Order(
        id=n.ident("id"),
        store_id=store_id,
        currency=currency,
        timezone=timezone,
        placed_at=placed_at,
        lines=tuple(sorted(lines, key=lambda x: id_key(x.id))),
        shipping_lines=tuple(sorted(shipping, key=lambda x: id_key(x.id))),
        tip=tip,
        source=n.opt_text("source_name") or "web",
        test=n.flag("test"),
        name=n.opt_text("name"),
        taxes_included=n.flag("taxes_included"),
    )


def history_from_rest(
    order: Mapping[str, Any],
    transactions: Sequence[Mapping[str, Any]],
    *,
    store_id: str,
    timezone: str,
) -> OrderHistory:
    """The history of one order from its REST order body (refunds and
    fulfillments merged in) and its REST order transactions.

    Raises ``NormalizationError`` naming the field when the payload lacks
    something posting needs.
    """
    n = Node(order)
    o = _order(n, store_id, timezone)
    currency = o.currency
    rate = _order_rate(n, currency)
    txns = [
        _transaction(Node(t, f"transactions[{i}]"), currency, rate)
        for i, t in enumerate(transactions)
    ]
    for i, t in enumerate(transactions):
        owner = t.get("order_id")
        if owner is not None and str(owner) != o.id:
            raise NormalizationError(f"transactions[{i}].order_id", f"{owner}, not order {o.id}")
    refunds = [_refund(r, currency, rate) for r in n.items("refunds")]
    fulfillments = [_fulfillment(f) for f in n.items("fulfillments")]
    return finish_history(n, o, txns, refunds, fulfillments, REST)
