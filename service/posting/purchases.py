"""Purchases and bill payments as journal entries (posting rule 14.1).

A purchase puts its landed cost in INVENTORY (per SKU) on its receipt
date, owed to the supplier (ACCOUNTS_PAYABLE) or, paid at once, out of
BANK. Paying a bill takes it off ACCOUNTS_PAYABLE and out of BANK. The
supplier is named in every memo; the payables by supplier are read from
the bills and payments themselves.
"""

from __future__ import annotations

from service.domain.journal import JournalEntry, JournalLine
from service.domain.money import format_money
from service.domain.purchases import BillPayment, PurchaseRecord

PURCHASE_RULE = "purchase.receipt"
PAYMENT_RULE = "purchase.payment"


def post_purchase(p: PurchaseRecord, store_id: str, currency: str) -> tuple[JournalEntry, ...]:
    value = p.landed_cost
    if not value:
        return ()
    credit = "BANK" if p.paid_at_once else "ACCOUNTS_PAYABLE"
    lines = (
        JournalLine("INVENTORY", value, store_id, "", None, p.sku),
        JournalLine(credit, -value, store_id, ""),
    )
    who = p.supplier_name or "no supplier named"
    extra = ""
    if p.freight or p.duties:
        extra = (
            f", freight {format_money(p.freight, currency)}"
            f" and duties {format_money(p.duties, currency)} included"
        )
    paid = "paid at once" if p.paid_at_once else "owed"
    memo = (
        f"{p.units} x {p.sku} received from {who}"
        f"{f' ({p.reference})' if p.reference else ''}: {format_money(value, currency)}"
        f"{extra}, {paid}"
    )
    return (JournalEntry(f"purchase/{p.id}", p.day, None, p.id, PURCHASE_RULE, memo, lines),)


def post_bill_payment(b: BillPayment, store_id: str, currency: str) -> tuple[JournalEntry, ...]:
    if not b.amount:
        return ()
    lines = (
        JournalLine("ACCOUNTS_PAYABLE", b.amount, store_id, ""),
        JournalLine("BANK", -b.amount, store_id, ""),
    )
    memo = (
        f"Payment to {b.supplier_name or 'supplier'}"
        f"{f' ({b.reference})' if b.reference else ''}: {format_money(b.amount, currency)}"
    )
    return (JournalEntry(f"payment/{b.id}", b.day, None, b.id, PAYMENT_RULE, memo, lines),)
