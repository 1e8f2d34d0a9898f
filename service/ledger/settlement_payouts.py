"""Marketplace settlements as payouts: each settlement's deposit is one.

Amazon pays a settlement's ``total-amount`` on its deposit date; TikTok
Shop pays a statement's settlement amount. A negative total is money the
marketplace took from the merchant's bank (or card), so it is a negative
payout.
"""

from __future__ import annotations

import datetime as dt
from uuid import UUID

import asyncpg

from service.ledger.payouts import PayoutRow

PAID = "PAID"


async def marketplace_payouts(
    conn: asyncpg.Connection | asyncpg.Pool,
    company_id: UUID,
    marketplace: str,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> list[PayoutRow]:
    rows = await conn.fetch(
        "SELECT settlement_id, store_id, deposit_date, total, currency_code FROM settlements "
        "WHERE company_id = $1 AND marketplace = $2 "
        "AND ($3::date IS NULL OR deposit_date >= $3) AND ($4::date IS NULL OR deposit_date <= $4) "
        "ORDER BY deposit_date, settlement_id",
        company_id,
        marketplace,
        date_from,
        date_to,
    )
    return [
        PayoutRow(
            processor=marketplace,
            payout_id=r["settlement_id"],
            store_id=r["store_id"],
            payout_date=r["deposit_date"],
            amount=r["total"],
            currency=r["currency_code"].strip(),
            status=PAID,
        )
        for r in rows
    ]


async def amazon_payouts(
    conn: asyncpg.Connection | asyncpg.Pool,
    company_id: UUID,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> list[PayoutRow]:
    return await marketplace_payouts(conn, company_id, "amazon", date_from, date_to)


async def tiktok_payouts(
    conn: asyncpg.Connection | asyncpg.Pool,
    company_id: UUID,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> list[PayoutRow]:
    return await marketplace_payouts(conn, company_id, "tiktok", date_from, date_to)
