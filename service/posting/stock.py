"""Order stock movements as the product costing sees them (rule 14.4).

The posting engine moves an order line's units out of stock when they
ship and back when a refund restocks them; ``StockMove`` records each
movement. The costing values exactly these movements, and the engine then
posts exactly the values the costing gave: so on every date INVENTORY on
the balance sheet equals the value of the units on hand, whichever
costing method the company uses.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

from service.domain.context import PostingContext
from service.domain.costs import CostSource, LineCost
from service.domain.journal import JournalEntry, JournalLine
from service.domain.money import format_money
from service.posting.cogs import StockMove, best_costs
from service.posting.costing import CostAdjustment, CostingResult, Sale, round_half_up

TRUE_UP_RULE = "cogs.true_up"
ADJUSTMENT_RULE = "inventory.adjustment"
REASONS = ("SHRINKAGE", "DAMAGE", "WRITE_OFF")


@dataclass(frozen=True, slots=True)
class Adjustment:
    id: str
    sku: str
    day: dt.date
    units: int
    reason: str
    note: str = ""
    cost: int | None = None


def move_id(order_key: str, seq: int) -> str:
    """The costing id of an order's ``seq``-th movement: ids of one order
    sort in the engine's own order, so a line's units come back only after
    they went out."""
    return f"{order_key}#{seq:05d}"


def move_sales(order_key: str, moves: Sequence[StockMove]) -> list[Sale]:
    """The costing's issues (and returns) for one order's movements."""
    return [
        Sale(
            move_id(order_key, i),
            m.day,
            m.sku,
            abs(m.units),
            f"{order_key}|{m.line_id}",
            m.units < 0,
        )
        for i, m in enumerate(moves)
        if m.sku and m.units
    ]


def line_costs_from(
    order_key: str, moves: Sequence[StockMove], result: CostingResult
) -> tuple[LineCost, ...]:
    """Product-costing candidates for the order's lines: the exact cost of
    each shipment, and a unit cost for everything that reads one (the
    missing-cost list, the order page)."""
    per_line: dict[str, list[tuple[str, int]]] = {}
    units: dict[str, int] = {}
    missing: set[str] = set()
    for i, m in enumerate(moves):
        if not m.sku or m.units <= 0:
            continue
        cost = result.sales.get(move_id(order_key, i))
        if cost is None:
            continue
        per_line.setdefault(m.line_id, []).append((m.event, cost.total_cost))
        units[m.line_id] = units.get(m.line_id, 0) + m.units
        if cost.missing:
            missing.add(m.line_id)
    out = []
    for line_id, parts in sorted(per_line.items()):
        total = sum(v for _, v in parts)
        unit = round_half_up(Fraction(total, units[line_id])) if units[line_id] else 0
        out.append(
            LineCost(line_id, unit, CostSource.PRODUCT_COSTING, line_id in missing, tuple(parts))
        )
    return tuple(out)


def stale_skus(
    moves: Sequence[StockMove], costs: Sequence[LineCost], line_skus: Mapping[str, str]
) -> set[str]:
    """SKUs whose shipments in this posting are not the ones their product
    costing was computed for (a new order, a new fulfillment, an order
    voided or un-voided, a tracking switch): they need costing again.
    Lines costed by a person or an inventory system are left out.
    ``line_skus`` maps the order's line ids to their SKUs."""
    best = best_costs(PostingContext(costs=tuple(costs)))
    costed: dict[str, set[str]] = {}
    for c in costs:
        if c.source is CostSource.PRODUCT_COSTING and c.moves:
            costed[c.line_id] = {e for e, _ in c.moves}
    shipped: dict[str, set[str]] = {}
    for m in moves:
        if m.sku and m.units > 0:
            shipped.setdefault(m.line_id, set()).add(m.event)
    stale = set()
    for line_id, sku in line_skus.items():
        cost = best.get(line_id)
        if cost is not None and cost.source is not CostSource.PRODUCT_COSTING:
            continue
        if costed.get(line_id, set()) != shipped.get(line_id, set()):
            stale.add(sku)
    return stale


def true_up_entries(
    sku: str, true_ups: Sequence[CostAdjustment], store_id: str, currency: str
) -> tuple[JournalEntry, ...]:
    """Units sold before they were received were charged at the last known
    cost; the receipt that fills them posts the difference to COGS on its
    date, so inventory holds exactly what the units on hand cost."""
    out = []
    for i, a in enumerate(sorted(true_ups, key=lambda a: (a.day, a.receipt_id))):
        if not a.amount:
            continue
        lines = (
            JournalLine("COGS", a.amount, store_id, "", None, sku),
            JournalLine("INVENTORY", -a.amount, store_id, "", None, sku),
        )
        memo = (
            f"{a.units} x {sku} sold before receipt {a.receipt_id} arrived: "
            f"{format_money(a.amount, currency)} to their real cost"
        )
        out.append(
            JournalEntry(f"true-up/{sku}/{i}", a.day, None, a.receipt_id, TRUE_UP_RULE, memo, lines)
        )
    return tuple(out)


def adjustment_entries(a: Adjustment, store_id: str, currency: str) -> tuple[JournalEntry, ...]:
    if not a.cost:
        return ()
    lines = (
        JournalLine("INVENTORY_ADJUSTMENTS", a.cost, store_id, "", None, a.sku),
        JournalLine("INVENTORY", -a.cost, store_id, "", None, a.sku),
    )
    memo = (
        f"{a.units} x {a.sku} {a.reason.lower().replace('_', '-')}"
        f"{f' ({a.note})' if a.note else ''}: {format_money(a.cost, currency)} at cost"
    )
    return (JournalEntry(f"adjustment/{a.id}", a.day, None, a.id, ADJUSTMENT_RULE, memo, lines),)
