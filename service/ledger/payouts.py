"""Every processor's payouts, in one shape, for matching them to bank lines.

Shopify Payments, PayPal and Stripe payouts are all processor records of
type ``payout``; each is read once here, whatever its processor. Other
sources of payouts (marketplace settlements) add a function returning
``PayoutRow`` and ``list_payouts`` gathers them. A payout's amount is in
minor units, signed from the merchant's side (+ money to the bank, - a
failed payout taken back).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import asyncpg

from service.domain.processor import Payout
from service.ledger.codec import decode_record, from_jsonb


@dataclass(frozen=True)
class PayoutRow:
    """One payout to (``amount`` > 0) or from the bank, in minor units."""

    processor: str
    payout_id: str
    store_id: UUID | None
    payout_date: dt.date
    amount: int
    currency: str
    status: str


def _record(raw: Any) -> Any:
    return decode_record(from_jsonb(raw))


def _own_id(payout: Payout) -> str:
    """The processor's own id (``po_...``), without the prefix some
    connectors store it under."""
    prefix = f"{payout.processor}:"
    return payout.id[len(prefix) :] if payout.id.startswith(prefix) else payout.id


async def processor_record_payouts(
    conn: asyncpg.Connection | asyncpg.Pool,
    company_id: UUID,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    *,
    processor: str | None = None,
) -> list[PayoutRow]:
    """Payouts synced as processor records (Shopify Payments, PayPal,
    Stripe), of one processor when it is named."""
    rows = await conn.fetch(
        "SELECT p.store_id, p.record, s.currency_code FROM processor_records p "
        "JOIN stores s USING (company_id, store_id) "
        "WHERE p.company_id = $1 AND p.record_type = 'payout'",
        company_id,
    )
    out: list[PayoutRow] = []
    for r in rows:
        payout = _record(r["record"])
        if not isinstance(payout, Payout):
            continue
        if processor is not None and payout.processor != processor:
            continue
        if date_from is not None and payout.date < date_from:
            continue
        if date_to is not None and payout.date > date_to:
            continue
        out.append(
            PayoutRow(
                payout.processor,
                _own_id(payout),
                r["store_id"],
                payout.date,
                payout.amount,
                payout.currency or r["currency_code"],
                "paid" if payout.amount >= 0 else "failed",
            )
        )
    return sorted(out, key=lambda p: (p.payout_date, p.payout_id))


async def list_payouts(
    conn: asyncpg.Connection,
    company_id: UUID,
    *,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> list[PayoutRow]:
    """Every processor's payouts, by date then id."""
    from service.ledger.settlement_payouts import amazon_payouts, tiktok_payouts

    rows = await processor_record_payouts(conn, company_id, date_from, date_to)
    rows += await amazon_payouts(conn, company_id, date_from, date_to)
    rows += await tiktok_payouts(conn, company_id, date_from, date_to)
    return sorted(rows, key=lambda p: (p.payout_date, p.processor, p.payout_id))
