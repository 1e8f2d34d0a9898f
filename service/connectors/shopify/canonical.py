"""What both normalizers share: Shopify's enum words and one way of putting
an order history together.

REST says ``"sale"``, GraphQL says ``"SALE"``; both go through the same
lower-cased tables here so the two shapes cannot drift apart. The history
is assembled in one canonical form (refund money represented once, events
sorted by time, kind and id, refund adjustments merged per kind) so that
the same facts give an ``==`` equal ``OrderHistory`` whichever API they
came from.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

from service.connectors.shopify.errors import NormalizationError
from service.connectors.shopify.payload import Node
from service.domain.events import (
    AdjustmentKind,
    Cancellation,
    Event,
    Fulfillment,
    FulfillmentStatus,
    Refund,
    RefundAdjustment,
    RestockType,
    Transaction,
    TransactionKind,
    TransactionStatus,
)
from service.domain.history import OrderHistory
from service.domain.money import convert_at_rate
from service.domain.order import LineItem, Order

_KINDS: dict[str, TransactionKind | None] = {
    "authorization": TransactionKind.AUTHORIZATION,
    "emv_authorization": TransactionKind.AUTHORIZATION,
    "capture": TransactionKind.CAPTURE,
    "sale": TransactionKind.SALE,
    "void": TransactionKind.VOID,
    "refund": TransactionKind.REFUND,
    # Cash handed back at a POS till and Shopify's own refund suggestions
    # move nothing the books track: the cash gateway posts nothing until a
    # deposit is linked, and a suggestion is not a refund.
    "change": None,
    "suggested_refund": None,
}

_STATUSES: dict[str, TransactionStatus] = {
    "success": TransactionStatus.SUCCESS,
    "pending": TransactionStatus.PENDING,
    "awaiting_response": TransactionStatus.PENDING,
    "unknown": TransactionStatus.PENDING,
    "failure": TransactionStatus.FAILURE,
    "error": TransactionStatus.ERROR,
}

_FULFILLMENT_STATUSES: dict[str, FulfillmentStatus] = {
    "success": FulfillmentStatus.SUCCESS,
    "open": FulfillmentStatus.PENDING,
    "pending": FulfillmentStatus.PENDING,
    # Nothing left the warehouse for these either.
    "cancelled": FulfillmentStatus.CANCELLED,
    "error": FulfillmentStatus.CANCELLED,
    "failure": FulfillmentStatus.CANCELLED,
}

_RESTOCK: dict[str, RestockType] = {r.value: r for r in RestockType}


def transaction_kind(word: str, path: str) -> TransactionKind | None:
    """The domain kind, or None for a kind that moves nothing we book."""
    key = word.strip().lower()
    if key not in _KINDS:
        raise NormalizationError(path, f"unknown transaction kind {word!r}")
    return _KINDS[key]


def transaction_status(word: str, path: str) -> TransactionStatus:
    key = word.strip().lower()
    if key not in _STATUSES:
        raise NormalizationError(path, f"unknown transaction status {word!r}")
    return _STATUSES[key]


def fulfillment_status(word: str, path: str) -> FulfillmentStatus:
    key = word.strip().lower()
    if key not in _FULFILLMENT_STATUSES:
        raise NormalizationError(path, f"unknown fulfillment status {word!r}")
    return _FULFILLMENT_STATUSES[key]


def restock_type(word: str, path: str) -> RestockType:
    key = word.strip().lower()
    if key not in _RESTOCK:
        raise NormalizationError(path, f"unknown restock type {word!r}")
    return _RESTOCK[key]


def id_key(value: str) -> tuple[int, str]:
    """Numeric ids sort as numbers (``"9" < "10"``), anything else after."""
    return (len(value), value) if value.isdigit() else (1 << 30, value)


def merge_adjustments(adjustments: Iterable[RefundAdjustment]) -> tuple[RefundAdjustment, ...]:
    """One adjustment per kind, amounts summed.

    Both normalizers hand in refunded shipping as positive amounts (REST's
    negative ``shipping_refund`` adjustments already turned round), possibly
    split over several entries that may cancel each other out; summing them
    with their signs gives what was really refunded (posting rule 13.4). One
    shipping total and one summed discrepancy per refund keep everything
    posting needs while making both shapes compare equal.
    """
    shipping = shipping_tax = 0
    seen_shipping = False
    others: dict[AdjustmentKind, tuple[int, int]] = {}
    for adj in adjustments:
        if adj.kind is AdjustmentKind.SHIPPING_REFUND:
            seen_shipping = True
            shipping += adj.amount
            shipping_tax += adj.tax
        else:
            amount, tax = others.get(adj.kind, (0, 0))
            others[adj.kind] = (amount + adj.amount, tax + adj.tax)
    out: list[RefundAdjustment] = []
    if seen_shipping and (shipping or shipping_tax):
        out.append(RefundAdjustment(AdjustmentKind.SHIPPING_REFUND, shipping, shipping_tax))
    for kind in (AdjustmentKind.REFUND_DISCREPANCY, AdjustmentKind.OTHER):
        if kind in others and others[kind] != (0, 0):
            amount, tax = others[kind]
            out.append(RefundAdjustment(kind, amount, tax))
    return tuple(out)


def _better_copy(listed: Transaction | None, own: Transaction) -> Transaction:
    """Of two copies of one transaction, the one with shop money."""
    if listed is None or (listed.converted_from and not own.converted_from):
        return own
    return listed


_RANK = {Transaction: 0, Fulfillment: 1, Refund: 2, Cancellation: 3}


def _event_key(ev: Event) -> tuple[dt.datetime, int, tuple[int, str]]:
    return (ev.at, _RANK[type(ev)], id_key(ev.id))


def _scaled(amount: int, part: int, whole: int) -> int:
    """``amount`` * part / whole, rounded half to even."""
    return convert_at_rate(amount, part, whole)


def _edited_line(line: LineItem, quantity: int) -> LineItem:
    """The line as an order edit left it: fewer units, and the discounts
    and tax that went with the removed ones gone too."""
    whole = line.quantity
    return replace(
        line,
        quantity=quantity,
        discounts=tuple(
            replace(d, amount=_scaled(d.amount, quantity, whole)) for d in line.discounts
        ),
        tax_lines=tuple(
            replace(t, amount=_scaled(t.amount, quantity, whole)) for t in line.tax_lines
        ),
    )


def apply_order_edits(order: Order, refunds: Iterable[Refund], current: Mapping[str, int]) -> Order:
    """The order as its edits left it (posting rule 13, order edits).

    Shopify keeps a line's ``quantity`` as first ordered; units removed by
    an order edit show only in ``current_quantity``, which refunds lower
    too, and lines added by an edit (or an exchange) appear as new lines.
    The units an edit removed are therefore quantity - current - refunded;
    they were never sold, so the line posts without them from the start
    (a removal before payment changes what is owed; after payment, the
    money given back arrives as a refund of its own). Refunds newer than
    the order payload can only make the estimate smaller, never remove
    units that were sold.
    """
    if not current:
        return order
    refunded: dict[str, int] = {}
    for r in refunds:
        for rl in r.lines:
            refunded[rl.line_id] = refunded.get(rl.line_id, 0) + rl.quantity
    lines: list[LineItem] = []
    changed = False
    for line in order.lines:
        now = current.get(line.id)
        removed = 0 if now is None else line.quantity - now - refunded.get(line.id, 0)
        if removed <= 0:
            lines.append(line)
            continue
        changed = True
        kept = line.quantity - removed
        if kept > 0:
            lines.append(_edited_line(line, kept))
    return replace(order, lines=tuple(lines)) if changed else order


@dataclass(frozen=True, slots=True)
class Spelling:
    """How one of Shopify's APIs names the order fields both read alike."""

    cancelled_at: str
    cancel_reason: str
    line_items: str
    current_quantity: str
    exchange_items: str
    exchange_line: str


REST = Spelling(
    "cancelled_at", "cancel_reason", "line_items", "current_quantity",
    "exchange_line_items", "line_item",
)  # fmt: skip
GRAPHQL = Spelling(
    "cancelledAt", "cancelReason", "lineItems", "currentQuantity", "exchangeLineItems", "lineItem"
)


def finish_history(
    n: Node,
    order: Order,
    transactions: Sequence[Transaction | None],
    refunds: Sequence[Refund],
    fulfillments: Sequence[Fulfillment],
    names: Spelling,
) -> OrderHistory:
    """The parts both normalizers read alike (the cancellation, quantities
    left after edits, exchange lines), then ``build_history``."""
    cancelled_at = n.opt_time(names.cancelled_at)
    cancellation = (
        Cancellation(id=order.id, at=cancelled_at, reason=n.opt_text(names.cancel_reason).lower())
        if cancelled_at is not None
        else None
    )
    current = {
        ln.ident("id"): ln.integer(names.current_quantity)
        for ln in n.items(names.line_items)
        if ln.has(names.current_quantity)
    }
    return build_history(
        order,
        [t for t in transactions if t is not None],
        refunds,
        fulfillments,
        cancellation,
        current,
        exchange_lines(n.items("returns"), names.exchange_items, names.exchange_line),
    )


def exchange_lines(returns: list[Node], items: str, line: str) -> dict[str, str]:
    """Line id -> return id for every line a return sent out as an
    exchange (REST ``exchange_line_items[].line_item``, GraphQL
    ``exchangeLineItems[].lineItem``), set once Shopify has added the
    replacement to the order."""
    found: dict[str, str] = {}
    for ret in returns:
        for item in ret.items(items):
            node = item.opt_child(line)
            if node is not None:
                found[node.ident("id")] = ret.ident("id")
    return found


def return_id(refund: Node) -> str:
    """The return a refund belongs to (``return: {id}``), if any."""
    ret = refund.opt_child("return")
    return "" if ret is None else ret.ident("id")


def mark_exchange_lines(order: Order, exchange_lines: Mapping[str, str]) -> Order:
    """Lines Shopify added to the order as an exchange's replacements
    (line id -> return id, from the order's returns), marked as such."""
    if not exchange_lines:
        return order
    lines = tuple(
        replace(ln, exchange_for=exchange_lines[ln.id]) if ln.id in exchange_lines else ln
        for ln in order.lines
    )
    return replace(order, lines=lines)


def build_history(
    order: Order,
    transactions: Sequence[Transaction],
    refunds: Sequence[Refund],
    fulfillments: Sequence[Fulfillment],
    cancellation: Cancellation | None,
    current_quantities: Mapping[str, int] | None = None,
    exchange_lines: Mapping[str, str] | None = None,
) -> OrderHistory:
    """The order's history with each refund's money represented once.

    Shopify lists a refund's transactions twice: in the order's transaction
    list and inside the refund. The engine treats a top-level REFUND
    transaction as a refund of its own (money back, no lines) and a refund's
    own transactions as that refund's money, so a refund transaction that
    belongs to a refund is kept only inside it; one that belongs to no
    refund we know of (its refund webhook not yet arrived) stays top level
    until it does. Where both copies exist, the order's transaction list
    wins: it is the later record of the same transaction, unless it only
    gives the amount in the customer's currency and the other copy gives
    shop money (posting rule 13.3). Refunds and fulfillments repeated (by
    id) keep their last copy.
    """
    latest: dict[str, Transaction] = {}
    for t in transactions:
        latest[t.id] = t
    # The same refund or fulfillment may come in several payloads (an
    # orders/updated body and its own webhook); the last copy is the newest.
    by_refund = {r.id: r for r in refunds}
    by_fulfillment = {f.id: f for f in fulfillments}
    in_refunds: set[str] = set()
    merged_refunds: list[Refund] = []
    for r in by_refund.values():
        copies = (_better_copy(latest.get(t.id), t) for t in r.transactions)
        own = tuple(sorted(copies, key=_event_key))
        in_refunds.update(t.id for t in own)
        merged_refunds.append(
            Refund(
                id=r.id,
                at=r.at,
                lines=r.lines,
                adjustments=merge_adjustments(r.adjustments),
                transactions=own,
                note=r.note,
                return_id=r.return_id,
            )
        )
    order = apply_order_edits(order, by_refund.values(), current_quantities or {})
    order = mark_exchange_lines(order, exchange_lines or {})
    events: list[Event] = [t for t in latest.values() if t.id not in in_refunds]
    events.extend(merged_refunds)
    events.extend(by_fulfillment.values())
    if cancellation is not None:
        events.append(cancellation)
    events.sort(key=_event_key)
    return OrderHistory(order=order, events=tuple(events))
