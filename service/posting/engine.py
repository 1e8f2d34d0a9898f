"""``post_order``: one order's history + context -> its journal entries.

The engine is a pure function (posting rules section 1). It checks the history
(``prepare``), decides what posts (``statuses``), then applies the order's
events in time order - placement first, then payments, fulfillments,
refunds and bank deposits as they happened, then end-of-day order actions -
each rule adding balanced entries. The output is sorted by (date, key), so
the same inputs give identical entries whatever order the events arrived in.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final, cast

from service.domain.context import PostingContext
from service.domain.events import PaymentMethod, Refund, Transaction
from service.domain.history import OrderHistory
from service.domain.journal import JournalEntry, JournalLine, sort_entries
from service.domain.records import seal
from service.domain.settings import AccountingBasis, DepositLink, FulfillmentTracking
from service.posting import accrual, cash
from service.posting import components as C
from service.posting.cogs import CostTracker, StockMove, cost_lines
from service.posting.gateways import effective_history
from service.posting.out import Out
from service.posting.prepare import (
    BAD_DEBT,
    CANCEL,
    DEPOSIT,
    FULFILLMENT,
    OVERCOLLECTED,
    PAYMENT,
    PLACED,
    PLACED_FULFILLMENT,
    REFUND,
    PEvent,
    Prepared,
    action_event,
    placed_events,
    prepare,
)
from service.posting.refunds import RefundPlan, plan_refund
from service.posting.state import OrderState
from service.posting.statuses import Treatment, treatment


@dataclass(slots=True, unsafe_hash=True)
class OrderRun:
    """Everything one posting pass learnt about an order."""

    entries: Final[tuple[JournalEntry, ...]]
    treatment: Final[Treatment]
    open_balance: Final[int]
    prepared: Final[Prepared]
    moves: Final[tuple[StockMove, ...]]

    def __init__(
        self,
        entries: tuple[JournalEntry, ...],
        treatment: Treatment,
        open_balance: int,
        prepared: Prepared,
        moves: tuple[StockMove, ...] = (),
    ) -> None:
        self.entries = entries
        self.treatment = treatment
        self.open_balance = open_balance
        self.prepared = prepared
        self.moves = moves


seal(OrderRun)


def post_order(history: OrderHistory, ctx: PostingContext) -> tuple[JournalEntry, ...]:
    """The journal entries of one order (sorted by date, then key).

    Raises ``InconsistentHistory`` (and posts nothing) when the history
    contradicts itself.
    """
    return run_order(history, ctx).entries


def post_orders(
    items: Iterable[tuple[OrderHistory, PostingContext]],
) -> tuple[JournalEntry, ...]:
    """Many orders at once: the union of their entries in canonical order.
    Re-posting one order means replacing its entries (they all carry its
    order id) with ``post_order`` of the changed input."""
    out: list[JournalEntry] = []
    for history, ctx in items:
        out.extend(run_order(history, ctx).entries)
    return sort_entries(out)


def run_order(history: OrderHistory, ctx: PostingContext) -> OrderRun:
    history = effective_history(history, ctx)
    p = prepare(history, ctx)
    tr = treatment(history, p, ctx)
    if tr.nothing:
        return OrderRun((), tr, 0, p)
    order = history.order
    settings = ctx.settings
    is_accrual = settings.basis is AccountingBasis.ACCRUAL
    placed_mode = settings.fulfillment_tracking is FulfillmentTracking.ORDER_PLACED_DATE
    out = Out(order.store_id, order.source, order.id, order.label, order.currency)
    st = OrderState(p)
    costs = CostTracker(ctx if tr.cogs else None)
    expense = "PRODUCT_GIVEAWAYS" if tr.giveaway else "COGS"
    sales = tr.sales
    accrual_sales = sales and is_accrual

    events: list[PEvent] = list(placed_events(p, order.id, placed_mode))
    if placed_mode:
        events.extend(e for e in p.events if e.kind != FULFILLMENT)
        if p.exchange_shipments:
            events.extend(p.exchange_shipments)
            events.sort(key=_key)
    else:
        events.extend(p.events)
    # Placement sorts first by construction (every event is clamped to the
    # placement instant or later), so only order actions need a re-sort.
    if tr.bad_debt and ctx.override is not None:
        when = ctx.override.date or p.last_date
        events.append(action_event(BAD_DEBT, max(when, p.placed_date)))
        events.sort(key=_key)
    if tr.overcollected:
        events.append(action_event(OVERCOLLECTED, p.last_date))
        events.sort(key=_key)

    paid = False
    for ev in events:
        kind = ev.kind
        if kind in (PAYMENT, DEPOSIT):
            obj = ev.obj
            if isinstance(obj, Transaction) and obj.method is PaymentMethod.MANUAL:
                continue  # cash rule 2 / accrual rule 3: nothing until a deposit is linked
            paid = True
            if isinstance(obj, Transaction):
                if accrual_sales:
                    accrual.payment(out, st, ev.date, obj)
                elif sales:
                    cash.payment(out, st, ev.date, obj)
                elif tr.cogs_only_payments:
                    _cogs_only_money_in(out, ev, obj)
            elif isinstance(obj, DepositLink):
                if accrual_sales:
                    accrual.deposit(out, st, ev.date, obj)
                elif sales:
                    cash.deposit(out, st, ev.date, obj)
                elif tr.cogs_only_payments:
                    _cogs_only_money_in(out, ev, obj)
        elif kind in (FULFILLMENT, PLACED_FULFILLMENT):
            _ship(out, st, p, ev, costs, expense, tr, accrual_sales)
        elif kind == REFUND:
            assert isinstance(ev.obj, Refund)
            _refund(out, st, p, ev, ev.obj, costs, expense, tr, is_accrual)
        elif kind == PLACED:
            if accrual_sales:
                accrual.placed(out, st, p, ev.date, ev.id)
                if st.unshipped_weight == 0 and not C.is_zero(st.order_level_unrecognised):
                    accrual.recognise(
                        out, ev.date, ev.id, "has nothing to ship", st.order_level_unrecognised
                    )
                    st.order_level_unrecognised = C.ZERO
            elif sales:
                cash.placed(out, st, ev.date, ev.id)
        elif kind == BAD_DEBT:
            if accrual_sales:
                accrual.bad_debt(out, st, ev.date)
            st.open_balance = min(st.open_balance, 0)
        elif kind == OVERCOLLECTED:
            if accrual_sales:
                accrual.overcollected(out, st, ev.date)
            st.open_balance = max(st.open_balance, 0)
        elif kind == CANCEL:
            # A cancellation moves no money and no goods by itself: its lines
            # and money come back through refunds; it decides VOID detection.
            pass
    if accrual_sales and p.cancelled_date is not None and not paid and st.open_balance > 0:
        _cancel_unpaid(out, st, p, costs, expense, tr)
    open_balance = st.open_balance if sales else 0
    moves = tuple(costs.moves) if tr.cogs else ()
    return OrderRun(sort_entries(out.entries), tr, open_balance, p, moves)


def _cancel_unpaid(
    out: Out, st: OrderState, p: Prepared, costs: CostTracker, expense: str, tr: Treatment
) -> None:
    """Accrual rule 13.6, with the goods that never left put back."""
    assert p.cancelled_date is not None
    date = max(p.cancelled_date, p.last_date)
    event = "cancel"
    restock = accrual.cancel_unpaid(out, st, p, date, event)
    if not (tr.cogs and restock):
        return
    lines: list[JournalLine] = []
    for idx, n in restock:
        pl = p.lines[idx]
        value = costs.back(pl.id, pl.sku, n, date, event)
        cost_lines(out, lines, pl.sku, value, expense, restock=True)
    out.entry(
        date,
        "cogs.restock",
        event,
        f"Restock of {sum(n for _, n in restock)} unit(s) of cancelled order {out.label}",
        lines,
    )


def _key(e: PEvent) -> tuple[object, ...]:
    return e.key


def _ship(
    out: Out,
    st: OrderState,
    p: Prepared,
    ev: PEvent,
    costs: CostTracker,
    expense: str,
    tr: Treatment,
    accrual_sales: bool,
) -> None:
    """An effective fulfillment (cash rule 3, accrual rule 2): COGS for the
    shipped units, and under accrual the recognition of their components
    plus the order-level items pro rata by shipped gross."""
    qty = cast(tuple[tuple[int, int], ...], ev.obj)  # a fulfillment's (line, units)
    cogs_lines: list[JournalLine] = []
    store, channel, oid = out.store_id, out.channel, out.order_id
    recognised = C.ZERO
    units_total = 0
    for idx, k in qty:
        pl = p.lines[idx]
        ls = st.lines[idx]
        if pl.gift_card:
            continue
        if k > ls.unshipped:
            # Units already cancelled or refunded before shipping are not
            # recognised again; a history that ships them anyway is capped.
            k = ls.unshipped
        if k <= 0:
            continue
        before = ls.unshipped
        if accrual_sales:
            part = C.scale(ls.unrecognised_vec, k, before)
            ls.unrecognised_vec = C.sub(ls.unrecognised_vec, part)
            recognised = C.add(recognised, part)
            w = k * pl.weight
            if w:
                q_part = C.scale(st.order_level_unrecognised, w, st.unshipped_weight)
                st.order_level_unrecognised = C.sub(st.order_level_unrecognised, q_part)
                recognised = C.add(recognised, q_part)
        st.unshipped_weight -= k * pl.weight
        ls.unshipped -= k
        ls.shipped += k
        ls.costed_units += k
        units_total += k
        if tr.cogs:
            amount = costs.issue(pl.id, pl.sku, k, ev.date, ev.id)
            if amount:
                cogs_lines.append(JournalLine(expense, amount, store, channel, oid, pl.sku))
                cogs_lines.append(JournalLine("INVENTORY", -amount, store, channel, oid, pl.sku))
    if accrual_sales and st.unshipped_weight == 0 and not C.is_zero(st.order_level_unrecognised):
        recognised = C.add(recognised, st.order_level_unrecognised)
        st.order_level_unrecognised = C.ZERO
    event = ev.id
    if accrual_sales and not C.is_zero(recognised):
        what = (
            "treated as fulfilled when placed"
            if ev.kind == PLACED_FULFILLMENT
            else f"fulfilled ({event})"
        )
        accrual.recognise(out, ev.date, event, what, recognised)
    if cogs_lines:
        rule = "giveaway.cost" if tr.giveaway else "cogs.fulfillment"
        out.entry(
            ev.date,
            rule,
            event,
            f"Cost of {units_total} unit(s) shipped on order {out.label}"
            + (
                " (placed-date tracking)"
                if ev.kind == PLACED_FULFILLMENT
                else f", fulfillment {event}"
            ),
            cogs_lines,
        )


def _refund(
    out: Out,
    st: OrderState,
    p: Prepared,
    ev: PEvent,
    refund: Refund,
    costs: CostTracker,
    expense: str,
    tr: Treatment,
    is_accrual: bool,
) -> None:
    difference = p.exchanges.get(refund.id)
    if difference is not None:
        _exchange(out, st, p, ev, refund, difference, costs, expense, tr, is_accrual)
        return
    plan = plan_refund(st, p, refund, is_accrual and tr.sales)
    _post_refund(out, st, ev, plan, tr, is_accrual)
    _restock(out, ev, plan, costs, expense, tr)


def _post_refund(
    out: Out, st: OrderState, ev: PEvent, plan: RefundPlan, tr: Treatment, is_accrual: bool
) -> None:
    if tr.sales and not plan.exchange and is_accrual:
        accrual.refund(out, st, ev.date, ev.id, plan)
        if not C.is_zero(plan.flush):
            accrual.recognise(out, ev.date, ev.id, "has nothing left to ship", plan.flush)
    elif tr.sales and not plan.exchange:
        cash.refund(out, st, ev.date, ev.id, plan)
    elif tr.cogs_only_payments and plan.money:
        # A COGS-only order's money is sales picked up from the payments
        # (section 8), so money going back is a refund of those sales.
        lines: list[JournalLine] = []
        out.line(lines, "REFUNDS_RETURNS", plan.returned)
        cash.money_out_lines(out, lines, plan.money)
        out.entry(
            ev.date,
            "cogs_only.refund",
            ev.id,
            f"Refund {ev.id} on COGS-only order {out.label}: {out.money(plan.returned)} returned",
            lines,
        )


def _restock(
    out: Out, ev: PEvent, plan: RefundPlan, costs: CostTracker, expense: str, tr: Treatment
) -> None:
    """Cash rule 5 / accrual rule 7: restocked units come back to
    inventory at the cost their COGS was posted at."""
    if not (tr.cogs and plan.restocks):
        return
    lines: list[JournalLine] = []
    units = 0
    for pl, n in plan.restocks:
        units += n
        value = costs.back(pl.id, pl.sku, n, ev.date, ev.id)
        cost_lines(out, lines, pl.sku, value, expense, restock=True)
    out.entry(
        ev.date,
        "cogs.restock",
        ev.id,
        f"Restock of {units} unit(s) from refund {ev.id} on order {out.label}",
        lines,
    )


def _exchange(
    out: Out,
    st: OrderState,
    p: Prepared,
    ev: PEvent,
    refund: Refund,
    difference: C.Vec,
    costs: CostTracker,
    expense: str,
    tr: Treatment,
    is_accrual: bool,
) -> None:
    """Cash rule 4, exchanges made in Shopify: the returned units come back
    (their restock posts) and the replacement goes out in their place (its
    COGS posts when it ships), so neither is a sale or a refund. Only the
    price difference posts: owed by the customer like any part of the
    order, a sale once paid (cash) or placed on the receivable (accrual).
    Money handed back in the same refund (a cheaper replacement) is a
    refund of its own."""
    swap = Refund(refund.id, refund.at, refund.lines, note=refund.note)
    _restock(
        out, ev, plan_refund(st, p, swap, is_accrual and tr.sales, swap=True), costs, expense, tr
    )
    if tr.sales and not C.is_zero(difference):
        (accrual.exchange_difference if is_accrual else cash.exchange_difference)(
            out, st, ev.date, ev.id, difference
        )
    if refund.transactions or refund.adjustments:
        money = Refund(refund.id, refund.at, (), refund.adjustments, refund.transactions)
        plan = plan_refund(st, p, money, is_accrual and tr.sales)
        _post_refund(out, st, ev, plan, tr, is_accrual)


def _cogs_only_money_in(out: Out, ev: PEvent, obj: Transaction | DepositLink) -> None:
    """Section 8: a payment on a COGS-only order (an exchange upsell) is
    recognised as gross sales on its date, on either basis."""
    lines: list[JournalLine] = []
    if isinstance(obj, Transaction):
        cash.money_in_line(out, lines, obj, obj.amount)
        amount = obj.amount
    else:
        out.line(lines, "BANK", obj.amount)
        out.line(lines, obj.difference_account, obj.difference)
        amount = obj.amount + obj.difference
    out.line(lines, "GROSS_SALES", -amount)
    out.entry(
        ev.date,
        "cogs_only.payment",
        ev.id,
        f"Payment {ev.id} on COGS-only order {out.label}: {out.money(amount)} of sales",
        lines,
    )
