"""Marketplace settlements as payouts: each settlement's deposit is one.

Amazon pays a settlement's ``total-amount`` on its deposit date; TikTok
Shop pays a statement's settlement amount. A negative total is money the
marketplace took from the merchant's bank (or card), so it is a negative
payout. TikTok Shop pays several statements in one payment: the payout is
the payment, the sum of its statements.
"""

from __future__ import annotations

import datetime as dt
from uuid import UUID

import asyncpg

from service.ledger.payouts import PayoutRow


async def marketplace_payouts(
    conn: asyncpg.Connection | asyncpg.Pool,
    company_id: UUID,
    marketplace: str,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> list[PayoutRow]:
    rows = await conn.fetch(
        "SELECT coalesce(payout_id, settlement_id) AS payout, store_id, "
        "max(deposit_date) AS deposit_date, sum(total)::bigint AS total, "
        "min(currency_code) AS currency_code, min(payout_status) AS status FROM settlements "
        "WHERE company_id = $1 AND marketplace = $2 "
        "AND ($3::date IS NULL OR deposit_date >= $3) AND ($4::date IS NULL OR deposit_date <= $4) "
        "GROUP BY 1, 2 ORDER BY 3, 1",
        company_id,
        marketplace,
        date_from,
        date_to,
    )
    return [
        PayoutRow(
            processor=marketplace,
            payout_id=r["payout"],
            store_id=r["store_id"],
            payout_date=r["deposit_date"],
            amount=r["total"],
            currency=r["currency_code"].strip(),
            status=str(r["status"]).lower(),
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
