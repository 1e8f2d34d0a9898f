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

from service.ledger.payouts import PayoutRow, processor_record_payouts


async def paypal_payouts(
    conn: asyncpg.Connection | asyncpg.Pool,
    company_id: UUID,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> list[PayoutRow]:
    return await processor_record_payouts(conn, company_id, date_from, date_to, processor="paypal")


async def stripe_payouts(
    conn: asyncpg.Connection | asyncpg.Pool,
    company_id: UUID,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> list[PayoutRow]:
    return await processor_record_payouts(conn, company_id, date_from, date_to, processor="stripe")
