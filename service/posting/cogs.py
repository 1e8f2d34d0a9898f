"""Cost of goods sold and restocks (posting rule 6.3, 6.5, 9)."""

from __future__ import annotations

from service.domain.context import PostingContext
from service.domain.costs import COST_PRECEDENCE, LineCost
from service.domain.journal import JournalLine
from service.posting.out import Out

_RANK = {src: i for i, src in enumerate(COST_PRECEDENCE)}


def unit_costs(ctx: PostingContext) -> dict[str, int]:
    """The unit cost of each order line that has one.

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
    return {k: v.unit_cost for k, v in best.items()}


def cost_lines(
    out: Out,
    lines: list[JournalLine],
    sku: str | None,
    units: int,
    unit_cost: int,
    expense: str,
    restock: bool,
) -> None:
    """Dr expense / Cr INVENTORY on shipment; the reverse on a restock."""
    amount = units * unit_cost
    if not amount:
        return
    sign = -1 if restock else 1
    out.line(lines, expense, sign * amount, sku)
    out.line(lines, "INVENTORY", -sign * amount, sku)
