"""Restocks reported by hand (posting rules section 10, seed 000).

Each report is a subject of its own in the journal, re-posted the moment it
is saved. A bulk edit or a CSV file is checked whole first: one bad row and
nothing is saved, and every bad row comes back with its number and reason.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from uuid import UUID

import asyncpg

from service.domain.marketplace import MARKETPLACES
from service.domain.restocks import BulkMode, ChannelRestock, SkuRestock
from service.ledger.journal import Posting
from service.ledger.order_posting import post_live
from service.posting.restocks import apply_bulk_restocks, post_channel_restock, post_sku_restock


class RestockRowsError(ValueError):
    """Rows that cannot be saved, as (row number, reason); nothing was saved."""

    def __init__(self, rows: Sequence[tuple[int, str]]) -> None:
        super().__init__("; ".join(f"row {n}: {why}" for n, why in rows))
        self.rows = tuple(rows)


def channel_subject(store_id: UUID, restock_id: UUID) -> str:
    return f"restock:{store_id}:channel:{restock_id}"


def sku_subject(store_id: UUID, channel: str, sku: str, month: dt.date) -> str:
    return f"restock:{store_id}:sku:{channel}|{sku}|{month:%Y-%m}"


@dataclass(frozen=True, slots=True)
class StoreFacts:
    currency: str
    channels: frozenset[str]
    unit_costs: Mapping[str, int]


async def store_facts(conn: asyncpg.Connection, company_id: UUID, store_id: UUID) -> StoreFacts:
    """What restock rows are checked against: the store's channels and known SKUs.

    The marketplaces (Amazon, TikTok Shop) are channels of every store from
    the start: their restocks are reported by hand, often before any of
    their orders or settlements has been synced."""
    currency = await conn.fetchval(
        "SELECT currency_code FROM stores WHERE company_id = $1 AND store_id = $2",
        company_id,
        store_id,
    )
    rows = await conn.fetch(
        "SELECT DISTINCT source FROM order_summaries WHERE company_id = $1 AND store_id = $2 "
        "UNION SELECT source FROM channel_statuses WHERE company_id = $1 AND store_id = $2",
        company_id,
        store_id,
    )
    costs = await conn.fetch(
        "SELECT sku, coalesce(average_cost, channel_unit_cost, 0) AS cost FROM products "
        "WHERE company_id = $1",
        company_id,
    )
    return StoreFacts(
        currency or "USD",
        frozenset(r["source"] for r in rows) | frozenset(MARKETPLACES),
        {r["sku"]: r["cost"] for r in costs},
    )


async def report_channel_restock(
    conn: asyncpg.Connection,
    company_id: UUID,
    store_id: UUID,
    channel: str,
    start: dt.date,
    end: dt.date,
    amount: int,
) -> UUID:
    restock_id: UUID = await conn.fetchval(
        "INSERT INTO channel_restocks (company_id, store_id, channel, period_start, period_end, "
        "amount) VALUES ($1, $2, $3, $4, $5, $6) RETURNING restock_id",
        company_id,
        store_id,
        channel,
        start,
        end,
        amount,
    )
    facts = await store_facts(conn, company_id, store_id)
    await post_live(
        conn,
        company_id,
        channel_posting(store_id, facts.currency, restock_id, channel, start, end, amount),
    )
    return restock_id


def channel_posting(
    store_id: UUID,
    currency: str,
    restock_id: UUID,
    channel: str,
    start: dt.date,
    end: dt.date,
    amount: int,
) -> Posting:
    record = ChannelRestock(str(restock_id), str(store_id), channel, start, end, amount, currency)
    return Posting(
        channel_subject(store_id, restock_id), store_id, currency, post_channel_restock(record)
    )


def sku_posting(store_id: UUID, currency: str, r: SkuRestock) -> Posting:
    month = r.month.replace(day=1)
    return Posting(
        sku_subject(store_id, r.channel, r.sku, month), store_id, currency, post_sku_restock(r)
    )


async def existing_sku_restocks(
    conn: asyncpg.Connection, company_id: UUID, store_id: UUID, channel: str, currency: str
) -> list[SkuRestock]:
    rows = await conn.fetch(
        "SELECT sku, month, units, unit_cost FROM sku_restocks WHERE company_id = $1 "
        "AND store_id = $2 AND channel = $3",
        company_id,
        store_id,
        channel,
    )
    return [
        SkuRestock(
            str(store_id), channel, r["sku"], r["month"], r["units"], r["unit_cost"], currency
        )
        for r in rows
    ]


async def save_sku_restocks(
    conn: asyncpg.Connection,
    company_id: UUID,
    store_id: UUID,
    channel: str,
    rows: Sequence[Mapping[str, str]],
    mode: BulkMode,
) -> tuple[SkuRestock, ...]:
    """Check every row, then save them all and post them; or save nothing.

    Rows are {sku, month (YYYY-MM), units[, unit_cost]}, numbered from 1.
    """
    facts = await store_facts(conn, company_id, store_id)
    bad: list[tuple[int, str]] = []
    if channel not in facts.channels:
        bad.append((0, f"unknown channel {channel!r} for this store"))
    for n, row in enumerate(rows, start=1):
        sku = (row.get("sku") or "").strip()
        if sku and sku not in facts.unit_costs:
            bad.append((n, f"unknown SKU {sku!r}"))
    existing = await existing_sku_restocks(conn, company_id, store_id, channel, facts.currency)
    try:
        result = apply_bulk_restocks(
            existing,
            rows,
            mode,
            str(store_id),
            channel,
            {k: v for k, v in facts.unit_costs.items() if v},
            facts.currency,
        )
    except ValueError as exc:
        bad += list(getattr(exc, "rows", [(0, str(exc))]))
        result = ()
    if bad:
        raise RestockRowsError(sorted(set(bad)))
    before = {(r.sku, r.month.replace(day=1)): r for r in existing}
    for r in result:
        month = r.month.replace(day=1)
        if before.get((r.sku, month)) == r:
            continue
        await conn.execute(
            """
            INSERT INTO sku_restocks (company_id, store_id, channel, sku, month, units, unit_cost)
            VALUES ($1, $2, $3, $4, $5, $6, $7)
            ON CONFLICT (company_id, store_id, channel, sku, month) DO UPDATE
                SET units = excluded.units, unit_cost = excluded.unit_cost, updated_at = now()
            """,
            company_id,
            store_id,
            channel,
            r.sku,
            month,
            r.units,
            r.unit_cost,
        )
        await post_live(conn, company_id, sku_posting(store_id, facts.currency, r))
    return result


async def restock_postings(conn: asyncpg.Connection, company_id: UUID) -> list[Posting]:
    """Every restock of the company, posted afresh (for a full re-post and verify)."""
    postings: list[Posting] = []
    for r in await conn.fetch(
        "SELECT c.*, s.currency_code FROM channel_restocks c JOIN stores s "
        "USING (company_id, store_id) WHERE c.company_id = $1",
        company_id,
    ):
        postings.append(
            channel_posting(
                r["store_id"],
                r["currency_code"],
                r["restock_id"],
                r["channel"],
                r["period_start"],
                r["period_end"],
                r["amount"],
            )
        )
    for r in await conn.fetch(
        "SELECT k.*, s.currency_code FROM sku_restocks k JOIN stores s "
        "USING (company_id, store_id) WHERE k.company_id = $1",
        company_id,
    ):
        record = SkuRestock(
            str(r["store_id"]),
            r["channel"],
            r["sku"],
            r["month"],
            r["units"],
            r["unit_cost"],
            r["currency_code"],
        )
        postings.append(sku_posting(r["store_id"], r["currency_code"], record))
    return postings
