"""The largest-remainder split every pro-rata division goes through."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from service.posting.components import SIGNS, take_value, value
from service.posting.split import prorate, split


def test_examples() -> None:
    assert split(100, (1, 1, 1)) == (34, 33, 33)
    assert split(1000, (2500, 500, 200)) == (781, 156, 63)
    assert split(10, (0, 0)) == (5, 5)
    assert split(-100, (1, 1, 1)) == (-33, -33, -34)
    assert split(0, (3, 4)) == (0, 0)
    assert split(7, (5,)) == (7,)


def test_ties_go_to_the_first_weight() -> None:
    assert split(1, (1, 1)) == (1, 0)
    assert split(2, (1, 1, 1)) == (1, 1, 0)


def test_bad_weights() -> None:
    with pytest.raises(ValueError):
        split(10, ())
    with pytest.raises(ValueError):
        split(10, (1, -1))


@settings(max_examples=300, deadline=None)
@given(st.integers(-(10**9), 10**9), st.lists(st.integers(0, 10**6), min_size=1, max_size=8))
def test_parts_sum_exactly_and_stay_within_one_unit(total: int, weights: list[int]) -> None:
    parts = split(total, weights)
    assert sum(parts) == total
    w_sum = sum(weights) or len(weights)
    ws = weights if sum(weights) else [1] * len(weights)
    for p, w in zip(parts, ws, strict=True):
        exact = Fraction(total * w, w_sum)
        assert abs(p - exact) < 1


@settings(max_examples=300, deadline=None)
@given(st.integers(-(10**7), 10**7), st.integers(1, 10**4), st.data())
def test_prorate_is_the_two_part_split(amount: int, whole: int, data: st.DataObject) -> None:
    part = data.draw(st.integers(0, whole))
    expected = split(amount, (part, whole - part))[0] if whole else 0
    assert prorate(amount, part, whole) == expected


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.integers(0, 10**6), min_size=7, max_size=7),
    st.data(),
)
def test_take_value_takes_exactly_the_amount(vec: list[int], data: st.DataObject) -> None:
    v = tuple(vec)
    if value(v) <= 0:
        return
    amount = data.draw(st.integers(0, value(v)))
    part = take_value(v, amount)
    assert value(part) == amount
    for x, total, sign in zip(part, v, SIGNS, strict=True):
        assert abs(x - Fraction(total * amount, value(v))) < 1, (x, total, sign)
