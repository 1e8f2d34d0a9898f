"""Admin GraphQL nodes -> ``OrderHistory`` and processor records.

The input is an *assembled* Order node: every connection already flattened
to a plain list of nodes (``order["lineItems"] == [node, ...]``), whether it
came from a bulk operation's JSONL or from paginated queries. Ids are
reduced to the numeric legacy id so that a history read here equals the
one read from the same order's webhooks.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from service.connectors.shopify.canonical import (
    GRAPHQL,
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
    Transaction,
)
from service.domain.history import OrderHistory
from service.domain.order import DiscountAllocation, LineItem, Order, ShippingLine, TaxLine
from service.domain.processor import BalanceTransaction, Payout

SHOPIFY_PAYMENTS = "shopify_payments"
"""The processor name of Shopify Payments: the gateway its order
transactions carry, so RIP and undeposited funds share one sub-ledger."""


def _bag(node: Node, key: str, currency: str) -> int:
    """A MoneyBag field in shop money (the books' currency)."""
    shop = node.child(key).child("shopMoney")
    code = shop.opt_text("currencyCode", currency)
    if code != currency:
        raise NormalizationError(
            shop.at("currencyCode"), f"{code}, but the shop's books are in {currency}"
        )
    return shop.amount("amount", currency)


def _taxes(node: Node, currency: str) -> tuple[TaxLine, ...]:
    taxes = [
        TaxLine(_bag(t, "priceSet", currency), t.flag("channelLiable"), t.opt_text("title"))
        for t in node.items("taxLines")
    ]
    return tuple(
        sorted((t for t in taxes if t.amount), key=lambda t: (t.title, t.amount, t.channel_liable))
    )


def _discounts(node: Node, currency: str) -> tuple[DiscountAllocation, ...]:
    found: list[tuple[int, DiscountAllocation]] = []
    for alloc in node.items("discountAllocations"):
        amount = _bag(alloc, "allocatedAmountSet", currency)
        app = alloc.child("discountApplication")
        index = app.integer("index") if app.has("index") else 0
        if amount:
            order_level = app.opt_text("targetSelection").upper() == "ALL"
            code = app.opt_text("code") or app.opt_text("title")
            found.append((index, DiscountAllocation(amount, order_level, code)))
    found.sort(key=lambda pair: (pair[0], pair[1].amount))
    return tuple(d for _, d in found)


def _transaction(t: Node, currency: str) -> Transaction | None:
    kind = transaction_kind(t.text("kind"), t.at("kind"))
    if kind is None:
        return None
    gateway = t.opt_text("gateway")
    at = t.time("processedAt") if t.has("processedAt") else t.time("createdAt")
    parent = t.opt_child("parentTransaction")
    return Transaction(
        id=t.ident("id"),
        at=at,
        kind=kind,
        amount=_bag(t, "amountSet", currency),
        gateway=gateway,
        method=classify_gateway(gateway, t.flag("manualPaymentGateway")),
        status=transaction_status(t.text("status"), t.at("status")),
        currency=currency,
        parent_id=parent.opt_ident("id") if parent is not None else None,
    )


def _refund(r: Node, currency: str) -> Refund:
    lines: list[RefundLine] = []
    for rl in r.items("refundLineItems"):
        qty = rl.integer("quantity")
        if qty == 0:
            continue
        rtype = restock_type(rl.text("restockType"), rl.at("restockType"))
        lines.append(RefundLine(rl.child("lineItem").ident("id"), qty, rtype))
    adjustments = [
        RefundAdjustment(
            AdjustmentKind.SHIPPING_REFUND,
            _bag(s, "subtotalAmountSet", currency),
            _bag(s, "taxAmountSet", currency) if s.has("taxAmountSet") else 0,
        )
        for s in r.items("refundShippingLines")
    ]
    # Since 2024-10 refunded shipping is reported as refund shipping lines;
    # what is left in orderAdjustments is the discrepancy between the
    # calculated and the actual refund.
    adjustments.extend(
        RefundAdjustment(
            AdjustmentKind.REFUND_DISCREPANCY,
            _bag(a, "amountSet", currency),
            _bag(a, "taxAmountSet", currency) if a.has("taxAmountSet") else 0,
        )
        for a in r.items("orderAdjustments")
    )
    txns = [_transaction(t, currency) for t in r.items("transactions")]
    return Refund(
        id=r.ident("id"),
        at=r.time("createdAt"),
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
        FulfillmentLine(li.child("lineItem").ident("id"), li.integer("quantity"))
        for li in f.items("fulfillmentLineItems")
    ]
    return Fulfillment(
        id=f.ident("id"),
        at=f.time("createdAt"),
        lines=tuple(sorted((x for x in lines if x.quantity), key=lambda x: id_key(x.line_id))),
        status=fulfillment_status(f.text("status"), f.at("status")),
    )


def _order(n: Node, store_id: str, timezone: str) -> Order:
    currency = n.text("currencyCode")
    placed_at = n.time("processedAt") if n.has("processedAt") else n.time("createdAt")
    lines = [
        LineItem(
            id=ln.ident("id"),
            sku=ln.opt_text("sku") or None,
            quantity=ln.integer("quantity"),
            unit_price=_bag(ln, "originalUnitPriceSet", currency),
            discounts=_discounts(ln, currency),
            tax_lines=_taxes(ln, currency),
            gift_card=ln.flag("isGiftCard"),
            title=ln.opt_text("name") or ln.opt_text("title"),
        )
        for ln in n.items("lineItems", required=True)
    ]
    shipping = [
        ShippingLine(
            id=s.ident("id"),
            price=_bag(s, "originalPriceSet", currency),
            discount=sum(d.amount for d in _discounts(s, currency)),
            tax_lines=_taxes(s, currency),
            title=s.opt_text("title"),
        )
        for s in n.items("shippingLines")
    ]
    tip = _bag(n, "totalTipReceivedSet", currency) if n.has("totalTipReceivedSet") else 0
    return Order(
        id=n.ident("id"),
        store_id=store_id,
        currency=currency,
        timezone=timezone,
        placed_at=placed_at,
        lines=tuple(sorted(lines, key=lambda x: id_key(x.id))),
        shipping_lines=tuple(sorted(shipping, key=lambda x: id_key(x.id))),
        tip=tip,
        source=n.opt_text("sourceName") or "web",
        test=n.flag("test"),
        name=n.opt_text("name"),
        taxes_included=n.flag("taxesIncluded"),
    )


def history_from_graphql(order: Mapping[str, Any], *, store_id: str, timezone: str) -> OrderHistory:
    """The history of one assembled GraphQL Order node.

    Raises ``NormalizationError`` naming the field (``lineItems[2].quantity``)
    when the node lacks something posting needs.
    """
    n = Node(order)
    o = _order(n, store_id, timezone)
    currency = o.currency
    txns = [_transaction(t, currency) for t in n.items("transactions")]
    refunds = [_refund(r, currency) for r in n.items("refunds")]
    fulfillments = [_fulfillment(f) for f in n.items("fulfillments")]
    return finish_history(n, o, txns, refunds, fulfillments, GRAPHQL)


# Payouts ---------------------------------------------------------------

_PAYOUT_MOVED = frozenset({"PAID", "IN_TRANSIT"})
"""Payout statuses for which money has left Shopify for the bank. A
SCHEDULED payout may still change; a FAILED or CANCELED one never left (the
balance transactions of the failure put the money back)."""

_PAYOUT_ITSELF = frozenset({"transfer", "transfer_failure", "transfer_cancel", "payout"})
"""Balance transactions that are a payout's own reflection in the balance:
the payout is posted from the Payout record, so posting these too would
take the money out of undeposited funds twice. In Admin GraphQL a payout's
own line is ``TRANSFER`` (ShopifyPaymentsTransactionType has no PAYOUT);
a failed or cancelled payout's line putting the money back is
``TRANSFER_FAILURE`` / ``TRANSFER_CANCEL``, and such a payout is never
posted (``_PAYOUT_MOVED``). ``payout`` is the REST and reports' name."""


def payout_from_graphql(node: Mapping[str, Any], path: str = "payout") -> Payout | None:
    """A ShopifyPaymentsPayout node as a ``Payout``, or None when no money
    has moved yet (see ``_PAYOUT_MOVED``). A WITHDRAWAL (Shopify taking
    money back from the bank) is a negative payout."""
    n = Node(node, path)
    status = n.text("status").upper()
    if status not in _PAYOUT_MOVED:
        return None
    net = n.child("net")
    currency = net.text("currencyCode")
    amount = net.amount("amount", currency)
    if n.opt_text("transactionType").upper() == "WITHDRAWAL":
        amount = -abs(amount)
    return Payout(
        id=n.ident("id"),
        processor=SHOPIFY_PAYMENTS,
        # Shopify Payments batches close at midnight UTC: the UTC date of
        # issue is the payout's own date (posting rules section 11).
        date=n.time("issuedAt").date(),
        amount=amount,
        currency=currency,
    )


def balance_transaction_from_graphql(
    node: Mapping[str, Any], path: str = "balanceTransaction"
) -> BalanceTransaction | None:
    """A ShopifyPaymentsBalanceTransaction node, or None for test-mode
    records and a payout's own line (``_PAYOUT_ITSELF``). Every other type,
    known or not, is kept: the engine posts unknown ones for review."""
    n = Node(node, path)
    if n.flag("test"):
        return None
    type_ = n.text("type").lower()
    if type_ in _PAYOUT_ITSELF:
        return None
    amount_node = n.child("amount")
    currency = amount_node.text("currencyCode")
    fee_node = n.opt_child("fee")
    order = n.opt_child("associatedOrder")
    payout = n.opt_child("associatedPayout")
    source_txn = _source_transaction(n)
    return BalanceTransaction(
        id=n.ident("id"),
        processor=SHOPIFY_PAYMENTS,
        type=type_,
        at=n.time("transactionDate"),
        amount=amount_node.amount("amount", currency),
        fee=fee_node.amount("amount", currency) if fee_node is not None else 0,
        currency=currency,
        order_id=order.opt_ident("id") if order is not None else None,
        source_order_transaction_id=source_txn,
        payout_id=payout.opt_ident("id") if payout is not None else None,
    )


def _source_transaction(n: Node) -> str | None:
    """The order transaction a record comes from. An adjustment (a fee
    given back on a refund, a correction) names it only in
    ``adjustmentsOrders``; the first one links it to its order."""
    if n.opt("sourceOrderTransactionId") is not None:
        return n.ident("sourceOrderTransactionId")
    for adj in n.items("adjustmentsOrders"):
        found = adj.opt_ident("orderTransactionId")
        if found is not None:
            return found
    return None


def payouts_from_graphql(
    payouts: Sequence[Mapping[str, Any]],
    balance_transactions: Sequence[Mapping[str, Any]],
) -> tuple[tuple[Payout, ...], tuple[BalanceTransaction, ...]]:
    """Shopify Payments payouts and balance transactions as domain records
    (see the two functions above for what is left out and why)."""
    outs = [payout_from_graphql(p, f"payouts[{i}]") for i, p in enumerate(payouts)]
    bts = [
        balance_transaction_from_graphql(b, f"balanceTransactions[{i}]")
        for i, b in enumerate(balance_transactions)
    ]
    return (
        tuple(p for p in outs if p is not None),
        tuple(b for b in bts if b is not None),
    )
