"""The identities that make product costing safe to post."""

from __future__ import annotations

import datetime as dt
import random

from hypothesis import given, settings
from hypothesis import strategies as st

from service.posting.costing import CostingMethod, CostingResult, Receipt, Sale, compute_costs

EXAMPLES = settings(max_examples=150, deadline=None)
SKUS = ("A", "B")
days = st.dates(min_value=dt.date(2025, 1, 1), max_value=dt.date(2025, 1, 10))


@st.composite
def histories(draw: st.DrawFn) -> tuple[list[Receipt], list[Sale]]:
    receipts = [
        Receipt(
            f"r{i}",
            draw(days),
            draw(st.sampled_from(SKUS)),
            draw(st.integers(1, 20)),
            draw(st.integers(0, 10_000)),
        )
        for i in range(draw(st.integers(0, 8)))
    ]
    sales = [
        Sale(f"s{i}", draw(days), draw(st.sampled_from(SKUS)), draw(st.integers(1, 15)))
        for i in range(draw(st.integers(0, 10)))
    ]
    return receipts, sales


def _balance(res: CostingResult, receipts: list[Receipt]) -> tuple[int, int]:
    received = sum(r.units * r.unit_cost for r in receipts)
    accounted = (
        sum(p.value for p in res.positions.values())
        + sum(s.total_cost for s in res.sales.values())
        + sum(a.amount for a in res.adjustments)
    )
    return received, accounted


@EXAMPLES
@given(histories(), st.sampled_from(list(CostingMethod)))
def test_receipts_value_is_inventory_plus_cogs(
    h: tuple[list[Receipt], list[Sale]], method: CostingMethod
) -> None:
    receipts, sales = h
    res = compute_costs(method, receipts, sales)
    received, accounted = _balance(res, receipts)
    assert received == accounted
    for s in res.sales.values():
        if not s.missing:
            assert s.unit_cost is not None and s.unit_cost * s.units == s.total_cost


@EXAMPLES
@given(histories(), st.sampled_from(list(CostingMethod)))
def test_without_overselling_there_are_no_adjustments(
    h: tuple[list[Receipt], list[Sale]], method: CostingMethod
) -> None:
    receipts, _ = h
    # Sell at most what each SKU ever received, after its last receipt.
    sales = []
    for sku in SKUS:
        mine = [r for r in receipts if r.sku == sku]
        if mine:
            last = max(r.day for r in mine)
            sales.append(Sale(f"all-{sku}", last, sku, sum(r.units for r in mine)))
    res = compute_costs(method, receipts, sales)
    assert res.adjustments == ()
    received, accounted = _balance(res, receipts)
    assert received == sum(s.total_cost for s in res.sales.values()) == accounted
    assert all(p.units == 0 and p.value == 0 for p in res.positions.values())


@EXAMPLES
@given(histories(), st.sampled_from(list(CostingMethod)), st.randoms(use_true_random=False))
def test_input_order_does_not_matter(
    h: tuple[list[Receipt], list[Sale]], method: CostingMethod, rnd: random.Random
) -> None:
    receipts, sales = h
    first = compute_costs(method, receipts, sales)
    rs, ss = list(receipts), list(sales)
    rnd.shuffle(rs)
    rnd.shuffle(ss)
    assert compute_costs(method, rs, ss) == first


@EXAMPLES
@given(st.lists(st.tuples(st.integers(1, 20), st.integers(0, 10_000)), min_size=1, max_size=6))
def test_fifo_and_average_agree_when_everything_is_sold(lots: list[tuple[int, int]]) -> None:
    receipts = [Receipt(f"r{i}", dt.date(2025, 1, 1), "A", u, c) for i, (u, c) in enumerate(lots)]
    sale = [Sale("s", dt.date(2025, 1, 2), "A", sum(u for u, _ in lots))]
    a = compute_costs(CostingMethod.MOVING_AVERAGE, receipts, sale).sales["s"]
    f = compute_costs(CostingMethod.FIFO, receipts, sale).sales["s"]
    assert a.total_cost == f.total_cost == sum(u * c for u, c in lots)
