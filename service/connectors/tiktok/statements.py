"""TikTok Shop statements and statement transactions in neutral settlement lines.

A statement (Finance API 202309) pays ``settlement_amount = revenue_amount
+ fee_amount + adjustment_amount`` of its transactions. An ORDER
transaction's revenue is ``customer_payment_amount +
platform_discount_amount + platform_discount_refund_amount +
customer_order_refund_amount + shipping_fee_subsidy_amount``, where the
customer's payment is ``after_seller_discounts_subtotal_amount +
customer_shipping_fee_amount - platform_discount_amount +
sales_tax_payment_amount``. So, line by line:

- the price after the seller's discounts (the platform's discounts are
  money the platform pays, so they stay in it) is the principal;
- the customer's and the platform's shipping are shipping;
- the sales tax the customer paid is tax, and ``sales_tax_amount`` (the
  tax TikTok Shop keeps to remit it, negative) and the retail delivery fee
  are facilitator tax: together they net to zero;
- refunds (``customer_order_refund_amount``,
  ``platform_discount_refund_amount``) reverse the sale;
- commission, referral, transaction, affiliate and refund administration
  fees are selling fees; shipping the merchant pays TikTok Shop
  (``shipping_fee_amount``, FBT/FBM shipping costs) is fulfilment;
- an adjustment is named by its ``type``: reimbursements and
  compensations are reimbursements, shipping and warehouse ones
  fulfilment, commission ones selling fees, and any other type is left
  for review.

A transaction's lines always add up to its ``settlement_amount``: what no
field explains is a line of its own, for review, never dropped. Dates:
TikTok Shop settles an order some days after delivery, on its statement's
date; the order's sale lines also carry the day it shipped (its
``collection_time``, else ``rts_time``), on which the sale is recognised.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from service.domain.marketplace import (
    Fulfillment,
    LineKind,
    Settlement,
    SettlementError,
    SettlementLine,
)
from service.domain.money import MoneyError, to_minor

K = LineKind

SALE_FIELDS: tuple[tuple[str, LineKind, bool], ...] = (
    ("after_seller_discounts_subtotal_amount", K.PRINCIPAL, False),
    ("customer_shipping_fee_amount", K.SHIPPING, False),
    ("shipping_fee_subsidy_amount", K.SHIPPING, False),
    ("sales_tax_payment_amount", K.TAX, False),
    ("customer_order_refund_amount", K.PRINCIPAL, True),
    ("platform_discount_refund_amount", K.PLATFORM_DISCOUNT, True),
)
FEE_FIELDS: tuple[tuple[str, LineKind], ...] = (
    ("platform_commission_amount", K.SELLING_FEE),
    ("referral_fee_amount", K.SELLING_FEE),
    ("transaction_fee_amount", K.SELLING_FEE),
    ("affiliate_commission_amount", K.SELLING_FEE),
    ("affiliate_partner_commission_amount", K.SELLING_FEE),
    ("refund_administration_fee_amount", K.SELLING_FEE),
    ("shipping_fee_amount", K.FULFILLMENT_FEE),
    ("sales_tax_amount", K.FACILITATOR_TAX),
    ("retail_delivery_fee_amount", K.FACILITATOR_TAX),
)
SHIPPING_COSTS = ("fbm_shipping_cost_amount", "fbt_shipping_cost_amount")
ADJUSTMENTS: dict[str, LineKind] = {
    "SHIPPING_FEE_ADJUSTMENT": K.FULFILLMENT_FEE,
    "SHIPPING_FEE_COMPENSATION": K.FULFILLMENT_FEE,
    "SHIPPING_FEE_REBATE": K.FULFILLMENT_FEE,
    "SAMPLE_SHIPPING_FEE": K.FULFILLMENT_FEE,
    "WAREHOUSE_SERVICE_FEE": K.FULFILLMENT_FEE,
    "PLATFORM_COMMISSION_ADJUSTMENT": K.SELLING_FEE,
    "PLATFORM_COMMISSION_COMPENSATION": K.SELLING_FEE,
    "LOGISTICS_REIMBURSEMENT": K.REIMBURSEMENT,
    "PLATFORM_REIMBURSEMENT": K.REIMBURSEMENT,
    "PLATFORM_COMPENSATION": K.REIMBURSEMENT,
}
FULFILLMENT = {
    "FULFILLMENT_BY_TIKTOK": Fulfillment.MARKETPLACE,
    "FULFILLMENT_BY_SELLER": Fulfillment.MERCHANT,
}


def unix_date(value: Any) -> dt.date:
    return dt.datetime.fromtimestamp(int(value), dt.UTC).date()


@dataclass(frozen=True, slots=True)
class OrderFacts:
    """What an order adds to its statement lines: who fulfilled it, its
    units per SKU, and the day it shipped (when the carrier collected it)."""

    fulfillment: Fulfillment
    units: list[tuple[str, int]]
    shipped: dt.date | None = None


def order_units(order: Mapping[str, Any]) -> OrderFacts:
    """An order's facts from its details (one line item per unit)."""
    counts: dict[str, int] = {}
    for item in order.get("line_items") or []:
        sku = str(item.get("seller_sku") or item.get("sku_id") or "")
        if sku:
            counts[sku] = counts.get(sku, 0) + 1
    ful = FULFILLMENT.get(str(order.get("fulfillment_type", "")), Fulfillment.UNKNOWN)
    moment = order.get("collection_time") or order.get("rts_time")
    return OrderFacts(ful, sorted(counts.items()), unix_date(moment) if moment else None)


class _Lines:
    def __init__(self, statement_id: str, currency: str, day: dt.date) -> None:
        self.statement_id, self.currency, self.day = statement_id, currency, day
        self.out: list[SettlementLine] = []

    def money(self, t: Mapping[str, Any], field: str) -> int:
        value = t.get(field)
        if value in (None, ""):
            return 0
        try:
            return to_minor(Decimal(str(value)), self.currency)
        except (MoneyError, ArithmeticError) as exc:
            raise SettlementError(
                f"statement {self.statement_id} transaction {t.get('id')}: {field}"
                f" {value!r} is not an amount"
            ) from exc

    def add(self, kind: LineKind, amount: int, what: str, order_id: str | None, **kw: Any) -> None:
        if amount or kw.get("quantity"):
            self.out.append(
                SettlementLine(len(self.out) + 1, kind, amount, self.day, what, order_id, **kw)
            )


def _order(lines: _Lines, t: Mapping[str, Any], order: OrderFacts | None) -> None:
    order_id = str(t.get("order_id") or "") or None
    facts = order or OrderFacts(Fulfillment.UNKNOWN, [])
    ful, units = facts.fulfillment, facts.units
    sale = lines.money(t, "after_seller_discounts_subtotal_amount") > 0
    shipped = facts.shipped if sale else None  # a refund is recognised when settled
    explained = 0
    for field, kind, refund in SALE_FIELDS:
        amount = lines.money(t, field)
        explained += amount
        what = f"ORDER/{field}"
        if field == "after_seller_discounts_subtotal_amount" and amount > 0 and units:
            for n, (sku, qty) in enumerate(units):
                first = amount if n == 0 else 0
                lines.add(
                    kind,
                    first,
                    what,
                    order_id,
                    sku=sku,
                    quantity=qty,
                    fulfillment=ful,
                    shipped=shipped,
                )
        else:
            lines.add(kind, amount, what, order_id, refund=refund, fulfillment=ful, shipped=shipped)
    for field, kind in FEE_FIELDS:
        amount = lines.money(t, field)
        explained += amount
        lines.add(kind, amount, f"ORDER/{field}", order_id, fulfillment=ful, shipped=shipped)
    rest = lines.money(t, "fee_amount") - sum(lines.money(t, f) for f, _ in FEE_FIELDS)
    if rest and rest == sum(lines.money(t, f) for f in SHIPPING_COSTS):
        for f in SHIPPING_COSTS:
            lines.add(K.FULFILLMENT_FEE, lines.money(t, f), f"ORDER/{f}", order_id)
        explained += rest
    else:
        lines.add(K.UNKNOWN, rest, "ORDER/fee_amount not explained by its parts", order_id)
        explained += rest
    adjustment = lines.money(t, "adjustment_amount")
    lines.add(K.UNKNOWN, adjustment, "ORDER/adjustment_amount", order_id)
    missing = lines.money(t, "settlement_amount") - explained - adjustment
    lines.add(K.UNKNOWN, missing, "ORDER/settlement_amount not explained by its parts", order_id)


def _adjustment(lines: _Lines, t: Mapping[str, Any]) -> None:
    kind_name = str(t.get("type", ""))
    order_id = str(t.get("adjustment_order_id") or t.get("order_id") or "") or None
    amount = lines.money(t, "settlement_amount")
    lines.add(ADJUSTMENTS.get(kind_name, K.UNKNOWN), amount, f"ADJUSTMENT/{kind_name}", order_id)


def statement_settlement(
    statement: Mapping[str, Any],
    transactions: Sequence[Mapping[str, Any]],
    orders: Mapping[str, OrderFacts],
    payment: Mapping[str, Any] | None,
) -> Settlement:
    """One statement as a settlement, deposited by its payment: on the
    payment's paid time once PAID; until then it is not in the bank."""
    sid = str(statement.get("id") or "")
    currency = str(statement.get("currency") or "").upper()
    if not sid or len(currency) != 3:
        raise SettlementError(f"statement {sid or '?'} has no id or currency")
    day = unix_date(statement["statement_time"])
    lines = _Lines(sid, currency, day)
    for t in transactions:
        if str(t.get("currency") or currency).upper() != currency:
            raise SettlementError(f"statement {sid}: transaction {t.get('id')} in another currency")
        if t.get("type") == "ORDER":
            _order(lines, t, orders.get(str(t.get("order_id"))))
        else:
            _adjustment(lines, t)
    status = str(statement.get("payment_status") or "PROCESSING").upper()
    paid_on = day
    if payment is not None and payment.get("paid_time"):
        paid_on = unix_date(payment["paid_time"])
    elif status == "PAID" and payment is not None and payment.get("create_time"):
        paid_on = unix_date(payment["create_time"])
    return Settlement(
        marketplace="tiktok",
        settlement_id=sid,
        start=day,
        end=day,
        deposit_date=paid_on,
        total=lines.money(statement, "settlement_amount"),
        currency=currency,
        lines=tuple(lines.out),
        payout_id=str(statement.get("payment_id") or "") or None,
        payout_status=status if status in ("PAID", "PROCESSING", "FAILED") else "PROCESSING",
    )


def sku_units(rows: Sequence[Mapping[str, Any]]) -> list[tuple[str, int]]:
    """Units per SKU id from an order's own statement transactions (when the
    order's details are not available)."""
    counts: dict[str, int] = {}
    for t in rows:
        for sku in t.get("sku_statement_transactions") or []:
            sku_id = str(sku.get("sku_id") or "")
            if sku_id:
                counts[sku_id] = counts.get(sku_id, 0) + int(sku.get("quantity") or 0)
    return sorted(counts.items())
