"""The COGS report: every unit costed in a period or a payout, and how.

Per period: the COGS lines dated in it. Per payout (settlement): the COGS
of the orders whose payments the payout carried, whatever their dates, as
ConnectBooks' per-settlement export does. Lines still missing a cost are
listed too, at 0, flagged.
"""

from __future__ import annotations

import datetime as dt
from uuid import UUID

import asyncpg

from service.ledger.reports.cogs import CogsRow


async def report_rows(
    conn: asyncpg.Connection | asyncpg.Pool,
    company_id: UUID,
    version: int,
    *,
    start: dt.date | None,
    end: dt.date | None,
    store_id: UUID | None,
    payout_id: str | None,
) -> list[CogsRow]:
    orders: list[str] | None = None
    if payout_id is not None:
        rows = await conn.fetch(
            "SELECT DISTINCT record->>'order_id' AS order_id FROM processor_records "
            "WHERE company_id = $1 AND record_type = 'balance_transaction' "
            "AND record->>'payout_id' = $2 AND record->>'order_id' IS NOT NULL",
            company_id,
            payout_id,
        )
        orders = [r["order_id"] for r in rows]
    params = (company_id, version, start, end, store_id, orders)
    where = (
        "company_id = $1 AND journal_version = $2 AND ($3::date IS NULL OR day >= $3) "
        "AND ($4::date IS NULL OR day <= $4) AND ($5::uuid IS NULL OR store_id = $5) "
        "AND ($6::text[] IS NULL OR order_id = any($6))"
    )
    costed = await conn.fetch(
        f"SELECT order_name, order_id, day, channel, sku, quantity, unit_cost, amount, "
        f"cost_source FROM cogs_details WHERE {where}",
        *params,
    )
    missing = await conn.fetch(
        f"SELECT order_name, order_id, day, channel, sku, quantity FROM missing_costs "
        f"WHERE {where}",
        *params,
    )
    out = [
        CogsRow(
            r["order_name"],
            r["order_id"],
            r["day"],
            r["channel"],
            r["sku"],
            r["quantity"],
            r["unit_cost"],
            r["amount"],
            r["cost_source"],
            False,
            payout_id,
        )
        for r in costed
    ] + [
        CogsRow(
            r["order_name"],
            r["order_id"],
            r["day"],
            r["channel"],
            r["sku"],
            r["quantity"],
            0,
            0,
            "",
            True,
            payout_id,
        )
        for r in missing
    ]
    return sorted(out, key=lambda r: (r.day, r.order_name, r.sku or "", r.quantity))
