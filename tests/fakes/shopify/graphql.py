"""The Admin GraphQL shape of the fake shop.

camelCase, gids, MoneyBag ``shopMoney``/``presentmentMoney``, UTC
timestamps, enum values of the Admin schema. Each renderer gives every
field the fake knows; the server's executor answers only the fields a
document selects. Nested connections are rendered as
``{"edges": [{"cursor", "node"}], "pageInfo"}`` as a paginated query
returns them (the executor re-pages them by the document's ``first``);
``bulk_lines`` gives the same order as a bulk operation's JSONL lines,
connection children on lines of their own with ``__parentId``.
"""

from __future__ import annotations

import base64
import datetime as dt
from typing import Any

from tests.fakes.shopify.model import (
    FAlloc,
    FBalanceTransaction,
    FDiscountApp,
    FFulfillment,
    FLine,
    FOrder,
    FPayout,
    FRefund,
    FShip,
    FTax,
    FTxn,
    FVariant,
)
from tests.fakes.shopify.rest import financial_status, fulfillment_status, money


def gid(kind: str, id_: int) -> str:
    return f"gid://shopify/{kind}/{id_}"


def utc(at: dt.datetime | None) -> str | None:
    if at is None:
        return None
    return at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def bag(amount: int, currency: str) -> dict[str, Any]:
    m = {"amount": money(amount, currency), "currencyCode": currency}
    return {"shopMoney": m, "presentmentMoney": dict(m)}


def money_v2(amount: int, currency: str) -> dict[str, Any]:
    return {"amount": money(amount, currency), "currencyCode": currency}


def connection(nodes: list[dict[str, Any]]) -> dict[str, Any]:
    edges = [
        {"cursor": base64.b64encode(f"n:{i}".encode()).decode(), "node": n}
        for i, n in enumerate(nodes)
    ]
    return {
        "edges": edges,
        "pageInfo": {
            "hasNextPage": False,
            "endCursor": edges[-1]["cursor"] if edges else None,
        },
    }


def _tax(t: FTax, cur: str) -> dict[str, Any]:
    return {
        "title": t.title,
        "rate": float(t.rate),
        "ratePercentage": float(t.rate) * 100,
        "priceSet": bag(t.amount, cur),
        "channelLiable": t.channel_liable,
    }


def _app(a: FDiscountApp, index: int) -> dict[str, Any]:
    out: dict[str, Any] = {
        "__typename": {
            "discount_code": "DiscountCodeApplication",
            "automatic": "AutomaticDiscountApplication",
            "manual": "ManualDiscountApplication",
        }[a.type],
        "index": index,
        "allocationMethod": a.allocation_method.upper(),
        "targetSelection": a.target_selection.upper(),
        "targetType": a.target_type.upper(),
    }
    if a.type == "discount_code":
        out["code"] = a.label
    else:
        out["title"] = a.label
    return out


def _alloc(o: FOrder, a: FAlloc) -> dict[str, Any]:
    return {
        "allocatedAmountSet": bag(a.amount, o.currency),
        "discountApplication": _app(o.apps[a.app_index], a.app_index),
    }


def line_node(o: FOrder, ln: FLine) -> dict[str, Any]:
    cur = o.currency
    return {
        "id": gid("LineItem", ln.id),
        "name": ln.title,
        "title": ln.title,
        "sku": ln.sku,
        "quantity": ln.quantity,
        "currentQuantity": ln.quantity
        - sum(rl.quantity for r in o.refunds for rl in r.lines if rl.line_id == ln.id),
        "isGiftCard": ln.gift_card,
        "requiresShipping": not ln.gift_card,
        "originalUnitPriceSet": bag(ln.price, cur),
        "discountAllocations": [_alloc(o, a) for a in ln.allocs],
        "taxLines": [_tax(t, cur) for t in ln.taxes],
    }


def shipping_node(o: FOrder, s: FShip) -> dict[str, Any]:
    cur = o.currency
    return {
        "id": gid("ShippingLine", s.id),
        "title": s.title,
        "code": s.code,
        "originalPriceSet": bag(s.price, cur),
        "discountedPriceSet": bag(s.price - s.discount, cur),
        "discountAllocations": [_alloc(o, a) for a in s.allocs],
        "taxLines": [_tax(t, cur) for t in s.taxes],
    }


def transaction_node(o: FOrder, t: FTxn) -> dict[str, Any]:
    return {
        "id": gid("OrderTransaction", t.id),
        "kind": t.kind.upper(),
        "status": t.status.upper(),
        "gateway": t.gateway,
        "manualPaymentGateway": t.manual,
        "test": t.test,
        "createdAt": utc(t.at),
        "processedAt": utc(t.at),
        "amountSet": bag(t.amount, o.currency),
        "parentTransaction": {"id": gid("OrderTransaction", t.parent_id)} if t.parent_id else None,
    }


def refund_scalars(o: FOrder, r: FRefund) -> dict[str, Any]:
    total = sum(t.amount for t in r.transactions if t.status == "success")
    return {
        "id": gid("Refund", r.id),
        "createdAt": utc(r.at),
        "note": r.note,
        "totalRefundedSet": bag(total, o.currency),
    }


def refund_node(o: FOrder, r: FRefund) -> dict[str, Any]:
    cur = o.currency
    node = refund_scalars(o, r)
    node["refundLineItems"] = connection(
        [
            {
                "id": gid("RefundLineItem", rl.id),
                "quantity": rl.quantity,
                "restockType": rl.restock_type.upper(),
                "lineItem": {"id": gid("LineItem", rl.line_id)},
                "subtotalSet": bag(rl.subtotal, cur),
                "totalTaxSet": bag(rl.tax, cur),
            }
            for rl in r.lines
        ]
    )
    shipping = []
    if r.shipping or r.shipping_tax:
        shipping.append(
            {
                "id": gid("RefundShippingLine", r.shipping_adjustment_id),
                "shippingLine": {"id": gid("ShippingLine", r.shipping_line_id or 0)},
                "subtotalAmountSet": bag(r.shipping, cur),
                "taxAmountSet": bag(r.shipping_tax, cur),
            }
        )
    node["refundShippingLines"] = connection(shipping)
    adjustments = []
    if r.discrepancy:
        adjustments.append(
            {
                "id": gid("OrderAdjustment", r.discrepancy_adjustment_id),
                "reason": "REFUND_DISCREPANCY",
                "amountSet": bag(r.discrepancy, cur),
                "taxAmountSet": bag(0, cur),
            }
        )
    node["orderAdjustments"] = connection(adjustments)
    node["transactions"] = connection([transaction_node(o, t) for t in r.transactions])
    return node


def fulfillment_scalars(f: FFulfillment) -> dict[str, Any]:
    return {
        "id": gid("Fulfillment", f.id),
        "status": f.status.upper(),
        "createdAt": utc(f.at),
        "updatedAt": utc(f.at),
    }


def fulfillment_node(f: FFulfillment) -> dict[str, Any]:
    node = fulfillment_scalars(f)
    node["fulfillmentLineItems"] = connection(
        [
            {
                "id": gid("FulfillmentLineItem", fl.id),
                "quantity": fl.quantity,
                "lineItem": {"id": gid("LineItem", fl.line_id)},
            }
            for fl in f.lines
        ]
    )
    return node


def _display_fulfillment(rest_status: str | None) -> str:
    """REST's fulfillment_status as OrderDisplayFulfillmentStatus (REST's
    ``partial`` is GraphQL's PARTIALLY_FULFILLED)."""
    if rest_status == "partial":
        return "PARTIALLY_FULFILLED"
    return (rest_status or "unfulfilled").upper()


def order_scalars(o: FOrder) -> dict[str, Any]:
    """The order's own fields and its plain list fields (transactions), as
    a bulk operation writes the order's own JSONL line."""
    cur = o.currency
    return {
        "id": gid("Order", o.id),
        "legacyResourceId": str(o.id),
        "name": o.name,
        "email": o.email,
        "createdAt": utc(o.created_at),
        "processedAt": utc(o.created_at),
        "updatedAt": utc(o.updated_at),
        "cancelledAt": utc(o.cancelled_at),
        "cancelReason": o.cancel_reason.upper() if o.cancel_reason else None,
        "test": o.test,
        "sourceName": o.source_name,
        "taxesIncluded": False,
        "currencyCode": cur,
        "presentmentCurrencyCode": cur,
        "displayFinancialStatus": financial_status(o).upper(),
        "displayFulfillmentStatus": _display_fulfillment(fulfillment_status(o)),
        "subtotalPriceSet": bag(o.subtotal, cur),
        "totalDiscountsSet": bag(o.total_discounts, cur),
        "totalShippingPriceSet": bag(o.shipping_price - o.shipping_discounts, cur),
        "totalTaxSet": bag(o.total_tax, cur),
        "totalTipReceivedSet": bag(o.tip, cur),
        "totalPriceSet": bag(o.total_price, cur),
        "transactions": [transaction_node(o, t) for t in o.transactions],
    }


def graphql_order(o: FOrder) -> dict[str, Any]:
    """The Order node as a paginated ``orders``/``nodes`` query returns it."""
    node = order_scalars(o)
    node["lineItems"] = connection([line_node(o, ln) for ln in o.lines])
    node["shippingLines"] = connection([shipping_node(o, s) for s in o.shipping])
    node["refunds"] = [refund_node(o, r) for r in o.refunds]
    node["fulfillments"] = [fulfillment_node(f) for f in o.fulfillments]
    return node


def bulk_lines(o: FOrder) -> list[dict[str, Any]]:
    """The order as a bulk operation's JSONL writes it: the order line
    (list fields inline, but refunds and fulfillments without their nested
    connections, which bulk queries cannot select inside a list), then one
    line per line item and shipping line with ``__parentId``."""
    head = order_scalars(o)
    head["refunds"] = [refund_scalars(o, r) for r in o.refunds]
    head["fulfillments"] = [fulfillment_scalars(f) for f in o.fulfillments]
    parent = head["id"]
    lines = [head]
    lines.extend({**line_node(o, ln), "__parentId": parent} for ln in o.lines)
    lines.extend({**shipping_node(o, s), "__parentId": parent} for s in o.shipping)
    return lines


def payout_node(p: FPayout, currency: str) -> dict[str, Any]:
    return {
        "id": gid("ShopifyPaymentsPayout", p.id),
        "legacyResourceId": str(p.id),
        "issuedAt": utc(p.issued_at),
        "status": p.status,
        "transactionType": p.transaction_type,
        "net": money_v2(p.amount, currency),
    }


_GRAPHQL_BALANCE_TYPES = {"PAYOUT": "TRANSFER", "DISPUTE": "DISPUTE_WITHDRAWAL"}
"""The model names balance transactions as Shopify's REST API and reports
do; ShopifyPaymentsTransactionType has no PAYOUT or DISPUTE: a payout's own
line is a TRANSFER (source type TRANSFER), and money taken for a chargeback
is the nearest real value, DISPUTE_WITHDRAWAL (source type DISPUTE)."""


def balance_transaction_node(b: FBalanceTransaction, currency: str) -> dict[str, Any]:
    """An adjustment names its order transaction in ``adjustmentsOrders``,
    not in ``sourceOrderTransactionId`` (as Shopify answers one)."""
    adjustment = b.type == "ADJUSTMENT"
    source = b.source_order_transaction_id if not adjustment else None
    return {
        "id": gid("ShopifyPaymentsBalanceTransaction", b.id),
        "type": _GRAPHQL_BALANCE_TYPES.get(b.type, b.type),
        "test": b.test,
        "transactionDate": utc(b.at),
        "amount": money_v2(b.amount, currency),
        "fee": money_v2(b.fee, currency),
        "net": money_v2(b.net, currency),
        "sourceType": b.source_type,
        "sourceId": str(b.source_order_transaction_id) if b.source_order_transaction_id else None,
        "sourceOrderTransactionId": str(source) if source else None,
        "adjustmentReason": "refunded_fee" if adjustment else None,
        "adjustmentsOrders": (
            [_adjustment_order(b, currency)] if adjustment and b.source_order_transaction_id else []
        ),
        "associatedOrder": {"id": gid("Order", b.order_id), "name": None} if b.order_id else None,
        "associatedPayout": {
            "id": gid("ShopifyPaymentsPayout", b.payout_id) if b.payout_id else None,
            "status": None,
        },
    }


def _adjustment_order(b: FBalanceTransaction, currency: str) -> dict[str, Any]:
    return {
        "amount": money_v2(b.amount, currency),
        "fees": money_v2(b.fee, currency),
        "net": money_v2(b.net, currency),
        "link": f"https://admin.shopify.com/orders/{b.order_id}",
        "name": f"#{b.order_id}",
        "orderTransactionId": str(b.source_order_transaction_id),
    }


def variant_node(v: FVariant, currency: str) -> dict[str, Any]:
    """A ProductVariant node as ``productVariants`` returns it; ``unitCost``
    is null for a variant without a cost, as Shopify answers."""
    return {
        "id": gid("ProductVariant", v.id),
        "legacyResourceId": str(v.id),
        "sku": v.sku,
        "title": v.title,
        "displayName": f"{v.product_title} - {v.title}",
        "price": money(v.price, currency),
        "product": {"id": gid("Product", v.product_id), "title": v.product_title},
        "inventoryItem": {
            "id": gid("InventoryItem", v.inventory_item_id),
            "unitCost": money_v2(v.cost, currency) if v.cost is not None else None,
        },
    }
