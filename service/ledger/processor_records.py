"""Storing a processor's records and linking them to the store's orders.

A processor's record names the order it was paid for in its own way
(PayPal's invoice id, Stripe's charge metadata); a refund, a dispute or a
fee given back names only the original payment. The order reference is
resolved against the store's orders (their id, or their name with or
without ``#``); a record without one takes the order of the payment it
points at, from this batch or from records stored before, or else the
order whose own transaction carries the processor's id of that payment. A record that
matches no order still posts (it clears RIP for its processor) and shows
with no order.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any
from uuid import UUID

import asyncpg

from service.domain.processor import BalanceTransaction, Payout, RecordKind
from service.ledger.codec import decode_record, encode
from service.ledger.order_posting import current_version
from service.ledger.processor_batch import post_processor_batch

ProcessorRecordRef = tuple[BalanceTransaction | Payout, str | None]
Aliases = dict[str, tuple[str, ...]]  # payment id -> its other ids


async def _orders_by_ref(
    conn: asyncpg.Connection, company_id: UUID, store_id: UUID, refs: set[str]
) -> dict[str, str]:
    if not refs:
        return {}
    version, _ = await current_version(conn, company_id)
    names = sorted(refs | {f"#{r}" for r in refs if not r.startswith("#")})
    rows = await conn.fetch(
        "SELECT order_id, name FROM order_summaries WHERE company_id = $1 "
        "AND journal_version = $2 AND store_id = $3 "
        "AND (order_id = any($4::text[]) OR name = any($5::text[]))",
        company_id,
        version,
        store_id,
        sorted(refs),
        names,
    )
    found: dict[str, str] = {}
    for r in rows:
        found[r["order_id"]] = r["order_id"]
        found[r["name"]] = r["order_id"]
        found[r["name"].lstrip("#")] = r["order_id"]
    return found


async def _orders_by_payment(
    conn: asyncpg.Connection, company_id: UUID, store_id: UUID, payments: set[str]
) -> dict[str, str]:
    """Orders of payments synced before: a refund today of a sale of last month."""
    if not payments:
        return {}
    rows = await conn.fetch(
        "SELECT DISTINCT ON (record->>'source_order_transaction_id') "
        "record->>'source_order_transaction_id' AS payment, record->>'order_id' AS order_id "
        "FROM processor_records WHERE company_id = $1 AND store_id = $2 "
        "AND record_type = 'balance_transaction' "
        "AND record->>'source_order_transaction_id' = any($3::text[]) "
        "AND record->>'order_id' IS NOT NULL",
        company_id,
        store_id,
        sorted(payments),
    )
    return {r["payment"]: r["order_id"] for r in rows}


async def _orders_by_authorization(
    conn: asyncpg.Connection, company_id: UUID, store_id: UUID, payments: set[str]
) -> dict[str, str]:
    """Orders whose own payment transaction carries the processor's id of the
    payment (Shopify's ``authorization``: PayPal's transaction id, Stripe's
    charge id), for records that name no order themselves."""
    if not payments:
        return {}
    rows = await conn.fetch(
        "SELECT DISTINCT ON (t.value->'payload'->>'authorization') "
        "t.value->'payload'->>'authorization' AS payment, o.order_id "
        "FROM order_sources o, jsonb_each(coalesce(o.rest->'transactions', '{}'::jsonb)) t "
        "WHERE o.company_id = $1 AND o.store_id = $2 AND jsonb_typeof(o.rest) = 'object' "
        "AND t.value->'payload'->>'authorization' = any($3::text[])",
        company_id,
        store_id,
        sorted(payments),
    )
    return {r["payment"]: r["order_id"] for r in rows}


async def _orders_by_any_id(
    conn: asyncpg.Connection,
    company_id: UUID,
    store_id: UUID,
    payments: set[str],
    aliases: Aliases,
) -> dict[str, str]:
    """Orders by the payment's own id or any other id it goes by."""
    names = {p: (p, *aliases.get(p, ())) for p in payments}
    found = await _orders_by_authorization(
        conn, company_id, store_id, {n for ns in names.values() for n in ns}
    )
    out: dict[str, str] = {}
    for payment, ids in names.items():
        order = next((found[n] for n in ids if n in found), None)
        if order is not None:
            out[payment] = order
    return out


async def link_orders(
    conn: asyncpg.Connection,
    company_id: UUID,
    store_id: UUID,
    records: Sequence[ProcessorRecordRef],
    aliases: Aliases | None = None,
) -> list[BalanceTransaction | Payout]:
    """The records with ``order_id`` set wherever an order is found."""
    refs = {ref for _, ref in records if ref}
    by_ref = await _orders_by_ref(conn, company_id, store_id, refs)
    by_payment: dict[str, str] = {}
    for rec, ref in records:
        payment = rec.source_order_transaction_id if isinstance(rec, BalanceTransaction) else None
        if payment and ref and ref in by_ref:
            by_payment.setdefault(payment, by_ref[ref])
    missing = {
        rec.source_order_transaction_id
        for rec, _ in records
        if isinstance(rec, BalanceTransaction)
        and rec.source_order_transaction_id
        and rec.source_order_transaction_id not in by_payment
    }
    by_payment.update(await _orders_by_payment(conn, company_id, store_id, missing))
    missing -= by_payment.keys()
    by_payment.update(await _orders_by_any_id(conn, company_id, store_id, missing, aliases or {}))
    out: list[BalanceTransaction | Payout] = []
    for rec, ref in records:
        if isinstance(rec, BalanceTransaction):
            order = by_ref.get(ref) if ref else None
            if order is None and rec.source_order_transaction_id:
                order = by_payment.get(rec.source_order_transaction_id)
            if order is not None and order != rec.order_id:
                rec = replace(rec, order_id=order)
        out.append(rec)
    return out


@dataclass(slots=True)
class Stored:
    balance_transactions: int = 0
    payouts: int = 0
    needs_review: int = 0
    other_currency: dict[str, int] = field(default_factory=dict)
    """Records in a currency other than the books' (by currency): stored,
    but they post nothing until the books can hold two currencies."""


async def store_processor_records(
    conn: asyncpg.Connection,
    company_id: UUID,
    store_id: UUID,
    records: Sequence[ProcessorRecordRef],
    aliases: Aliases | None = None,
) -> Stored:
    """Store and post the records. A record stored before with the same
    content changes nothing and posts nothing again."""
    done = Stored()
    books_currency = await conn.fetchval(
        "SELECT currency_code FROM stores WHERE company_id = $1 AND store_id = $2",
        company_id,
        store_id,
    )
    rows: dict[tuple[str, str], Any] = {}
    for rec in await link_orders(conn, company_id, store_id, records, aliases):
        if isinstance(rec, Payout):
            done.payouts += 1
        else:
            done.balance_transactions += 1
            done.needs_review += rec.kind is RecordKind.UNKNOWN
        if rec.currency is not None and rec.currency != books_currency:
            done.other_currency[rec.currency] = done.other_currency.get(rec.currency, 0) + 1
        kind = "payout" if isinstance(rec, Payout) else "balance_transaction"
        rows[(kind, rec.id)] = encode(rec)  # a record read twice in a batch is stored once
    changed = await conn.fetch(
        """
        INSERT INTO processor_records (company_id, store_id, record_type, record_id, record)
        SELECT $1, $2, t, i, r FROM unnest($3::text[], $4::text[], $5::jsonb[]) AS x(t, i, r)
        ON CONFLICT (company_id, store_id, record_type, record_id) DO UPDATE
            SET record = excluded.record, changed_at = now()
            WHERE processor_records.record <> excluded.record
        RETURNING record_type, record_id, record
        """,
        company_id,
        store_id,
        [t for t, _ in rows],
        [i for _, i in rows],
        list(rows.values()),
    )
    await post_processor_batch(
        conn,
        company_id,
        store_id,
        [(r["record_type"], r["record_id"], r["record"]) for r in changed],
    )
    return done


async def records_needing_review(
    conn: asyncpg.Connection | asyncpg.Pool,
    company_id: UUID,
    processor: str | None = None,
    limit: int = 100,
) -> list[tuple[BalanceTransaction, str]]:
    """Processor records of a type the rules do not know (posted against RIP
    for review), newest first, with the store's currency."""
    rows = await conn.fetch(
        "SELECT p.record, s.currency_code FROM journal_entries e "
        "JOIN books b ON b.company_id = e.company_id AND b.current_version = e.journal_version "
        "JOIN processor_records p ON p.company_id = e.company_id AND p.store_id = e.store_id "
        "AND p.record_type = 'balance_transaction' AND p.record_id = e.event_id "
        "JOIN stores s ON s.company_id = p.company_id AND s.store_id = p.store_id "
        "WHERE e.company_id = $1 AND e.rule = 'processor.unknown' "
        "AND ($2::text IS NULL OR p.record->>'processor' = $2) "
        "ORDER BY e.entry_date DESC, e.entry_id DESC LIMIT $3",
        company_id,
        processor,
        limit,
    )
    out: list[tuple[BalanceTransaction, str]] = []
    for r in rows:
        rec = decode_record(r["record"])
        if isinstance(rec, BalanceTransaction):
            out.append((rec, rec.currency or r["currency_code"]))
    return out
