"""What enters and leaves each SKU's stock, for the costing and the ledger.

Receipts: purchases (at their landed cost), the opening inventory and
restocks reported by hand per SKU. Issues: order lines shipped (and
restocked by a refund, which come back at their cost) and inventory
adjustments (shrinkage, damage, write-offs). The costing values
every issue; an adjustment's value is then posted (Dr
INVENTORY_ADJUSTMENTS, Cr INVENTORY, posting rule 14.2), so inventory
leaves the books at the cost the costing took it out at.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from uuid import UUID

import asyncpg

from service.ledger.codec import from_jsonb
from service.ledger.companies import books_store
from service.ledger.journal import Posting
from service.ledger.manual_entries import opening_inventory
from service.ledger.order_posting import post_live
from service.posting.costing import (
    CostAdjustment,
    CostingResult,
    Receipt,
    Sale,
    landed_receipts,
)
from service.posting.restocks import month_end
from service.posting.stock import (
    Adjustment,
    adjustment_entries,
    true_up_entries,
)

ADJUSTMENT_PREFIX = "adj|"


def adjustment_subject(adjustment_id: str) -> str:
    return f"adjustment:{adjustment_id}"


def true_up_subject(sku: str) -> str:
    return f"costing:{sku}"


async def receipts_of(conn: asyncpg.Connection, company_id: UUID, sku: str) -> list[Receipt]:
    receipts = [
        receipt
        for r in await conn.fetch(
            "SELECT purchase_id, day, units, unit_cost, freight, duties FROM purchases "
            "WHERE company_id = $1 AND sku = $2",
            company_id,
            sku,
        )
        for receipt in landed_receipts(
            str(r["purchase_id"]),
            r["day"],
            sku,
            r["units"],
            r["unit_cost"],
            r["freight"] + r["duties"],
        )
    ]
    receipts += [
        Receipt(
            f"restock|{r['store_id']}|{r['channel']}|{r['month']:%Y-%m}",
            month_end(r["month"]),
            sku,
            r["units"],
            r["unit_cost"],
        )
        for r in await conn.fetch(
            "SELECT store_id, channel, month, units, unit_cost FROM sku_restocks "
            "WHERE company_id = $1 AND sku = $2 AND units > 0",
            company_id,
            sku,
        )
    ]
    opening = await opening_inventory(conn, company_id)
    if opening is not None:
        day, items = opening
        receipts += [
            Receipt(f"opening|{i.sku}", day, i.sku, i.units, i.unit_cost)
            for i in items
            if i.sku == sku and i.units > 0
        ]
    return receipts


async def adjustments_of(conn: asyncpg.Connection, company_id: UUID, sku: str) -> list[Adjustment]:
    return [
        Adjustment(
            str(r["adjustment_id"]), sku, r["day"], r["units"], r["reason"], r["note"], r["cost"]
        )
        for r in await conn.fetch(
            "SELECT adjustment_id, day, units, reason, note, cost FROM inventory_adjustments "
            "WHERE company_id = $1 AND sku = $2",
            company_id,
            sku,
        )
    ]


def as_issue(a: Adjustment) -> Sale:
    return Sale(f"{ADJUSTMENT_PREFIX}{a.id}", a.day, a.sku, a.units)


async def record_adjustment(
    conn: asyncpg.Connection, company_id: UUID, adjustment: Adjustment
) -> UUID:
    """Store an adjustment; the costing values and posts it (``post_adjustments``)."""
    adjustment_id: UUID = await conn.fetchval(
        "INSERT INTO inventory_adjustments (company_id, sku, day, units, reason, note) "
        "VALUES ($1, $2, $3, $4, $5, $6) RETURNING adjustment_id",
        company_id,
        adjustment.sku,
        adjustment.day,
        adjustment.units,
        adjustment.reason,
        adjustment.note,
    )
    await conn.execute(
        "INSERT INTO products (company_id, sku) VALUES ($1, $2) ON CONFLICT DO NOTHING",
        company_id,
        adjustment.sku,
    )
    return adjustment_id


async def post_adjustments(
    conn: asyncpg.Connection,
    company_id: UUID,
    adjustments: list[Adjustment],
    result: CostingResult,
) -> None:
    """Store each adjustment's cost as the costing gives it and post the
    ones whose cost changed."""
    found = await books_store(conn, company_id)
    if found is None:
        return
    store_id, currency = found
    for a in adjustments:
        cost = result.sales[f"{ADJUSTMENT_PREFIX}{a.id}"].total_cost
        if cost == a.cost:
            continue
        await conn.execute(
            "UPDATE inventory_adjustments SET cost = $3 "
            "WHERE company_id = $1 AND adjustment_id = $2",
            company_id,
            UUID(a.id),
            cost,
        )
        costed = Adjustment(a.id, a.sku, a.day, a.units, a.reason, a.note, cost)
        entries = adjustment_entries(costed, str(store_id), currency)
        posting = Posting(adjustment_subject(a.id), store_id, currency, entries)
        await post_live(conn, company_id, posting)


async def adjustment_postings(conn: asyncpg.Connection, company_id: UUID) -> list[Posting]:
    """Every costed adjustment, posted afresh (full re-post, verify)."""
    found = await books_store(conn, company_id)
    if found is None:
        return []
    store_id, currency = found
    out = []
    for r in await conn.fetch(
        "SELECT * FROM inventory_adjustments WHERE company_id = $1 AND cost IS NOT NULL",
        company_id,
    ):
        a = Adjustment(
            str(r["adjustment_id"]),
            r["sku"],
            r["day"],
            r["units"],
            r["reason"],
            r["note"],
            r["cost"],
        )
        entries = adjustment_entries(a, str(store_id), currency)
        out.append(Posting(adjustment_subject(a.id), store_id, currency, entries))
    return out


async def post_true_ups(
    conn: asyncpg.Connection, company_id: UUID, sku: str, true_ups: tuple[CostAdjustment, ...]
) -> None:
    """Keep the SKU's cost true-ups as the costing gives them, and post them
    when they changed."""
    mine = [a for a in true_ups if a.sku == sku and a.amount]
    stored = json.dumps(
        [[a.day.isoformat(), a.receipt_id, a.units, a.amount] for a in mine], sort_keys=True
    )
    changed = await conn.fetchval(
        "UPDATE products SET true_ups = $3::jsonb WHERE company_id = $1 AND sku = $2 "
        "AND true_ups IS DISTINCT FROM $3::jsonb RETURNING true",
        company_id,
        sku,
        stored,
    )
    found = await books_store(conn, company_id)
    if not changed or found is None:
        return
    store_id, currency = found
    entries = true_up_entries(sku, mine, str(store_id), currency)
    await post_live(conn, company_id, Posting(true_up_subject(sku), store_id, currency, entries))


async def true_up_postings(conn: asyncpg.Connection, company_id: UUID) -> list[Posting]:
    """Every SKU's cost true-ups, posted afresh (full re-post, verify)."""
    found = await books_store(conn, company_id)
    if found is None:
        return []
    store_id, currency = found
    out = []
    for r in await conn.fetch(
        "SELECT sku, true_ups FROM products WHERE company_id = $1 AND true_ups <> '[]'::jsonb",
        company_id,
    ):
        raw = r["true_ups"]
        rows = from_jsonb(raw)
        mine = [
            CostAdjustment(dt.date.fromisoformat(d), r["sku"], rid, units, amount)
            for d, rid, units, amount in rows
        ]
        entries = true_up_entries(r["sku"], mine, str(store_id), currency)
        out.append(Posting(true_up_subject(r["sku"]), store_id, currency, entries))
    return out


def negative_since(receipts: list[Receipt], issues: list[Sale]) -> dt.date | None:
    """The day the SKU's stock went below zero and has stayed there, in the
    costing's own order of events (receipts before issues on a day)."""
    events = sorted(
        [(r.day, 0, r.units) for r in receipts]
        + [(s.day, 1, s.units if s.returned else -s.units) for s in issues]
    )
    units = 0
    since: dt.date | None = None
    for day, _, change in events:
        units += change
        if units < 0 and since is None:
            since = day
        elif units >= 0:
            since = None
    return since


@dataclass(frozen=True, slots=True)
class SkuValuation:
    sku: str
    units: int
    unit_cost: int | None  # minor units, rounded; None when no cost was ever known
    value: int


@dataclass(frozen=True, slots=True)
class NegativeStock:
    sku: str
    units: int
    since: dt.date


async def negative_stock(
    conn: asyncpg.Connection | asyncpg.Pool, company_id: UUID
) -> list[NegativeStock]:
    """SKUs sold beyond what was received (posting rule 14.4): listed with
    the shortfall and since when, for a person to record the missing
    purchases or counts."""
    rows = await conn.fetch(
        "SELECT sku, on_hand, negative_since FROM products "
        "WHERE company_id = $1 AND on_hand < 0 ORDER BY negative_since NULLS LAST, sku",
        company_id,
    )
    return [
        NegativeStock(r["sku"], -r["on_hand"], r["negative_since"] or dt.date.min) for r in rows
    ]
