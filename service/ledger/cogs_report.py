"""The COGS report: every unit costed in a period or a payout, and how.

Per period: the COGS lines dated in it, and every other COGS the journal
holds for those days (restocks reported by hand move cost back into
inventory), so the report's total is the P&L's COGS for the same period.
Per payout (settlement): the COGS of the orders whose payments the payout
carried, whatever their dates, as ConnectBooks' per-settlement export
does; a payout the books do not know is an error, not an empty file.
Lines still missing a cost are listed too, at 0, flagged.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from uuid import UUID

import asyncpg

from service.ledger.reports.cogs import CogsRow


class UnknownPayout(ValueError):
    """The payout id names no payout or settlement of the company."""


@dataclass(frozen=True, slots=True)
class PayoutChoice:
    """A payout or settlement the COGS report can be asked for."""

    processor: str
    payout_id: str
    store_id: UUID | None
    payout_date: dt.date
    amount: int  # minor units, + money to the bank
    currency: str


async def payout_choices(
    conn: asyncpg.Connection | asyncpg.Pool,
    company_id: UUID,
    *,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> list[PayoutChoice]:
    """The payouts and settlements the processors reported, newest first."""
    rows = await conn.fetch(
        "SELECT p.store_id, p.record_id, p.record, s.currency_code FROM processor_records p "
        "JOIN stores s USING (company_id, store_id) "
        "WHERE p.company_id = $1 AND p.record_type = 'payout' "
        "AND ($2::date IS NULL OR (p.record->>'date')::date >= $2) "
        "AND ($3::date IS NULL OR (p.record->>'date')::date <= $3)",
        company_id,
        start,
        end,
    )
    out = [
        PayoutChoice(
            str(r["record"].get("processor") or "shopify_payments"),
            r["record_id"],
            r["store_id"],
            dt.date.fromisoformat(r["record"]["date"]),
            int(r["record"].get("amount") or 0),
            str(r["record"].get("currency") or r["currency_code"]),
        )
        for r in rows
    ]
    return sorted(out, key=lambda p: (p.payout_date, p.payout_id), reverse=True)


async def _payout_orders(
    conn: asyncpg.Connection | asyncpg.Pool, company_id: UUID, payout_id: str
) -> list[str]:
    known = await conn.fetchval(
        "SELECT EXISTS (SELECT 1 FROM processor_records WHERE company_id = $1 AND ("
        "(record_type = 'payout' AND record_id = $2) OR "
        "(record_type = 'balance_transaction' AND record->>'payout_id' = $2)))",
        company_id,
        payout_id,
    )
    if not known:
        raise UnknownPayout(f"payoutId: no payout or settlement {payout_id!r}; see payouts")
    rows = await conn.fetch(
        "SELECT DISTINCT record->>'order_id' AS order_id FROM processor_records "
        "WHERE company_id = $1 AND record_type = 'balance_transaction' "
        "AND record->>'payout_id' = $2 AND record->>'order_id' IS NOT NULL",
        company_id,
        payout_id,
    )
    return [r["order_id"] for r in rows]


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
    orders = None if payout_id is None else await _payout_orders(conn, company_id, payout_id)
    names = {
        r["store_id"]: r["name"]
        for r in await conn.fetch(
            "SELECT store_id, name FROM stores WHERE company_id = $1", company_id
        )
    }
    params = (company_id, version, start, end, store_id, orders)
    where = (
        "company_id = $1 AND journal_version = $2 AND ($3::date IS NULL OR day >= $3) "
        "AND ($4::date IS NULL OR day <= $4) AND ($5::uuid IS NULL OR store_id = $5) "
        "AND ($6::text[] IS NULL OR order_id = any($6))"
    )
    costed = await conn.fetch(
        f"SELECT store_id, order_name, order_id, day, channel, sku, quantity, unit_cost, amount, "
        f"cost_source FROM cogs_details WHERE {where}",
        *params,
    )
    missing = await conn.fetch(
        f"SELECT store_id, order_name, order_id, day, channel, sku, quantity FROM missing_costs "
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
            names.get(r["store_id"], ""),
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
            names.get(r["store_id"], ""),
        )
        for r in missing
    ]
    if payout_id is None:
        out += await _other_cogs(conn, company_id, version, start, end, store_id, names)
    return sorted(out, key=lambda r: (r.day, r.order_name, r.sku or "", r.quantity))


async def _other_cogs(
    conn: asyncpg.Connection | asyncpg.Pool,
    company_id: UUID,
    version: int,
    start: dt.date | None,
    end: dt.date | None,
    store_id: UUID | None,
    names: dict[UUID, str],
) -> list[CogsRow]:
    """COGS lines of the journal no order line explains (restocks reported
    by hand, cost moved by a rule of its own), one row per entry and SKU."""
    rows = await conn.fetch(
        """
        SELECT l.store_id, coalesce(l.channel, '') AS channel, l.entry_date, l.sku, e.rule,
               e.entry_key, sum(l.amount)::bigint AS amount
        FROM journal_entries e
        JOIN journal_lines l ON l.company_id = e.company_id AND l.entry_id = e.entry_id
        WHERE e.company_id = $1 AND e.journal_version = $2 AND l.account_key = 'COGS'
          AND ($3::date IS NULL OR l.entry_date >= $3) AND ($4::date IS NULL OR l.entry_date <= $4)
          AND ($5::uuid IS NULL OR l.store_id = $5)
          AND NOT EXISTS (SELECT 1 FROM cogs_details d WHERE d.company_id = e.company_id
              AND d.journal_version = e.journal_version AND d.store_id = e.store_id
              AND d.order_id = e.order_id AND d.entry_key = e.entry_key)
        GROUP BY 1, 2, 3, 4, 5, 6
        HAVING sum(l.amount) <> 0
        """,
        company_id,
        version,
        start,
        end,
        store_id,
    )
    return [
        CogsRow(
            r["rule"],
            r["entry_key"],
            r["entry_date"],
            r["channel"],
            r["sku"],
            0,
            0,
            r["amount"],
            "RESTOCK" if r["rule"].startswith("restock") else r["rule"],
            False,
            None,
            names.get(r["store_id"], "") if r["store_id"] else "",
        )
        for r in rows
    ]
