"""Cash basis (posting rules section 6): sales follow the money."""

from __future__ import annotations

import datetime as dt

from service.domain.events import PaymentMethod, Transaction
from service.domain.journal import JournalLine
from service.domain.settings import DepositLink
from service.posting import components as C
from service.posting.out import Out
from service.posting.refunds import RefundPlan
from service.posting.state import OrderState


def money_in_line(out: Out, lines: list[JournalLine], txn: Transaction, amount: int) -> None:
    """Where money paid in lands: RIP for a processor (one sub-ledger per
    processor), GIFT_CARD_LIABILITY for a gift card (cash rule 1)."""
    if txn.method is PaymentMethod.GIFT_CARD:
        out.line(lines, "GIFT_CARD_LIABILITY", amount)
    else:
        out.line(lines, "RIP", amount, processor=txn.gateway)


def money_out_lines(out: Out, lines: list[JournalLine], money: list[Transaction]) -> None:
    """Where money paid back comes from (cash rule 4): RIP for a processor,
    GIFT_CARD_LIABILITY for store credit or a gift card, BANK for money
    handed back outside any processor (cash, cheque)."""
    for t in money:
        if t.method is PaymentMethod.GIFT_CARD:
            out.line(lines, "GIFT_CARD_LIABILITY", -t.amount)
        elif t.method is PaymentMethod.MANUAL:
            out.line(lines, "BANK", -t.amount)
        else:
            out.line(lines, "RIP", -t.amount, processor=t.gateway)


def _recognise(out: Out, st: OrderState, lines: list[JournalLine], amount: int) -> None:
    """Recognise ``amount`` of what is still unrecognised, pro rata over the
    components (largest remainder); anything beyond the order's remaining
    value is an over-payment and is recognised as gross sales, since cash
    basis has no receivable to hold it (posting rule 7.9: cash needs no
    entry when the over-collected balance is closed)."""
    avail = C.value(st.unrecognised)
    part = st.unrecognised if amount >= avail else C.take_value(st.unrecognised, amount)
    st.unrecognised = C.sub(st.unrecognised, part)
    out.components(lines, part, 1)
    if amount > avail:
        out.line(lines, "GROSS_SALES", -(amount - avail))
        st.overpayment_recognised += amount - avail
    _settle_zero(out, st, lines)


def _settle_zero(out: Out, st: OrderState, lines: list[JournalLine]) -> None:
    """Nothing left to pay but components left (a 100% discounted part, or
    a refund that cleared the rest): they are paid, recognise them now."""
    if C.value(st.unrecognised) == 0 and not C.is_zero(st.unrecognised):
        out.components(lines, st.unrecognised, 1)
        st.unrecognised = C.ZERO


def placed(out: Out, st: OrderState, date: dt.date, event: str) -> None:
    """A $0 order is paid when placed."""
    if C.value(st.unrecognised) == 0 and not C.is_zero(st.unrecognised):
        lines: list[JournalLine] = []
        _settle_zero(out, st, lines)
        out.entry(
            date, "cash.settle", event, f"Order {out.label} totals 0: recognised when placed", lines
        )


def payment(out: Out, st: OrderState, date: dt.date, txn: Transaction) -> None:
    """Cash rule 1: a processor or gift card payment recognises its pro rata
    share of the order's components on the payment date."""
    lines: list[JournalLine] = []
    money_in_line(out, lines, txn, txn.amount)
    _recognise(out, st, lines, txn.amount)
    st.open_balance -= txn.amount
    via = "gift card" if txn.method is PaymentMethod.GIFT_CARD else txn.gateway
    out.entry(
        date,
        "cash.payment",
        txn.id,
        f"Payment {txn.id} on order {out.label} via {via}:"
        f" {out.money(txn.amount)} of sales recognised" + out.conversions((txn,)),
        lines,
    )


def deposit(out: Out, st: OrderState, date: dt.date, dep: DepositLink) -> None:
    """Cash rule 2: a bank deposit linked to the order recognises what it
    settles on the deposit's date, against BANK, the difference to the
    account the link names."""
    settled = dep.amount + dep.difference
    lines: list[JournalLine] = []
    out.line(lines, "BANK", dep.amount)
    out.line(lines, dep.difference_account, dep.difference)
    _recognise(out, st, lines, settled)
    st.open_balance -= settled
    out.entry(
        date,
        "cash.deposit",
        dep.id,
        f"Bank deposit {dep.id} linked to order {out.label}:"
        f" {out.money(settled)} of sales recognised",
        lines,
    )


def refund(out: Out, st: OrderState, date: dt.date, event: str, plan: RefundPlan) -> None:
    """Cash rule 4: reverse line by line what had been recognised of the
    removed lines: Dr REFUNDS_RETURNS their gross (less money kept back),
    Cr DISCOUNTS their discounts, Dr SHIPPING_INCOME, Dr SALES_TAX_PAYABLE,
    Cr RIP / GIFT_CARD_LIABILITY the money returned. The part of the
    removed lines the customer never paid (absorbed by the open balance) was
    never recognised and just leaves the unrecognised pool."""
    a = plan.absorbed
    removed = plan.removed
    if a > 0:
        unpaid = C.take_value(removed, a)
        st.unrecognised = C.sub(st.unrecognised, unpaid)
        removed = C.sub(removed, unpaid)
    lines: list[JournalLine] = []
    out.components(lines, removed, -1, "REFUNDS_RETURNS", plan.kept_back)
    if a < 0:
        # Money returned against an over-payment that was recognised as
        # gross sales when it came in.
        out.line(lines, "GROSS_SALES", -a)
        st.overpayment_recognised += a
    money_out_lines(out, lines, plan.money)
    _settle_zero(out, st, lines)
    memo = f"Refund {event} on order {out.label}: {out.money(plan.returned)} returned"
    if plan.kept_back > 0:
        memo += f", {out.money(plan.kept_back)} kept back"
    elif plan.kept_back < 0:
        memo += f", {out.money(-plan.kept_back)} more than the refunded lines"
    memo += out.conversions(plan.money)
    out.entry(date, "cash.refund", event, memo, lines)


def exchange_difference(
    out: Out, st: OrderState, date: dt.date, event: str, difference: C.Vec
) -> None:
    """An exchange's price difference is owed from the exchange on: the
    payment that settles it recognises it (cash rule 1); nothing posts
    until then."""
    st.unrecognised = C.add(st.unrecognised, difference)
    st.open_balance += C.value(difference)
