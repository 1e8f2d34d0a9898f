"""Revenue components (posting rules section 5) as small integer vectors.

A vector is a tuple of seven minor-unit amounts, in the order of the
constants below. Its *value* is what the customer pays for it: discounts
count negative, everything else positive. Sales lines of the journal carry
no SKU (section 2 puts SKUs on COGS and inventory lines only), so the
engine only needs account-level vectors.
"""

from __future__ import annotations

from collections.abc import Sequence

from service.posting.split import prorate, split

GROSS, DISC, SHIP, TIP, TAX, CTAX, GIFT = range(7)
SIZE = 7
SIGNS: tuple[int, ...] = (1, -1, 1, 1, 1, 1, 1)
ZERO: tuple[int, ...] = (0,) * SIZE

Vec = tuple[int, ...]


def value(v: Sequence[int]) -> int:
    return v[0] - v[1] + v[2] + v[3] + v[4] + v[5] + v[6]


# add and sub are written out: they run several times per order and a
# generator over zip() costs several times more than the seven additions.
def add(a: Sequence[int], b: Sequence[int]) -> Vec:
    return (
        a[0] + b[0],
        a[1] + b[1],
        a[2] + b[2],
        a[3] + b[3],
        a[4] + b[4],
        a[5] + b[5],
        a[6] + b[6],
    )


def sub(a: Sequence[int], b: Sequence[int]) -> Vec:
    return (
        a[0] - b[0],
        a[1] - b[1],
        a[2] - b[2],
        a[3] - b[3],
        a[4] - b[4],
        a[5] - b[5],
        a[6] - b[6],
    )


def is_zero(v: Sequence[int]) -> bool:
    return not any(v)


def scale(v: Vec, part: int, whole: int) -> Vec:
    """Each component's share part/whole (cumulative use is exact)."""
    if part == whole:
        return v
    if part == 0:
        return ZERO
    return tuple(prorate(x, part, whole) for x in v)


def take_value(v: Vec, amount: int) -> Vec:
    """A sub-vector of ``v`` whose value is exactly ``amount``.

    Used when money covers part of what is owed (a partial payment, or the
    unpaid part of a removed line): the amount is split over the components
    in proportion to their signed values with a largest-remainder split.
    """
    total = value(v)
    if amount == total:
        return v
    if amount == 0:
        return ZERO
    signed = [x * s for x, s in zip(v, SIGNS, strict=True)]
    parts = split(amount, signed)
    return tuple(p * s for p, s in zip(parts, SIGNS, strict=True))
