"""Suppliers, purchases and bill payments in the ledger (posting rule 14.1).

Every purchase is posted when it is recorded (its landed cost into
inventory, owed to the supplier or paid at once), every bill payment when
it is made, each as a subject of its own so that a full re-post and
``verify`` post them again from their rows. What is owed to each supplier,
by age, is read from the bills and payments (``payables_aging``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from uuid import UUID

import asyncpg

from service.domain.purchases import BillPayment, PurchaseRecord
from service.ledger.companies import books_store
from service.ledger.journal import Posting
from service.ledger.order_posting import post_live
from service.posting.purchases import post_bill_payment, post_purchase

AGING_BUCKETS = (0, 30, 60, 90)  # days since the bill: current, 30+, 60+, 90+


class PurchaseRefused(ValueError):
    def __init__(self, field: str, code: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.code = code


def purchase_subject(purchase_id: str) -> str:
    return f"purchase:{purchase_id}"


def payment_subject(payment_id: str) -> str:
    return f"payment:{payment_id}"


async def create_supplier(conn: asyncpg.Connection, company_id: UUID, name: str) -> UUID:
    name = name.strip()
    if not name or len(name) > 200:
        raise PurchaseRefused("input.name", "INVALID", "a supplier name of 1 to 200 characters")
    supplier_id: UUID | None = await conn.fetchval(
        "INSERT INTO suppliers (company_id, name) VALUES ($1, $2) "
        "ON CONFLICT (company_id, lower(name)) DO NOTHING RETURNING supplier_id",
        company_id,
        name,
    )
    if supplier_id is None:
        raise PurchaseRefused("input.name", "CONFLICT", f"a supplier named {name!r} exists")
    return supplier_id


async def _store(conn: asyncpg.Connection, company_id: UUID) -> tuple[UUID, str]:
    found = await books_store(conn, company_id)
    if found is None:
        raise PurchaseRefused("input", "NOT_APPLICABLE", "add a store first")
    return found


_PURCHASES = (
    "SELECT p.purchase_id, p.sku, p.day, p.units, p.unit_cost, p.freight, p.duties, "
    "p.supplier_id, coalesce(s.name, '') AS supplier_name, p.paid_at_once, p.reference "
    "FROM purchases p LEFT JOIN suppliers s USING (company_id, supplier_id) "
    "WHERE p.company_id = $1 AND ($2::uuid[] IS NULL OR p.purchase_id = any($2::uuid[]))"
)


def _purchase(r: asyncpg.Record) -> PurchaseRecord:
    return PurchaseRecord(
        str(r["purchase_id"]),
        r["sku"],
        r["day"],
        r["units"],
        r["unit_cost"],
        r["freight"],
        r["duties"],
        str(r["supplier_id"]) if r["supplier_id"] else None,
        r["supplier_name"],
        r["paid_at_once"],
        r["reference"],
    )


async def post_purchases(conn: asyncpg.Connection, company_id: UUID, ids: list[UUID]) -> None:
    """Post these purchases into the live books (in the caller's transaction)."""
    store_id, currency = await _store(conn, company_id)
    for r in await conn.fetch(_PURCHASES, company_id, ids):
        p = _purchase(r)
        entries = post_purchase(p, str(store_id), currency)
        await post_live(
            conn, company_id, Posting(purchase_subject(p.id), store_id, currency, entries)
        )


async def record_bill_payment(
    conn: asyncpg.Connection, company_id: UUID, payment: BillPayment
) -> UUID:
    """Store and post a payment of a supplier's bill(s)."""
    if payment.amount <= 0:
        raise PurchaseRefused("input.amount", "INVALID", "a payment is a positive amount")
    supplier = await conn.fetchval(
        "SELECT name FROM suppliers WHERE company_id = $1 AND supplier_id = $2",
        company_id,
        UUID(payment.supplier_id),
    )
    if supplier is None:
        raise PurchaseRefused("input.supplierId", "NOT_FOUND", "no such supplier")
    if payment.purchase_id is not None:
        owner = await conn.fetchval(
            "SELECT supplier_id FROM purchases WHERE company_id = $1 AND purchase_id = $2",
            company_id,
            UUID(payment.purchase_id),
        )
        if owner is None or str(owner) != payment.supplier_id:
            raise PurchaseRefused(
                "input.purchaseId", "NOT_FOUND", "no bill of this supplier with that id"
            )
    store_id, currency = await _store(conn, company_id)
    payment_id: UUID = await conn.fetchval(
        "INSERT INTO bill_payments (company_id, supplier_id, purchase_id, day, amount, reference)"
        " VALUES ($1, $2, $3, $4, $5, $6) RETURNING payment_id",
        company_id,
        UUID(payment.supplier_id),
        UUID(payment.purchase_id) if payment.purchase_id else None,
        payment.day,
        payment.amount,
        payment.reference,
    )
    stored = BillPayment(
        str(payment_id),
        payment.supplier_id,
        payment.day,
        payment.amount,
        supplier,
        payment.purchase_id,
        payment.reference,
    )
    entries = post_bill_payment(stored, str(store_id), currency)
    await post_live(
        conn, company_id, Posting(payment_subject(stored.id), store_id, currency, entries)
    )
    return payment_id


async def purchase_postings(conn: asyncpg.Connection, company_id: UUID) -> list[Posting]:
    """Every purchase and bill payment, posted afresh (full re-post, verify)."""
    found = await books_store(conn, company_id)
    if found is None:
        return []
    store_id, currency = found
    postings = [
        Posting(
            purchase_subject(str(r["purchase_id"])),
            store_id,
            currency,
            post_purchase(_purchase(r), str(store_id), currency),
        )
        for r in await conn.fetch(_PURCHASES, company_id, None)
    ]
    for r in await conn.fetch(
        "SELECT b.*, s.name FROM bill_payments b JOIN suppliers s USING (company_id, supplier_id) "
        "WHERE b.company_id = $1",
        company_id,
    ):
        payment = BillPayment(
            str(r["payment_id"]),
            str(r["supplier_id"]),
            r["day"],
            r["amount"],
            r["name"],
            str(r["purchase_id"]) if r["purchase_id"] else None,
            r["reference"],
        )
        postings.append(
            Posting(
                payment_subject(payment.id),
                store_id,
                currency,
                post_bill_payment(payment, str(store_id), currency),
            )
        )
    return postings


@dataclass(frozen=True, slots=True)
class SupplierAging:
    supplier_id: UUID
    name: str
    buckets: tuple[int, int, int, int]  # current, 30-59, 60-89, 90+ days

    @property
    def total(self) -> int:
        return sum(self.buckets)


async def payables_aging(
    conn: asyncpg.Connection | asyncpg.Pool, company_id: UUID, as_of: dt.date
) -> list[SupplierAging]:
    """What each supplier is owed on a date, by the age of the bills: a
    payment that names a bill settles it first, the rest settles the
    oldest bills first."""
    bills = await conn.fetch(
        "SELECT p.purchase_id, p.supplier_id, s.name, p.day, "
        "p.units * p.unit_cost + p.freight + p.duties AS amount "
        "FROM purchases p JOIN suppliers s USING (company_id, supplier_id) "
        "WHERE p.company_id = $1 AND NOT p.paid_at_once AND p.day <= $2 "
        "ORDER BY p.supplier_id, p.day, p.purchase_id",
        company_id,
        as_of,
    )
    payments = await conn.fetch(
        "SELECT supplier_id, purchase_id, amount FROM bill_payments "
        "WHERE company_id = $1 AND day <= $2 ORDER BY supplier_id, day, payment_id",
        company_id,
        as_of,
    )
    open_: dict[UUID, list[list[object]]] = {}
    names: dict[UUID, str] = {}
    for b in bills:
        names[b["supplier_id"]] = b["name"]
        open_.setdefault(b["supplier_id"], []).append([b["purchase_id"], b["day"], b["amount"]])
    for pay in sorted(payments, key=lambda p: p["purchase_id"] is None):
        _settle(open_.get(pay["supplier_id"], []), pay["purchase_id"], pay["amount"])
    out = []
    for supplier_id, items in sorted(open_.items(), key=lambda kv: names[kv[0]].lower()):
        buckets = [0, 0, 0, 0]
        for _, day, left in items:
            assert isinstance(day, dt.date) and isinstance(left, int)
            age = (as_of - day).days
            index = max(i for i, start in enumerate(AGING_BUCKETS) if age >= start)
            buckets[index] += left
        if any(buckets):
            four = (buckets[0], buckets[1], buckets[2], buckets[3])
            out.append(SupplierAging(supplier_id, names[supplier_id], four))
    return out


def _settle(bills: list[list[object]], purchase_id: UUID | None, amount: int) -> None:
    """Apply a payment to a supplier's open bills (in place)."""
    targets = [b for b in bills if b[0] == purchase_id] if purchase_id else []
    for bill in targets + [b for b in bills if b not in targets]:
        left = bill[2]
        assert isinstance(left, int)
        take = min(left, amount)
        bill[2] = left - take
        amount -= take
        if not amount:
            return
