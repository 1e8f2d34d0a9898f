"""Purchases and product costing: the costs the books use when nobody gave one.

A purchase changes the cost of every later sale of its SKU (the moving
average moves, FIFO layers shift), so costing is computed per SKU from all
its purchases and sales, in the worker, and only the orders whose cost
changed are re-posted. Each sale is an order line with that SKU, dated on
its order's placed date, net of the units refunded back to stock.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from uuid import UUID

import asyncpg

from service.domain.events import Refund
from service.domain.history import OrderHistory
from service.ledger.codec import decode_record
from service.ledger.jobs import JobRecord, finish_job, record_job, start_job
from service.ledger.order_posting import repost_order
from service.ledger.purchases import post_purchases
from service.ledger.settlements import repost_settlements_with_skus
from service.ledger.stock import (
    Adjustment,
    SkuValuation,
    adjustments_of,
    as_issue,
    negative_since,
    post_adjustments,
    receipts_of,
)
from service.posting.costing import (
    CostingMethod,
    Receipt,
    Sale,
    compute_costs,
    round_half_up,
)

RECOST = "recost"
RECOST_FUNCTION = "recost_skus"


@dataclass(frozen=True, slots=True)
class Purchase:
    sku: str
    day: dt.date
    units: int
    unit_cost: int
    reference: str = ""
    supplier_id: UUID | None = None
    freight: int = 0
    duties: int = 0
    paid_at_once: bool = False


async def record_purchases(
    conn: asyncpg.Connection, company_id: UUID, purchases: Sequence[Purchase]
) -> JobRecord:
    """Store purchases and post them (in the caller's transaction), and ask
    for their SKUs to be costed again."""
    ids: list[UUID] = []
    for p in purchases:
        ids.append(
            await conn.fetchval(
                "INSERT INTO purchases (company_id, sku, day, units, unit_cost, reference, "
                "supplier_id, freight, duties, paid_at_once) "
                "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING purchase_id",
                company_id,
                p.sku,
                p.day,
                p.units,
                p.unit_cost,
                p.reference,
                p.supplier_id,
                p.freight,
                p.duties,
                p.paid_at_once,
            )
        )
    await post_purchases(conn, company_id, ids)
    await conn.executemany(
        "INSERT INTO products (company_id, sku) VALUES ($1, $2) ON CONFLICT DO NOTHING",
        sorted({(company_id, p.sku) for p in purchases}),
    )
    return await request_recost(conn, company_id, sorted({p.sku for p in purchases}))


async def request_recost(conn: asyncpg.Connection, company_id: UUID, skus: list[str]) -> JobRecord:
    stamp = await conn.fetchval("SELECT clock_timestamp()")
    job_id = f"recost:{company_id}:{int(stamp.timestamp() * 1_000_000)}"
    return await record_job(conn, company_id, job_id, RECOST, {"skus": skus})


def sales_of(store_id: UUID, history: OrderHistory, sku: str) -> list[Sale]:
    refunded: dict[str, int] = {}
    for ev in history.events:
        if isinstance(ev, Refund):
            for rl in ev.lines:
                if rl.restock_type.restocks:
                    refunded[rl.line_id] = refunded.get(rl.line_id, 0) + rl.quantity
    day = history.order.placed_at.date()
    out = []
    for line in history.order.lines:
        units = line.quantity - refunded.get(line.id, 0)
        if line.sku == sku and not line.gift_card and units > 0:
            out.append(Sale(f"{store_id}|{history.order.id}|{line.id}", day, sku, units))
    return out


async def sku_events(
    conn: asyncpg.Connection, company_id: UUID, sku: str
) -> tuple[list[Receipt], list[Sale], list[Adjustment]]:
    """Everything that moved the SKU's stock: receipts, sales, adjustments."""
    receipts = await receipts_of(conn, company_id, sku)
    adjustments = await adjustments_of(conn, company_id, sku)
    sales: list[Sale] = []
    for r in await conn.fetch(
        "SELECT o.store_id, o.order_id, o.history FROM order_skus k JOIN order_sources o "
        "USING (company_id, store_id, order_id) WHERE k.company_id = $1 AND k.sku = $2 "
        "AND o.history IS NOT NULL",
        company_id,
        sku,
    ):
        sales += sales_of(r["store_id"], decode_record(r["history"]), sku)
    return receipts, sales, adjustments


async def valuation_as_of(
    conn: asyncpg.Connection, company_id: UUID, as_of: dt.date
) -> list[SkuValuation]:
    """Units on hand, unit cost and value per SKU at the end of a day, by
    the company's costing method over what moved until then."""
    method = CostingMethod(
        await conn.fetchval(
            "SELECT costing_method FROM bookkeeping_settings WHERE company_id = $1", company_id
        )
    )
    out = []
    for r in await conn.fetch(
        "SELECT sku FROM products WHERE company_id = $1 ORDER BY sku", company_id
    ):
        sku = r["sku"]
        receipts, sales, adjustments = await sku_events(conn, company_id, sku)
        issues = [s for s in sales if s.day <= as_of]
        issues += [as_issue(a) for a in adjustments if a.day <= as_of]
        result = compute_costs(method, [x for x in receipts if x.day <= as_of], issues)
        position = result.positions.get(sku)
        if position is None or (position.units == 0 and position.value == 0):
            continue
        out.append(SkuValuation(sku, position.units, position.average_cost_minor, position.value))
    return out


async def recost_sku(
    conn: asyncpg.Connection, company_id: UUID, sku: str
) -> list[tuple[UUID, str]]:
    """Cost every sale of the SKU again; returns the orders whose cost changed."""
    method = CostingMethod(
        await conn.fetchval(
            "SELECT costing_method FROM bookkeeping_settings WHERE company_id = $1", company_id
        )
    )
    receipts, sales, adjustments = await sku_events(conn, company_id, sku)
    issues = sales + [as_issue(a) for a in adjustments]
    result = compute_costs(method, receipts, issues)
    await post_adjustments(conn, company_id, adjustments, result)
    per_order: dict[tuple[UUID, str], list[int]] = {}
    for sale in sales:
        cost = result.sales[sale.sale_id]
        store, order_id, _ = sale.sale_id.split("|", 2)
        totals = per_order.setdefault((UUID(store), order_id), [0, 0, 0])
        totals[0] += cost.total_cost
        totals[1] += sale.units
        totals[2] += cost.missing
    position = result.positions.get(sku)
    before = await conn.fetchval(
        "SELECT average_cost FROM products WHERE company_id = $1 AND sku = $2 FOR UPDATE",
        company_id,
        sku,
    )
    average = position.average_cost_minor if position else None
    await conn.execute(
        "UPDATE products SET on_hand = $3, average_cost = $4, inventory_value = $5, "
        "negative_since = $6 WHERE company_id = $1 AND sku = $2",
        company_id,
        sku,
        position.units if position else 0,
        average,
        position.value if position else 0,
        negative_since(receipts, issues),
    )
    average_moved = before != average
    changed = []
    for (store_id, order_id), (total, units, missing) in sorted(per_order.items()):
        # The engine takes a cost per unit; an order's lines of one SKU share one.
        unit_cost = round_half_up(Fraction(total, units)) if units else 0
        row = await conn.fetchval(
            """
            INSERT INTO line_costs (company_id, store_id, order_id, sku, source, unit_cost, missing)
            VALUES ($1, $2, $3, $4, 'PRODUCT_COSTING', $5, $6)
            ON CONFLICT (company_id, store_id, order_id, sku, source) DO UPDATE
                SET unit_cost = excluded.unit_cost, missing = excluded.missing, updated_at = now()
                WHERE line_costs.unit_cost <> excluded.unit_cost
                   OR line_costs.missing <> excluded.missing
            RETURNING true
            """,
            company_id,
            store_id,
            order_id,
            sku,
            unit_cost,
            bool(missing),
        )
        if row:
            changed.append((store_id, order_id))
    if average_moved:
        # Orders with no sale of their own to cost (every unit came back) fall
        # back on the product's average, which may just have moved.
        for r in await conn.fetch(
            "SELECT k.store_id, k.order_id FROM order_skus k WHERE k.company_id = $1 "
            "AND k.sku = $2 AND NOT EXISTS (SELECT 1 FROM line_costs c "
            "WHERE c.company_id = k.company_id AND c.store_id = k.store_id "
            "AND c.order_id = k.order_id AND c.sku = k.sku AND c.source = 'PRODUCT_COSTING') "
            "ORDER BY 1, 2",
            company_id,
            sku,
        ):
            changed.append((r["store_id"], r["order_id"]))
    return sorted(set(changed))


async def run_recost(pool: asyncpg.Pool, company_id: UUID, job_id: str) -> bool:
    async with pool.acquire() as conn, conn.transaction():
        job = await start_job(conn, company_id, job_id)
    if job is None:
        return False
    for sku in job.payload["skus"]:
        async with pool.acquire() as conn, conn.transaction():
            for store_id, order_id in await recost_sku(conn, company_id, sku):
                await repost_order(conn, company_id, store_id, order_id)
    async with pool.acquire() as conn, conn.transaction():
        await repost_settlements_with_skus(conn, company_id, job.payload["skus"])
        await finish_job(conn, company_id, job_id)
    return True
