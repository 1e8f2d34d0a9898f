"""Matching lines to payouts and spreading a deposit over orders, as properties."""

from __future__ import annotations

import datetime as dt
from uuid import UUID

from hypothesis import given
from hypothesis import strategies as st

from service.ledger.bank_match import EARLY_DAYS, WINDOW_DAYS, allocate, plan_matches
from service.ledger.payouts import PayoutRow

DAY0 = dt.date(2025, 1, 1)


def _payout(i: int, day: int, amount: int) -> PayoutRow:
    return PayoutRow(
        "shopify_payments", f"p{i}", None, DAY0 + dt.timedelta(days=day), amount, "USD", "paid"
    )


@given(
    st.lists(st.tuples(st.integers(0, 60), st.sampled_from([100, 250, 999])), max_size=30),
    st.lists(st.tuples(st.integers(0, 60), st.sampled_from([100, 250, 999])), max_size=30),
)
def test_each_payout_matched_once_within_its_window(
    payouts: list[tuple[int, int]], lines: list[tuple[int, int]]
) -> None:
    rows = [_payout(i, d, a) for i, (d, a) in enumerate(payouts)]
    keyed = [(UUID(int=i), DAY0 + dt.timedelta(days=d), a, "USD") for i, (d, a) in enumerate(lines)]
    matches = plan_matches(keyed, rows, set())
    assert len({m.payout.payout_id for m in matches}) == len(matches)
    assert len({m.line_id for m in matches}) == len(matches)
    by_id = {k[0]: k for k in keyed}
    for m in matches:
        _, day, amount, _ = by_id[m.line_id]
        assert amount == m.payout.amount
        assert -EARLY_DAYS <= (day - m.payout.payout_date).days <= WINDOW_DAYS
    # Nothing left over could still be paired: a free line and a free payout
    # of one amount are never both within each other's window.
    free_lines = [k for k in keyed if k[0] not in {m.line_id for m in matches}]
    free_payouts = [p for p in rows if p.payout_id not in {m.payout.payout_id for m in matches}]
    for _, day, amount, _ in free_lines:
        for p in free_payouts:
            if p.amount == amount:
                assert not -EARLY_DAYS <= (day - p.payout_date).days <= WINDOW_DAYS


def test_payouts_already_matched_are_left_alone() -> None:
    rows = [_payout(1, 0, 100)]
    keyed = [(UUID(int=1), DAY0, 100, "USD")]
    assert plan_matches(keyed, rows, {("shopify_payments", "p1")}) == []
    assert plan_matches([(UUID(int=1), DAY0, 100, "EUR")], rows, set()) == []


@given(st.integers(1, 10**9), st.lists(st.integers(1, 10**7), min_size=1, max_size=20))
def test_a_deposit_is_spread_exactly(deposit: int, balances: list[int]) -> None:
    parts = allocate(deposit, balances)
    assert sum(parts) == deposit
    total = sum(balances)
    for part, balance in zip(parts, balances, strict=True):
        assert abs(part * total - deposit * balance) < total
