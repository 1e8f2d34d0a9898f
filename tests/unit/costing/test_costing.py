"""Examples of both costing methods, worked by hand."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

import pytest

from service.domain.costs import CostSource
from service.posting.costing import (
    CostingMethod,
    Receipt,
    Sale,
    compute_costs,
    round_half_up,
)

AVG = CostingMethod.MOVING_AVERAGE
FIFO = CostingMethod.FIFO
D1, D2, D3, D4 = (dt.date(2025, 1, d) for d in (1, 2, 3, 4))


def test_average_follows_finale_example() -> None:
    # Finale's own example: 10 at $5, 10 at $7 -> $6; sell 5 -> COGS $30, $90 left.
    res = compute_costs(
        AVG,
        [Receipt("r1", D1, "A", 10, 500), Receipt("r2", D2, "A", 10, 700)],
        [Sale("s1", D3, "A", 5)],
    )
    s1 = res.sales["s1"]
    assert (s1.total_cost, s1.unit_cost, s1.missing) == (3000, Fraction(600), False)
    pos = res.positions["A"]
    assert (pos.units, pos.value, pos.average_cost) == (15, 9000, Fraction(600))


def test_same_day_receipt_counts_before_sale() -> None:
    res = compute_costs(
        AVG,
        [Receipt("r1", D1, "A", 1, 100), Receipt("r2", D2, "A", 1, 300)],
        [Sale("s1", D2, "A", 1)],
    )
    assert res.sales["s1"].total_cost == 200


def test_average_rounding_never_leaves_a_crumb() -> None:
    # 3 units for 100: average 33.33...; two sales of one round, the last takes the rest.
    res = compute_costs(
        AVG,
        [Receipt("r1", D1, "A", 1, 33), Receipt("r2", D1, "A", 2, 34)],
        [Sale("s1", D2, "A", 1), Sale("s2", D2, "A", 1), Sale("s3", D3, "A", 1)],
    )
    costs = [res.sales[k].total_cost for k in ("s1", "s2", "s3")]
    assert costs == [34, 34, 33]
    assert sum(costs) == 101
    assert res.positions["A"].value == 0
    assert res.sales["s1"].unit_cost_minor == 34


def test_average_is_not_moved_by_sales() -> None:
    res = compute_costs(
        AVG,
        [Receipt("r1", D1, "A", 3, 100), Receipt("r2", D1, "A", 3, 101)],
        [Sale("s1", D2, "A", 1), Sale("s2", D3, "A", 1)],
    )
    assert res.sales["s1"].rate == res.sales["s2"].rate == Fraction(201, 2)
    assert res.sales["s1"].total_cost == res.sales["s2"].total_cost == 101  # half up
    assert res.positions["A"].average_cost == Fraction(201, 2)


def test_fifo_consumes_oldest_layers_first() -> None:
    res = compute_costs(
        FIFO,
        [Receipt("r1", D1, "A", 2, 100), Receipt("r2", D2, "A", 2, 200)],
        [Sale("s1", D3, "A", 3)],
    )
    s1 = res.sales["s1"]
    assert s1.total_cost == 400
    assert s1.unit_cost == Fraction(400, 3)
    assert s1.unit_cost_minor == 133
    pos = res.positions["A"]
    assert (pos.units, pos.value, pos.average_cost) == (1, 200, Fraction(200))


def test_fifo_ties_on_a_day_are_broken_by_id() -> None:
    receipts = [Receipt("b", D1, "A", 1, 200), Receipt("a", D1, "A", 1, 100)]
    res = compute_costs(FIFO, receipts, [Sale("s", D1, "A", 1)])
    assert res.sales["s"].total_cost == 100


@pytest.mark.parametrize("method", [AVG, FIFO])
def test_shortfall_costed_at_last_known_cost_then_trued_up(method: CostingMethod) -> None:
    res = compute_costs(
        method,
        [Receipt("r1", D1, "A", 1, 100), Receipt("r2", D3, "A", 5, 130)],
        [Sale("s1", D2, "A", 3)],
    )
    s1 = res.sales["s1"]
    assert (s1.total_cost, s1.shortfall_units, s1.missing) == (300, 2, False)
    # Two backlog units really cost 130 each: 60 more to COGS on the receipt.
    (adj,) = res.adjustments
    assert (adj.day, adj.receipt_id, adj.units, adj.amount) == (D3, "r2", 2, 60)
    pos = res.positions["A"]
    assert (pos.units, pos.value) == (3, 390)


@pytest.mark.parametrize("method", [AVG, FIFO])
def test_no_cost_ever_known_is_missing(method: CostingMethod) -> None:
    res = compute_costs(method, [Receipt("r1", D2, "A", 4, 50)], [Sale("s1", D1, "A", 2)])
    s1 = res.sales["s1"]
    assert s1.missing and s1.total_cost == 0 and s1.unit_cost is None
    lc = s1.line_cost("line-1")
    assert (lc.line_id, lc.unit_cost, lc.source, lc.missing) == (
        "line-1",
        0,
        CostSource.PRODUCT_COSTING,
        True,
    )
    assert [a.amount for a in res.adjustments] == [100]
    assert res.positions["A"].units == 2 and res.positions["A"].value == 100


@pytest.mark.parametrize("method", [AVG, FIFO])
def test_backlog_waiting_for_stock_is_negative(method: CostingMethod) -> None:
    res = compute_costs(method, [Receipt("r1", D1, "A", 1, 100)], [Sale("s1", D2, "A", 4)])
    pos = res.positions["A"]
    assert (pos.units, pos.value, pos.average_cost) == (-3, -300, Fraction(100))


def test_skus_are_independent() -> None:
    res = compute_costs(
        FIFO,
        [Receipt("r1", D1, "A", 1, 100), Receipt("r2", D1, "B", 1, 900)],
        [Sale("s1", D2, "B", 1)],
    )
    assert res.sales["s1"].total_cost == 900
    assert res.positions["A"].value == 100


@pytest.mark.parametrize(
    ("receipts", "sales", "message"),
    [
        ([Receipt("r", D1, "A", 0, 1)], [], "units must be positive"),
        ([Receipt("r", D1, "A", 1, -1)], [], "negative unit cost"),
        ([Receipt("r", D1, "A", 1, 1)] * 2, [], "appears twice"),
        ([], [Sale("s", D1, "A", -1)], "units must be positive"),
        ([], [Sale("s", D1, "A", 1)] * 2, "appears twice"),
    ],
)
def test_bad_input_is_refused(receipts: list[Receipt], sales: list[Sale], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        compute_costs(FIFO, receipts, sales)


def test_round_half_up() -> None:
    assert [round_half_up(Fraction(n, 2)) for n in (-3, -1, 1, 3, 4)] == [-2, -1, 1, 2, 2]
