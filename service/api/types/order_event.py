"""OrderEvent: what the channel said happened to an order, in words a person reads.

The order page lists them in time order beside the journal entries, so a
person sees which event caused which entry.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import strawberry

from service.api.types.money import Money
from service.domain.events import (
    Cancellation,
    Event,
    Fulfillment,
    Refund,
    Transaction,
    TransactionKind,
)
from service.domain.history import OrderHistory
from service.domain.money import format_amount

_KINDS = {
    TransactionKind.AUTHORIZATION: "Payment authorised",
    TransactionKind.CAPTURE: "Payment captured",
    TransactionKind.SALE: "Payment",
    TransactionKind.VOID: "Authorisation voided",
    TransactionKind.REFUND: "Money refunded",
}


@strawberry.type(description="Something that happened to an order, as its channel said.")
class OrderEvent:
    at: dt.datetime
    kind: str = strawberry.field(
        description="ORDER_PLACED, PAYMENT, FULFILLMENT, REFUND or CANCELLATION."
    )
    description: str
    amount: Money | None = strawberry.field(description="The money it moved, if any.")


def _transaction(t: Transaction, currency: str) -> OrderEvent:
    text = (
        f"{_KINDS.get(t.kind, t.kind.value)} of {format_amount(t.amount, currency)} {currency} "
        f"via {t.gateway} ({t.method.value.lower()})"
    )
    if t.status.value != "success":
        text += f", {t.status.value}"
    return OrderEvent(
        at=t.at, kind="PAYMENT", description=text, amount=Money.of(t.amount, currency)
    )


def _refund(r: Refund, currency: str) -> OrderEvent:
    units = sum(line.quantity for line in r.lines)
    money = sum(t.amount for t in r.transactions if t.kind is TransactionKind.REFUND)
    parts = [f"Refund: {units} unit(s)"] if units else ["Refund"]
    restocks = {line.restock_type.value for line in r.lines}
    if restocks:
        parts.append("restock " + ", ".join(sorted(restocks)).lower())
    parts.append(f"{format_amount(money, currency)} {currency} paid back")
    if r.note:
        parts.append(r.note)
    return OrderEvent(
        at=r.at, kind="REFUND", description="; ".join(parts), amount=Money.of(money, currency)
    )


def _event(e: Event, currency: str) -> OrderEvent:
    if isinstance(e, Transaction):
        return _transaction(e, currency)
    if isinstance(e, Refund):
        return _refund(e, currency)
    if isinstance(e, Fulfillment):
        units = sum(line.quantity for line in e.lines)
        status = "" if e.status.value == "success" else f" ({e.status.value})"
        return OrderEvent(
            at=e.at, kind="FULFILLMENT", description=f"Shipped {units} unit(s){status}", amount=None
        )
    assert isinstance(e, Cancellation)
    reason = f": {e.reason}" if e.reason else ""
    return OrderEvent(at=e.at, kind="CANCELLATION", description=f"Cancelled{reason}", amount=None)


def order_events(history: OrderHistory) -> list[OrderEvent]:
    """Placed first, then every event by time (the history keeps them in order)."""
    o = history.order

    def all_events() -> Iterator[OrderEvent]:
        yield OrderEvent(
            at=o.placed_at,
            kind="ORDER_PLACED",
            description=f"Order {o.name or o.id} placed on {o.source}",
            amount=None,
        )
        for e in history.events:
            yield _event(e, o.currency)

    return sorted(all_events(), key=lambda ev: ev.at)
