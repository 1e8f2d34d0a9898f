"""PayPal's and Stripe's payouts for bank matching.

A payout is stored once it has reached the bank (a completed PayPal
withdrawal, a Stripe payout whose status is ``paid``), dated by the
processor's own UTC date, so the rows here are all ``paid``. The id is the
processor's own (``po_...`` for Stripe, the withdrawal's transaction id
for PayPal).
"""

from __future__ import annotations

import datetime as dt
from uuid import UUID

import asyncpg

from service.ledger.payouts import PayoutRow


async def _payouts(
    conn: asyncpg.Connection | asyncpg.Pool,
    company_id: UUID,
    processor: str,
    date_from: dt.date | None,
    date_to: dt.date | None,
) -> list[PayoutRow]:
    rows = await conn.fetch(
        "SELECT p.store_id, p.record, s.currency_code FROM processor_records p "
        "JOIN stores s USING (company_id, store_id) "
        "WHERE p.company_id = $1 AND p.record_type = 'payout' AND p.record->>'processor' = $2 "
        "AND ($3::date IS NULL OR (p.record->>'date')::date >= $3) "
        "AND ($4::date IS NULL OR (p.record->>'date')::date <= $4) "
        "ORDER BY (p.record->>'date')::date, p.record_id",
        company_id,
        processor,
        date_from,
        date_to,
    )
    out: list[PayoutRow] = []
    for r in rows:
        rec = r["record"]
        out.append(
            PayoutRow(
                processor=processor,
                payout_id=str(rec["id"]).split(":", 1)[-1],
                store_id=r["store_id"],
                payout_date=dt.date.fromisoformat(rec["date"]),
                amount=int(rec["amount"]),
                currency=rec.get("currency") or r["currency_code"],
                status="paid",
            )
        )
    return out


async def paypal_payouts(
    conn: asyncpg.Connection | asyncpg.Pool,
    company_id: UUID,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> list[PayoutRow]:
    return await _payouts(conn, company_id, "paypal", date_from, date_to)


async def stripe_payouts(
    conn: asyncpg.Connection | asyncpg.Pool,
    company_id: UUID,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> list[PayoutRow]:
    return await _payouts(conn, company_id, "stripe", date_from, date_to)
