"""Purchases and product costing: the costs the books use when nobody gave one.

A purchase changes the cost of every later sale of its SKU (the moving
average moves, FIFO layers shift), so costing is computed per SKU from all
its receipts and stock movements, in the worker, and only the orders whose
cost changed are re-posted. The movements are the books' own: each order
line's shipments and restocks as the posting engine makes them (their
dates follow the store's fulfillment tracking), purchases, opening
inventory, restocks reported by hand and adjustments. Valuing exactly
those keeps INVENTORY in the books equal to the value of the units on hand
on every date (posting rule 14.4).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from uuid import UUID

import asyncpg

from service.domain.costs import LineCost
from service.domain.history import OrderHistory
from service.ledger.codec import decode_record
from service.ledger.jobs import JobRecord, finish_job, record_job, start_job
from service.ledger.order_posting import GOOD_HISTORY, good_history, post_history, repost_order
from service.ledger.posting_inputs import CompanyInputs, load_inputs
from service.ledger.purchases import post_purchases
from service.ledger.settlements import repost_settlements_with_skus, settlement_sales
from service.ledger.stock import (
    SkuValuation,
    adjustments_of,
    as_issue,
    negative_since,
    post_adjustments,
    post_true_ups,
    receipts_of,
)
from service.posting.cogs import StockMove
from service.posting.costing import (
    CostingMethod,
    Receipt,
    Sale,
    compute_costs,
    round_half_up,
)
from service.posting.stock import Adjustment, line_costs_from, move_sales

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


@dataclass(frozen=True, slots=True)
class OrderMoves:
    """One order's stock movements, as its posting makes them."""

    store_id: UUID
    order_id: str
    moves: tuple[StockMove, ...]

    @property
    def key(self) -> str:
        return f"{self.store_id}|{self.order_id}"


async def order_moves(
    conn: asyncpg.Connection, company_id: UUID, sku: str, inputs: CompanyInputs | None = None
) -> list[OrderMoves]:
    """The stock movements of every order with the SKU: the posting engine
    decides them (shipment dates under the store's tracking, restocks,
    order actions), so the costing values what the books move."""
    inputs = inputs or await load_inputs(conn, company_id)
    out = []
    for r in await conn.fetch(
        f"SELECT o.store_id, o.order_id, o.history, {GOOD_HISTORY} FROM order_skus k "
        "JOIN order_sources o USING (company_id, store_id, order_id) "
        "WHERE k.company_id = $1 AND k.sku = $2 AND o.history IS NOT NULL "
        "ORDER BY o.store_id, o.order_id",
        company_id,
        sku,
    ):
        history: OrderHistory = decode_record(r["history"])
        ctx = inputs.context(r["store_id"], r["order_id"])
        posted = post_history(history, ctx, good_history(r["good_history"]))
        moves = posted.run.moves if posted.run is not None else ()
        out.append(OrderMoves(r["store_id"], r["order_id"], moves))
    return out


@dataclass(frozen=True, slots=True)
class SkuEvents:
    """Everything that moved one SKU's stock."""

    receipts: list[Receipt]
    adjustments: list[Adjustment]
    orders: list[OrderMoves]
    sales: list[Sale]

    def issues(self, through: dt.date | None = None) -> list[Sale]:
        """Sales, returns and adjustments, up to a day when one is given."""
        out = self.sales + [as_issue(a) for a in self.adjustments]
        return out if through is None else [s for s in out if s.day <= through]


async def sku_events(
    conn: asyncpg.Connection, company_id: UUID, sku: str, inputs: CompanyInputs | None = None
) -> SkuEvents:
    receipts = await receipts_of(conn, company_id, sku)
    adjustments = await adjustments_of(conn, company_id, sku)
    orders = await order_moves(conn, company_id, sku, inputs)
    sales = [s for o in orders for s in move_sales(o.key, o.moves) if s.sku == sku]
    sales += await settlement_sales(conn, company_id, sku)
    return SkuEvents(receipts, adjustments, orders, sales)


async def costing_method(conn: asyncpg.Connection, company_id: UUID) -> CostingMethod:
    return CostingMethod(
        await conn.fetchval(
            "SELECT costing_method FROM bookkeeping_settings WHERE company_id = $1", company_id
        )
    )


async def valuation_as_of(
    conn: asyncpg.Connection, company_id: UUID, as_of: dt.date
) -> list[SkuValuation]:
    """Units on hand, unit cost and value per SKU at the end of a day, by
    the company's costing method over what moved until then."""
    method = await costing_method(conn, company_id)
    inputs = await load_inputs(conn, company_id)
    out = []
    for r in await conn.fetch(
        "SELECT sku FROM products WHERE company_id = $1 ORDER BY sku", company_id
    ):
        sku = r["sku"]
        events = await sku_events(conn, company_id, sku, inputs)
        receipts = [x for x in events.receipts if x.day <= as_of]
        result = compute_costs(method, receipts, events.issues(as_of))
        position = result.positions.get(sku)
        if position is None or (position.units == 0 and position.value == 0):
            continue
        out.append(SkuValuation(sku, position.units, position.average_cost_minor, position.value))
    return out


async def recost_sku(
    conn: asyncpg.Connection, company_id: UUID, sku: str
) -> list[tuple[UUID, str]]:
    """Cost every movement of the SKU again; returns the orders whose cost changed."""
    method = await costing_method(conn, company_id)
    await conn.execute(
        "DELETE FROM recost_pending WHERE company_id = $1 AND sku = $2", company_id, sku
    )
    events = await sku_events(conn, company_id, sku)
    issues = events.issues()
    result = compute_costs(method, events.receipts, issues)
    await post_adjustments(conn, company_id, events.adjustments, result)
    await post_true_ups(conn, company_id, sku, result.adjustments)
    position = result.positions.get(sku)
    await conn.execute(
        "UPDATE products SET on_hand = $3, average_cost = $4, inventory_value = $5, "
        "negative_since = $6 WHERE company_id = $1 AND sku = $2",
        company_id,
        sku,
        position.units if position else 0,
        position.average_cost_minor if position else None,
        position.value if position else 0,
        negative_since(events.receipts, issues),
    )
    changed = []
    costed: list[tuple[UUID, str]] = []
    for o in events.orders:
        costs = [c for c in line_costs_from(o.key, o.moves, result) if c.moves]
        if not costs:
            continue
        costed.append((o.store_id, o.order_id))
        if await _store_line_costs(conn, company_id, o, sku, costs):
            changed.append((o.store_id, o.order_id))
    await conn.execute(
        "DELETE FROM line_costs c WHERE c.company_id = $1 AND c.sku = $2 "
        "AND c.source = 'PRODUCT_COSTING' AND (c.store_id, c.order_id) NOT IN "
        "(SELECT * FROM unnest($3::uuid[], $4::text[]))",
        company_id,
        sku,
        [k[0] for k in costed],
        [k[1] for k in costed],
    )
    return sorted(set(changed))


async def _store_line_costs(
    conn: asyncpg.Connection, company_id: UUID, o: OrderMoves, sku: str, costs: list[LineCost]
) -> bool:
    """The order's costs of the SKU: the exact cost of each shipment per
    line, and one unit cost for the lists that show one. True if changed."""
    total = sum(v for c in costs for _, v in c.moves)
    shipped = sum(m.units for m in o.moves if m.units > 0 and m.sku == sku)
    unit_cost = round_half_up(Fraction(total, shipped)) if shipped else 0
    moves = json.dumps({c.line_id: [list(m) for m in c.moves] for c in costs}, sort_keys=True)
    row = await conn.fetchval(
        """
        INSERT INTO line_costs (company_id, store_id, order_id, sku, source, unit_cost,
                                missing, moves)
        VALUES ($1, $2, $3, $4, 'PRODUCT_COSTING', $5, $6, $7::text::jsonb)
        ON CONFLICT (company_id, store_id, order_id, sku, source) DO UPDATE
            SET unit_cost = excluded.unit_cost, missing = excluded.missing,
                moves = excluded.moves, updated_at = now()
            WHERE line_costs.unit_cost <> excluded.unit_cost
               OR line_costs.missing <> excluded.missing
               OR line_costs.moves IS DISTINCT FROM excluded.moves
        RETURNING true
        """,
        company_id,
        o.store_id,
        o.order_id,
        sku,
        unit_cost,
        any(c.missing for c in costs),
        moves,
    )
    return bool(row)


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


async def recost_pending(pool: asyncpg.Pool, company_id: UUID | None = None) -> int:
    """Cost again the SKUs whose sales moved since their last costing, one
    SKU a transaction: the request is taken in the same transaction that
    re-posts, so a crash leaves it waiting, never lost."""
    done = 0
    rows = await pool.fetch(
        "SELECT company_id, sku FROM recost_pending "
        "WHERE $1::uuid IS NULL OR company_id = $1 ORDER BY requested_at LIMIT 500",
        company_id,
    )
    for r in rows:
        async with pool.acquire() as conn, conn.transaction():
            taken = await conn.fetchval(
                "DELETE FROM recost_pending WHERE company_id = $1 AND sku = $2 RETURNING true",
                r["company_id"],
                r["sku"],
            )
            if not taken:
                continue
            for store_id, order_id in await recost_sku(conn, r["company_id"], r["sku"]):
                await repost_order(conn, r["company_id"], store_id, order_id)
            done += 1
    return done
