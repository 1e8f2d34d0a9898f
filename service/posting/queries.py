"""Read-only facts about an order the API shows next to its entries.

They come from the same pass as the entries, so the open balance shown in
the Unpaid tab is the order's AR under accrual (posting invariant 6).
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from service.domain.context import PostingContext
from service.domain.costs import MissingCost
from service.domain.events import PaymentMethod, Refund, Transaction
from service.domain.history import OrderHistory
from service.domain.settings import FulfillmentTracking, OrderStatus
from service.posting.cogs import unit_costs
from service.posting.engine import OrderRun, run_order
from service.posting.gateways import effective_history
from service.posting.prepare import FULFILLMENT, Prepared, prepare
from service.posting.statuses import detected_status as _detected


class PaymentStatus(StrEnum):
    UNPAID = "UNPAID"
    PARTIALLY_PAID = "PARTIALLY_PAID"
    PAID = "PAID"
    OVERPAID = "OVERPAID"
    MANUALLY_PAID = "MANUALLY_PAID"
    PARTIALLY_REFUNDED = "PARTIALLY_REFUNDED"
    REFUNDED = "REFUNDED"


class FulfillmentState(StrEnum):
    UNFULFILLED = "UNFULFILLED"
    PARTIALLY_FULFILLED = "PARTIALLY_FULFILLED"
    FULFILLED = "FULFILLED"
    CANCELLED = "CANCELLED"
    PARTIALLY_RESTOCKED = "PARTIALLY_RESTOCKED"
    RESTOCKED = "RESTOCKED"


def open_balance(history: OrderHistory, ctx: PostingContext) -> int:
    """What the customer still owes (negative: over-collected), in minor
    units; 0 for orders whose sales do not post (void, excluded, COGS only,
    giveaway). Equals the order's AR balance under accrual."""
    return run_order(history, ctx).open_balance


def payment_status(
    history: OrderHistory, ctx: PostingContext, run: OrderRun | None = None
) -> PaymentStatus:
    """Seed 002's payment statuses. Manual payments show as MANUALLY_PAID
    (still in the Unpaid tab) until a bank deposit is linked."""
    history = effective_history(history, ctx)
    counted = sum(d.amount + d.difference for d in ctx.deposits)
    manual = 0
    refunded = 0
    for ev in history.events:
        if isinstance(ev, Transaction):
            if ev.moves_money_in:
                if ev.method is PaymentMethod.MANUAL:
                    manual += ev.amount
                else:
                    counted += ev.amount
            elif ev.moves_money_out:
                refunded += ev.amount
        elif isinstance(ev, Refund):
            refunded += sum(t.amount for t in ev.transactions if t.moves_money_out)
    if refunded:
        return (
            PaymentStatus.REFUNDED
            if counted + manual - refunded <= 0
            else PaymentStatus.PARTIALLY_REFUNDED
        )
    if counted == 0:
        return PaymentStatus.MANUALLY_PAID if manual else PaymentStatus.UNPAID
    # A caller that has just posted the order passes its run: no second pass.
    balance = run.open_balance if run is not None else open_balance(history, ctx)
    if balance > 0:
        return PaymentStatus.PARTIALLY_PAID
    if balance < 0:
        return PaymentStatus.OVERPAID
    return PaymentStatus.PAID


def fulfillment_status(
    history: OrderHistory, ctx: PostingContext, run: OrderRun | None = None
) -> FulfillmentState:
    """Seed 002's fulfillment statuses, from what really shipped whatever
    the tracking setting (placed-date tracking changes when the books
    recognise the order, shown by ``recognition_date``, not what the
    warehouse did)."""
    p = run.prepared if run is not None else prepare(history, ctx)
    total = sum(pl.quantity for pl in p.lines if not pl.gift_card)
    restocked = 0
    for ev in history.events:
        if isinstance(ev, Refund):
            restocked += sum(rl.quantity for rl in ev.lines if rl.restock_type.restocks)
    shipped = _shipped_units(p)
    if p.cancelled_at is not None and shipped == 0:
        return FulfillmentState.CANCELLED
    if restocked:
        return (
            FulfillmentState.RESTOCKED
            if restocked >= total
            else FulfillmentState.PARTIALLY_RESTOCKED
        )
    if shipped == 0:
        return FulfillmentState.FULFILLED if total == 0 else FulfillmentState.UNFULFILLED
    return FulfillmentState.FULFILLED if shipped >= total else FulfillmentState.PARTIALLY_FULFILLED


def _shipped_units(p: Prepared) -> int:
    return sum(
        sum(q for _, q in pev.obj)
        for pev in p.events
        if pev.kind == FULFILLMENT and isinstance(pev.obj, tuple)
    )


def recognition_date(
    history: OrderHistory, ctx: PostingContext, run: OrderRun | None = None
) -> dt.date | None:
    """The order's effective fulfilment date as the books use it: the
    placed date under placed-date tracking; under fulfilled-date tracking
    the date its last unit shipped, or None while units wait to ship
    (units refunded or cancelled before shipping no longer wait)."""
    p = run.prepared if run is not None else prepare(history, ctx)
    if ctx.settings.fulfillment_tracking is FulfillmentTracking.ORDER_PLACED_DATE:
        return p.placed_date
    waiting = sum(pl.quantity for pl in p.lines if not pl.gift_card)
    for ev in history.events:
        if isinstance(ev, Refund):
            waiting -= sum(rl.quantity for rl in ev.lines)
    last: dt.date | None = None
    for pev in p.events:
        if pev.kind == FULFILLMENT and isinstance(pev.obj, tuple) and pev.obj:
            waiting -= sum(q for _, q in pev.obj)
            last = pev.date
    if waiting > 0:
        return None
    return last or p.placed_date


def detected_status(history: OrderHistory, ctx: PostingContext) -> OrderStatus | None:
    """The status detected automatically (test -> EXCLUDED; cancelled before
    payment and recognition -> VOID; every line 100% discounted ->
    COGS_ONLY), or None. An order action may still override it."""
    return _detected(history, prepare(history, ctx), ctx)


def missing_costs(history: OrderHistory, ctx: PostingContext) -> tuple[MissingCost, ...]:
    """Order lines whose COGS posts at 0 for want of a unit cost (section 9)."""
    run = run_order(history, ctx)
    if not run.treatment.cogs:
        return ()
    known = unit_costs(ctx)
    order = history.order
    return tuple(
        MissingCost(order.id, pl.id, pl.sku)
        for pl in run.prepared.lines
        if not pl.gift_card and pl.id not in known
    )
