"""Posting rule 14.4 as a property: on every date, INVENTORY in the books
equals the value of the units on hand, as the product costing values them.

Purchases (some with freight), sales shipped in parts, refunds restocking
any units, restocks reported by hand and inventory adjustments are drawn
in any mix, under both costing methods, both bases and both fulfillment
tracking modes, with order actions (void, excluded, giveaway...). The
books are built the way the ledger builds them: the engine's stock
movements go to the costing, and the costing's values come back to the
engine.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from service.domain.context import PostingContext
from service.domain.journal import JournalEntry
from service.domain.settings import Settings
from service.posting.costing import CostingMethod, CostingResult, Receipt, Sale, compute_costs
from service.posting.engine import run_order
from service.posting.stock import line_costs_from, move_sales
from tests.unit.posting.strategies import ALL_SETTINGS, BASE, Drawn, histories

EXAMPLES = settings(
    max_examples=int(os.environ.get("POSTING_EXAMPLES", "120")) // 2 or 1, deadline=None
)
DAY0 = BASE.date()
SKUS = ("SKU0", "SKU1", "SKU2", "SKU3")


@st.composite
def receipts(draw: st.DrawFn) -> list[Receipt]:
    out = []
    for i in range(draw(st.integers(0, 6))):
        day = DAY0 + dt.timedelta(days=draw(st.integers(-3, 16)))
        units = draw(st.integers(1, 12))
        cost = draw(st.integers(0, 4000))
        landed = draw(st.integers(0, 999)) if draw(st.booleans()) else 0
        value = units * cost + landed
        # A purchase with freight, or a restock reported by hand.
        out.append(Receipt(f"r{i}", day, draw(st.sampled_from(SKUS)), units, cost, value))
    return out


@st.composite
def adjustments(draw: st.DrawFn) -> list[Sale]:
    return [
        Sale(
            f"adj|{i}",
            DAY0 + dt.timedelta(days=draw(st.integers(-2, 16))),
            draw(st.sampled_from(SKUS)),
            draw(st.integers(1, 4)),
        )
        for i in range(draw(st.integers(0, 3)))
    ]


def _book(
    method: CostingMethod,
    drawn: list[Drawn],
    setting: Settings,
    recs: list[Receipt],
    adjs: list[Sale],
) -> tuple[list[JournalEntry], CostingResult]:
    """The books as the ledger keeps them, with no cost but the costing's."""
    bare = [(f"o{i}", d.history, replace(d.ctx(setting), costs=())) for i, d in enumerate(drawn)]
    moves = {key: run_order(h, ctx).moves for key, h, ctx in bare}
    sales = [s for key, ms in moves.items() for s in move_sales(key, ms)] + adjs
    result = compute_costs(method, recs, sales)
    entries: list[JournalEntry] = []
    for key, h, ctx in bare:
        costed = replace(ctx, costs=line_costs_from(key, moves[key], result))
        run = run_order(h, costed)
        entries += run.entries
        assert [m.units for m in run.moves] == [m.units for m in moves[key]]
    return entries, result


def _inventory(
    entries: list[JournalEntry],
    recs: list[Receipt],
    adjs: list[Sale],
    result: CostingResult,
    day: dt.date,
) -> int:
    """INVENTORY through ``day``: purchases in, adjustments and backlog
    true-ups out, and the orders' own lines."""
    total = sum(r.total for r in recs if r.day <= day)
    total -= sum(result.sales[a.sale_id].total_cost for a in adjs if a.day <= day)
    total -= sum(a.amount for a in result.adjustments if a.day <= day)
    for e in entries:
        if e.date <= day:
            total += sum(ln.amount for ln in e.lines if ln.account == "INVENTORY")
    return total


def _valuation(method: CostingMethod, recs: list[Receipt], sales: list[Sale], day: dt.date) -> int:
    """The value of the units on hand at the end of ``day``, by the costing
    over what moved until then."""
    result = compute_costs(
        method, [r for r in recs if r.day <= day], [s for s in sales if s.day <= day]
    )
    return sum(p.value for p in result.positions.values())


@EXAMPLES
@given(
    st.lists(histories(), min_size=1, max_size=4),
    receipts(),
    adjustments(),
    st.sampled_from(list(CostingMethod)),
    st.sampled_from(ALL_SETTINGS),
)
def test_inventory_equals_value_on_hand_on_every_date(
    drawn: list[Drawn],
    recs: list[Receipt],
    adjs: list[Sale],
    method: CostingMethod,
    setting: Settings,
) -> None:
    drawn = [replace(d, history=_renamed(d, i)) for i, d in enumerate(drawn)]
    entries, result = _book(method, drawn, setting, recs, adjs)
    bare = [(f"o{i}", d.history, replace(d.ctx(setting), costs=())) for i, d in enumerate(drawn)]
    sales = [s for key, h, ctx in bare for s in move_sales(key, run_order(h, ctx).moves)] + adjs
    days = sorted({e.date for e in entries} | {r.day for r in recs} | {a.day for a in adjs})
    for day in days:
        books = _inventory(entries, recs, adjs, result, day)
        assert books == _valuation(method, recs, sales, day), day


def _renamed(d: Drawn, i: int):  # type: ignore[no-untyped-def]
    """Each drawn order its own id, so several can share one company."""
    order = replace(d.history.order, id=f"o{i}")
    return replace(d.history, order=order)


def test_a_restock_comes_back_at_the_cost_it_left_at() -> None:
    """FIFO: two units leave at 100 and 300; one comes back at 200, the
    average of what that line still has out, and the books agree."""
    recs = [Receipt("a", DAY0, "SKU0", 1, 100), Receipt("b", DAY0, "SKU0", 1, 300)]
    sales = [
        Sale("o#00000", DAY0, "SKU0", 2, "o|l0"),
        Sale("o#00001", DAY0 + dt.timedelta(days=1), "SKU0", 1, "o|l0", returned=True),
    ]
    result = compute_costs(CostingMethod.FIFO, recs, sales)
    assert result.sales["o#00000"].total_cost == 400
    assert result.returns["o#00001"] == 200
    assert result.positions["SKU0"].value == 200
    assert isinstance(PostingContext(), PostingContext)
