"""The REST shape of the fake shop: what Shopify's webhooks send.

snake_case, integer ids, money as decimal strings with a ``*_set`` twin in
shop and presentment money, timestamps with the shop's UTC offset.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from service.domain.money import format_amount
from tests.fakes.shopify.model import (
    FAlloc,
    FDiscountApp,
    FFulfillment,
    FLine,
    FOrder,
    FRefund,
    FShip,
    FTax,
    FTxn,
)


def money(amount: int, currency: str) -> str:
    return format_amount(amount, currency)


def money_set(amount: int, currency: str) -> dict[str, Any]:
    bag = {"amount": money(amount, currency), "currency_code": currency}
    return {"shop_money": bag, "presentment_money": dict(bag)}


def local_time(at: dt.datetime | None, tz: str) -> str | None:
    if at is None:
        return None
    return at.astimezone(ZoneInfo(tz)).isoformat(timespec="seconds")


def _gid(kind: str, id_: int) -> str:
    return f"gid://shopify/{kind}/{id_}"


def _tax(t: FTax, cur: str) -> dict[str, Any]:
    return {
        "title": t.title,
        "price": money(t.amount, cur),
        "price_set": money_set(t.amount, cur),
        "rate": float(t.rate),  # Shopify sends the rate as a JSON number
        "channel_liable": t.channel_liable,
    }


def _alloc(a: FAlloc, cur: str) -> dict[str, Any]:
    return {
        "amount": money(a.amount, cur),
        "amount_set": money_set(a.amount, cur),
        "discount_application_index": a.app_index,
    }


def _app(a: FDiscountApp) -> dict[str, Any]:
    out: dict[str, Any] = {
        "type": a.type,
        "value": a.value,
        "value_type": a.value_type,
        "allocation_method": a.allocation_method,
        "target_selection": a.target_selection,
        "target_type": a.target_type,
    }
    if a.type == "discount_code":
        out["code"] = a.label
    else:
        out["title"] = a.label
        out["description"] = a.label
    return out


def _line(o: FOrder, ln: FLine, cur: str) -> dict[str, Any]:
    return {
        "id": ln.id,
        "admin_graphql_api_id": _gid("LineItem", ln.id),
        "product_id": ln.product_id,
        "variant_id": ln.variant_id,
        "sku": ln.sku or "",
        "title": ln.title,
        "name": ln.title,
        "variant_title": None,
        "vendor": "Fake Outfitters",
        "quantity": ln.quantity,
        "current_quantity": ln.quantity
        - sum(rl.quantity for r in o.refunds for rl in r.lines if rl.line_id == ln.id),
        "price": money(ln.price, cur),
        "price_set": money_set(ln.price, cur),
        "total_discount": money(0, cur),  # deprecated by Shopify: always 0, see allocations
        "total_discount_set": money_set(0, cur),
        "discount_allocations": [_alloc(a, cur) for a in ln.allocs],
        "tax_lines": [_tax(t, cur) for t in ln.taxes],
        "taxable": bool(ln.taxes),
        "gift_card": ln.gift_card,
        "requires_shipping": not ln.gift_card,
        "fulfillment_service": "manual",
        "grams": 0 if ln.gift_card else 250,
        "duties": [],
    }


def _ship(s: FShip, cur: str) -> dict[str, Any]:
    return {
        "id": s.id,
        "title": s.title,
        "code": s.code,
        "source": "shopify",
        "price": money(s.price, cur),
        "price_set": money_set(s.price, cur),
        "discounted_price": money(s.price - s.discount, cur),
        "discounted_price_set": money_set(s.price - s.discount, cur),
        "discount_allocations": [_alloc(a, cur) for a in s.allocs],
        "tax_lines": [_tax(t, cur) for t in s.taxes],
    }


def rest_transaction(o: FOrder, t: FTxn) -> dict[str, Any]:
    """An order transaction as order_transactions/create sends it (money in
    the order's currency, no ``amount_set``)."""
    return {
        "id": t.id,
        "admin_graphql_api_id": _gid("OrderTransaction", t.id),
        "order_id": o.id,
        "kind": t.kind,
        "gateway": t.gateway,
        "manual_payment_gateway": t.manual,
        "status": t.status,
        "message": None,
        "created_at": local_time(t.at, o.timezone),
        "processed_at": local_time(t.at, o.timezone),
        "test": t.test,
        "authorization": t.authorization
        or (None if t.gateway != "shopify_payments" else f"ch_{t.id}"),
        "parent_id": t.parent_id,
        "amount": money(t.amount, o.currency),
        "currency": o.currency,
        "source_name": "web",
        "receipt": {},
        "error_code": None,
    }


def rest_transactions(o: FOrder) -> list[dict[str, Any]]:
    return [rest_transaction(o, t) for t in o.transactions]


def rest_refund(o: FOrder, i: int) -> dict[str, Any]:
    """``o.refunds[i]`` as refunds/create sends it."""
    r: FRefund = o.refunds[i]
    cur, tz = o.currency, o.timezone
    by_id = {ln.id: ln for ln in o.lines}
    adjustments: list[dict[str, Any]] = []
    if r.shipping or r.shipping_tax:
        adjustments.append(
            {
                "id": r.shipping_adjustment_id,
                "order_id": o.id,
                "refund_id": r.id,
                "kind": "shipping_refund",
                "reason": "Shipping refund",
                "amount": money(-r.shipping, cur),
                "amount_set": money_set(-r.shipping, cur),
                "tax_amount": money(-r.shipping_tax, cur),
                "tax_amount_set": money_set(-r.shipping_tax, cur),
            }
        )
    if r.discrepancy:
        adjustments.append(
            {
                "id": r.discrepancy_adjustment_id,
                "order_id": o.id,
                "refund_id": r.id,
                "kind": "refund_discrepancy",
                "reason": "Refund discrepancy",
                "amount": money(r.discrepancy, cur),
                "amount_set": money_set(r.discrepancy, cur),
                "tax_amount": money(0, cur),
                "tax_amount_set": money_set(0, cur),
            }
        )
    return {
        "id": r.id,
        "admin_graphql_api_id": _gid("Refund", r.id),
        "order_id": o.id,
        "created_at": local_time(r.at, tz),
        "processed_at": local_time(r.at, tz),
        "note": r.note,
        "restock": any(rl.restock_type != "no_restock" for rl in r.lines),
        "user_id": None,
        "refund_line_items": [
            {
                "id": rl.id,
                "line_item_id": rl.line_id,
                "quantity": rl.quantity,
                "restock_type": rl.restock_type,
                "location_id": 1 if rl.restock_type != "no_restock" else None,
                "subtotal": money(rl.subtotal, cur),
                "subtotal_set": money_set(rl.subtotal, cur),
                "total_tax": money(rl.tax, cur),
                "total_tax_set": money_set(rl.tax, cur),
                "line_item": _line(o, by_id[rl.line_id], cur),
            }
            for rl in r.lines
        ],
        "transactions": [rest_transaction(o, t) for t in r.transactions],
        "order_adjustments": adjustments,
        "duties": [],
    }


def rest_fulfillment(o: FOrder, i: int) -> dict[str, Any]:
    """``o.fulfillments[i]`` as fulfillments/create and /update send it:
    its line_items are the order's line items with the shipped quantity."""
    f: FFulfillment = o.fulfillments[i]
    by_id = {ln.id: ln for ln in o.lines}
    items = []
    for fl in f.lines:
        item = _line(o, by_id[fl.line_id], o.currency)
        item["quantity"] = fl.quantity
        item["fulfillment_status"] = "fulfilled" if f.status == "success" else None
        items.append(item)
    return {
        "id": f.id,
        "admin_graphql_api_id": _gid("Fulfillment", f.id),
        "order_id": o.id,
        "name": f"{o.name}.{i + 1}",
        "status": f.status,
        "created_at": local_time(f.at, o.timezone),
        "updated_at": local_time(f.at, o.timezone),
        "service": "manual",
        "tracking_company": "UPS",
        "tracking_number": f"1Z{f.id}",
        "line_items": items,
    }


def financial_status(o: FOrder) -> str:
    if o.cancelled_at and not o.paid:
        return "voided"
    if o.refunded and o.refunded >= o.paid:
        return "refunded"
    if o.refunded:
        return "partially_refunded"
    if o.paid >= o.total_price:
        return "paid"
    if o.paid:
        return "partially_paid"
    if any(p.kind == "authorization" and p.status == "success" for p in o.payments):
        return "authorized"
    return "pending"


def fulfillment_status(o: FOrder) -> str | None:
    shipped = sum(fl.quantity for f in o.fulfillments if f.status == "success" for fl in f.lines)
    if not shipped:
        return None
    return "fulfilled" if shipped >= sum(ln.quantity for ln in o.lines) else "partial"


def rest_order(o: FOrder) -> dict[str, Any]:
    """The order as an orders/* webhook body (refunds and fulfillments as of
    now included)."""
    cur, tz = o.currency, o.timezone
    codes = [a for a in o.apps if a.type == "discount_code"]
    return {
        "id": o.id,
        "admin_graphql_api_id": _gid("Order", o.id),
        "name": o.name,
        "order_number": o.number,
        "number": o.number - 1000,
        "email": o.email,
        "created_at": local_time(o.created_at, tz),
        "processed_at": local_time(o.created_at, tz),
        "updated_at": local_time(o.updated_at, tz),
        "cancelled_at": local_time(o.cancelled_at, tz),
        "cancel_reason": o.cancel_reason,
        "closed_at": None,
        "test": o.test,
        "source_name": o.source_name,
        "currency": cur,
        "presentment_currency": cur,
        "financial_status": financial_status(o),
        "fulfillment_status": fulfillment_status(o),
        "taxes_included": False,
        "tax_exempt": False,
        "subtotal_price": money(o.subtotal, cur),
        "subtotal_price_set": money_set(o.subtotal, cur),
        "total_line_items_price": money(o.line_gross, cur),
        "total_line_items_price_set": money_set(o.line_gross, cur),
        "total_discounts": money(o.total_discounts, cur),
        "total_discounts_set": money_set(o.total_discounts, cur),
        "total_shipping_price_set": money_set(o.shipping_price - o.shipping_discounts, cur),
        "total_tax": money(o.total_tax, cur),
        "total_tax_set": money_set(o.total_tax, cur),
        "total_tip_received": money(o.tip, cur),
        "total_price": money(o.total_price, cur),
        "total_price_set": money_set(o.total_price, cur),
        "total_outstanding": money(max(0, o.total_price - o.paid + o.refunded), cur),
        "discount_codes": [
            {"code": a.label, "amount": a.value, "type": a.value_type} for a in codes
        ],
        "discount_applications": [_app(a) for a in o.apps],
        "line_items": [_line(o, ln, cur) for ln in o.lines],
        "shipping_lines": [_ship(s, cur) for s in o.shipping],
        "tax_lines": _order_tax_lines(o, cur),
        "refunds": [rest_refund(o, i) for i in range(len(o.refunds))],
        "fulfillments": [rest_fulfillment(o, i) for i in range(len(o.fulfillments))],
        "payment_gateway_names": sorted({t.gateway for t in o.payments}),
        "tags": "",
        "note": None,
    }


def _order_tax_lines(o: FOrder, cur: str) -> list[dict[str, Any]]:
    """Shopify's order-level summary of tax by title and rate."""
    totals: dict[tuple[str, str, bool], int] = {}
    for t in [t for ln in o.lines for t in ln.taxes] + [t for s in o.shipping for t in s.taxes]:
        key = (t.title, t.rate, t.channel_liable)
        totals[key] = totals.get(key, 0) + t.amount
    return [
        _tax(FTax(title, rate, amount, liable), cur)
        for (title, rate, liable), amount in totals.items()
    ]
