"""Cost of goods sold and restocks (posting rule 6.3, 6.5, 9, 14.4)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from fractions import Fraction
from typing import Final

from service.domain.context import PostingContext
from service.domain.costs import COST_PRECEDENCE, CostSource, LineCost
from service.domain.journal import JournalLine
from service.domain.records import seal
from service.posting.out import Out

_RANK = {src: i for i, src in enumerate(COST_PRECEDENCE)}


def best_costs(ctx: PostingContext) -> dict[str, LineCost]:
    """The winning cost candidate of each order line that has one.

    Precedence (section 9): a cost resolved by hand, then the inventory
    system's cost for that line, then the product's own costing. Candidates
    flagged missing never count; a line with no usable candidate is absent
    from the result, posts COGS at 0 and is listed as a missing cost.
    """
    best: dict[str, LineCost] = {}
    for c in ctx.costs:
        if c.missing:
            continue
        cur = best.get(c.line_id)
        if cur is None or _RANK[c.source] < _RANK[cur.source]:
            best[c.line_id] = c
    return best


def unit_costs(ctx: PostingContext) -> dict[str, int]:
    """The unit cost of each order line that has one."""
    return {k: v.unit_cost for k, v in best_costs(ctx).items()}


def share(total: int, part: int, whole: int) -> int:
    """``total * part / whole`` rounded half up; the whole takes exactly
    ``total``, so taking a line's units back in several parts never leaves a
    rounding crumb in inventory."""
    if part == whole:
        return total
    x = Fraction(total * part, whole)
    n = int(abs(x) + Fraction(1, 2))
    return n if x >= 0 else -n


@dataclass(slots=True, unsafe_hash=True)
class StockMove:
    """Units of an order line leaving stock (``units`` > 0) or coming back
    (< 0) on a date, at the value the books move them at (same sign). The
    product costing consumes exactly these, so the valuation of what is on
    hand and INVENTORY on the balance sheet are made of the same movements.
    """

    line_id: Final[str]
    sku: Final[str | None]
    day: Final[dt.date]
    event: Final[str]
    units: Final[int]
    value: Final[int]

    def __init__(
        self, line_id: str, sku: str | None, day: dt.date, event: str, units: int, value: int
    ) -> None:
        self.line_id = line_id
        self.sku = sku
        self.day = day
        self.event = event
        self.units = units
        self.value = value


seal(StockMove)


class CostTracker:
    """What each line's units cost when they went out, so units coming
    back return at the value they left at (cash rule 5)."""

    __slots__ = ("_exact", "_held", "_unit", "moves")

    def __init__(self, ctx: PostingContext | None) -> None:
        best = best_costs(ctx) if ctx is not None else {}
        self._unit = {k: v.unit_cost for k, v in best.items()}
        self._exact = {
            k: dict(v.moves)
            for k, v in best.items()
            if v.moves and v.source is CostSource.PRODUCT_COSTING
        }
        # A line the costing could cost only in part (units shipped before
        # any cost was known) is listed as missing, yet its other shipments
        # still leave stock at their cost.
        for c in ctx.costs if ctx is not None else ():
            if c.missing and c.moves and c.line_id not in best:
                self._exact.setdefault(c.line_id, dict(c.moves))
        self._held: dict[str, list[int]] = {}  # line -> [units, value] out at cost
        self.moves: list[StockMove] = []

    def issue(self, line_id: str, sku: str | None, units: int, day: dt.date, event: str) -> int:
        """The cost of ``units`` shipped: the costing's exact figure for this
        shipment when it has one, else units times the line's unit cost."""
        exact = self._exact.get(line_id)
        value = exact.get(event) if exact is not None else None
        if value is None:
            value = units * self._unit.get(line_id, 0)
        held = self._held.setdefault(line_id, [0, 0])
        held[0] += units
        held[1] += value
        self.moves.append(StockMove(line_id, sku, day, event, units, value))
        return value

    def back(self, line_id: str, sku: str | None, units: int, day: dt.date, event: str) -> int:
        """The value of ``units`` restocked: their share of what the line's
        units still out cost."""
        held = self._held.get(line_id)
        if not held or held[0] <= 0:
            value = units * self._unit.get(line_id, 0)
        else:
            take = min(units, held[0])
            value = share(held[1], take, held[0])
            held[0] -= take
            held[1] -= value
        self.moves.append(StockMove(line_id, sku, day, event, -units, -value))
        return value


def cost_lines(
    out: Out,
    lines: list[JournalLine],
    sku: str | None,
    amount: int,
    expense: str,
    restock: bool,
) -> None:
    """Dr expense / Cr INVENTORY on shipment; the reverse on a restock."""
    if not amount:
        return
    sign = -1 if restock else 1
    out.line(lines, expense, sign * amount, sku)
    out.line(lines, "INVENTORY", -sign * amount, sku)
