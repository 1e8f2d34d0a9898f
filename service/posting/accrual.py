"""Accrual basis (posting rules section 7): sales follow the goods."""

from __future__ import annotations

import datetime as dt

from service.domain.events import PaymentMethod, Transaction
from service.domain.journal import JournalLine
from service.domain.settings import DepositLink
from service.posting import components as C
from service.posting.cash import money_in_line, money_out_lines
from service.posting.out import Out
from service.posting.prepare import FULFILLMENT, Prepared
from service.posting.refunds import RefundPlan
from service.posting.state import OrderState


def placed(out: Out, st: OrderState, p: Prepared, date: dt.date, event: str) -> None:
    """Accrual rule 1: Dr AR, Cr DEFERRED_REVENUE the order total. Gift
    cards sold are a liability from the moment they are issued, so their
    part goes straight to GIFT_CARD_LIABILITY."""
    lines: list[JournalLine] = []
    gift = C.ZERO
    for pl in p.lines:
        if pl.gift_card:
            gift = C.add(gift, pl.vector)
    out.line(lines, "AR", p.total)
    out.line(lines, "DEFERRED_REVENUE", -(p.total - C.value(gift)))
    out.components(lines, gift, 1)
    out.entry(
        date,
        "accrual.placed",
        event,
        f"Order {out.label} placed: {out.money(p.total)} receivable, deferred until fulfilled",
        lines,
    )


def recognise(out: Out, date: dt.date, rule_event: str, what: str, v: C.Vec) -> None:
    """Accrual rule 2: on the effective fulfillment date, Dr
    DEFERRED_REVENUE and recognise the fulfilled components."""
    lines: list[JournalLine] = []
    out.line(lines, "DEFERRED_REVENUE", C.value(v))
    out.components(lines, v, 1)
    out.entry(
        date,
        "accrual.recognise",
        rule_event,
        f"Order {out.label} {what}: {out.money(C.value(v))} recognised from deferred revenue",
        lines,
    )


def payment(out: Out, st: OrderState, date: dt.date, txn: Transaction) -> None:
    """Accrual rule 3: Dr RIP (or GIFT_CARD_LIABILITY), Cr AR."""
    lines: list[JournalLine] = []
    money_in_line(out, lines, txn, txn.amount)
    out.line(lines, "AR", -txn.amount)
    st.open_balance -= txn.amount
    via = "gift card" if txn.method is PaymentMethod.GIFT_CARD else txn.gateway
    out.entry(
        date,
        "accrual.payment",
        txn.id,
        f"Payment {txn.id} on order {out.label} via {via}: {out.money(txn.amount)} received"
        + out.conversions((txn,)),
        lines,
    )


def deposit(out: Out, st: OrderState, date: dt.date, dep: DepositLink) -> None:
    """Accrual rule 3, offline payments: Dr BANK, Cr AR once a deposit is
    linked, the difference to the account the link names."""
    settled = dep.amount + dep.difference
    lines: list[JournalLine] = []
    out.line(lines, "BANK", dep.amount)
    out.line(lines, dep.difference_account, dep.difference)
    out.line(lines, "AR", -settled)
    st.open_balance -= settled
    out.entry(
        date,
        "accrual.deposit",
        dep.id,
        f"Bank deposit {dep.id} linked to order {out.label}: {out.money(settled)} received",
        lines,
    )


def refund(out: Out, st: OrderState, date: dt.date, event: str, plan: RefundPlan) -> None:
    """Accrual rules 4 and 5 in one entry: the recognised part of the removed
    lines reverses line by line against AR (as cash rule 4); the part never
    recognised is a cancellation, Dr DEFERRED_REVENUE, Cr AR, no P&L; the
    money going back is Dr AR, Cr RIP (or gift card liability). AR moves by
    exactly what the open balance absorbed."""
    recognised = C.sub(plan.removed, plan.unrecognised)
    lines: list[JournalLine] = []
    out.components(lines, recognised, -1, "REFUNDS_RETURNS", plan.kept_back)
    out.line(lines, "DEFERRED_REVENUE", C.value(plan.unrecognised))
    money_out_lines(out, lines, plan.money)
    out.line(lines, "AR", -plan.absorbed)
    memo = f"Refund {event} on order {out.label}: {out.money(plan.returned)} returned"
    if not C.is_zero(plan.unrecognised):
        memo += f", {out.money(C.value(plan.unrecognised))} cancelled before fulfillment"
    if plan.kept_back > 0:
        memo += f", {out.money(plan.kept_back)} kept back"
    elif plan.kept_back < 0:
        memo += f", {out.money(-plan.kept_back)} more than the refunded lines"
    memo += out.conversions(plan.money)
    out.entry(date, "accrual.refund", event, memo, lines)


def bad_debt(out: Out, st: OrderState, date: dt.date) -> None:
    """Accrual rule 8: close an uncollected balance to BAD_DEBT."""
    if st.open_balance <= 0:
        return
    lines: list[JournalLine] = []
    out.line(lines, "BAD_DEBT", st.open_balance)
    out.line(lines, "AR", -st.open_balance)
    out.entry(
        date,
        "accrual.bad_debt",
        "uncollectible",
        f"Order {out.label}: uncollected balance {out.money(st.open_balance)} written off",
        lines,
    )


def overcollected(out: Out, st: OrderState, date: dt.date) -> None:
    """Accrual rule 9: an AR credit the store keeps becomes gross sales, on
    the date of the order's last activity."""
    if st.open_balance >= 0:
        return
    lines: list[JournalLine] = []
    out.line(lines, "AR", -st.open_balance)
    out.line(lines, "GROSS_SALES", st.open_balance)
    out.entry(
        date,
        "accrual.overcollected",
        "overcollected",
        f"Order {out.label}: over-collected {out.money(-st.open_balance)} kept as sales",
        lines,
    )


def cancel_unpaid(
    out: Out, st: OrderState, p: Prepared, date: dt.date, event: str
) -> list[tuple[int, int]]:
    """posting rule 13.6: an order cancelled after it was recognised and
    never paid has nothing to refund, so Shopify may send no refund at
    all; its receivable would stay open for ever. What the order still
    holds is reversed line by line against AR, as a refund with no money:
    the recognised part to REFUNDS_RETURNS (and the discounts, shipping,
    tips and tax back), the part not yet recognised (fulfilled-date
    tracking) out of DEFERRED_REVENUE. Returns (line index, units) still
    costed but never really shipped, for the caller to restock."""
    removed = st.order_level_left
    unrecognised = st.order_level_unrecognised
    for ls in st.lines:
        removed = C.add(removed, ls.kept_vec)
        unrecognised = C.add(unrecognised, ls.unrecognised_vec)
    recognised = C.sub(removed, unrecognised)
    value = C.value(removed)
    lines: list[JournalLine] = []
    out.components(lines, recognised, -1, "REFUNDS_RETURNS")
    out.line(lines, "DEFERRED_REVENUE", C.value(unrecognised))
    out.line(lines, "AR", -value)
    out.entry(
        date,
        "accrual.cancel_unpaid",
        event,
        f"Order {out.label} cancelled unpaid: {out.money(value)} receivable reversed",
        lines,
    )
    shipped = _really_shipped(p)
    restock: list[tuple[int, int]] = []
    for i, ls in enumerate(st.lines):
        units = min(ls.costed_units, ls.kept_units - shipped[i])
        if units > 0:
            ls.costed_units -= units
            restock.append((i, units))
        ls.kept_units = 0
        ls.kept_vec = C.ZERO
        ls.unrecognised_vec = C.ZERO
        ls.unshipped = 0
    st.order_level_unrecognised = C.ZERO
    st.order_level_left = C.ZERO
    st.open_balance -= value
    return restock


def _really_shipped(p: Prepared) -> list[int]:
    """Units of each line that left the warehouse (real fulfilments, not
    the placed-date tracking's virtual one)."""
    shipped = [0] * len(p.lines)
    for ev in p.events:
        if ev.kind == FULFILLMENT and isinstance(ev.obj, tuple):
            for idx, q in ev.obj:
                shipped[idx] += q
    return shipped


def exchange_difference(
    out: Out, st: OrderState, date: dt.date, event: str, difference: C.Vec
) -> None:
    """An exchange's price difference goes on the receivable when the
    exchange is made, deferred until the replacement ships (accrual rules
    1 and 2, for the difference alone)."""
    value = C.value(difference)
    lines: list[JournalLine] = []
    out.line(lines, "AR", value)
    out.line(lines, "DEFERRED_REVENUE", -value)
    st.open_balance += value
    out.entry(
        date,
        "accrual.exchange",
        event,
        f"Exchange {event} on order {out.label}: the replacement costs {out.money(value)} more,"
        " receivable until paid",
        lines,
    )
