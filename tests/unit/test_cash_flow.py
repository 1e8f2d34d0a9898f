"""The cash-flow statement adds up: whatever balanced entries a period
holds, net income plus the cash effect of every balance sheet change is
exactly the change in the bank (double entry guarantees it; the test holds
the classification to it)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from service.domain.accounts import CHART_OF_ACCOUNTS
from service.ledger.statements import cash_flow

KEYS = [a.key for a in CHART_OF_ACCOUNTS] + ["LOAN_FROM_OWNER"]


@st.composite
def balanced_sums(draw: st.DrawFn) -> dict[str, int]:
    """Net debits per account of some balanced entries."""
    sums: dict[str, int] = {}
    for _ in range(draw(st.integers(0, 12))):
        debit, credit = draw(st.lists(st.sampled_from(KEYS), min_size=2, max_size=2, unique=True))
        amount = draw(st.integers(1, 10**9))
        sums[debit] = sums.get(debit, 0) + amount
        sums[credit] = sums.get(credit, 0) - amount
    return sums


@given(balanced_sums(), balanced_sums())
def test_sections_add_up_to_the_change_in_the_bank(
    before: dict[str, int], period: dict[str, int]
) -> None:
    cf = cash_flow(before, period)
    assert cf.cash_at_end - cf.cash_at_start == period.get("BANK", 0)
    assert cf.net_change == cf.cash_at_end - cf.cash_at_start


def test_a_sale_on_credit_is_income_but_no_cash() -> None:
    cf = cash_flow({}, {"AR": 10000, "GROSS_SALES": -10000})
    assert cf.net_income == 10000
    assert cf.operating == (("AR", -10000),)
    assert cf.net_change == 0
