"""Revenue components (posting rules section 5) as small integer vectors.

A vector is a tuple of seven minor-unit amounts, in the order of the
constants below. Its *value* is what the customer pays for it: discounts
count negative, everything else positive. Sales lines of the journal carry
no SKU (section 2 puts SKUs on COGS and inventory lines only), so the
engine only needs account-level vectors.
"""

from __future__ import annotations

from typing import Final

from service.posting.split import prorate, split

# Final, so that the compiled engine reads them as constants rather than
# looking them up in this module on every use.
GROSS: Final = 0
DISC: Final = 1
SHIP: Final = 2
TIP: Final = 3
TAX: Final = 4
CTAX: Final = 5
GIFT: Final = 6
SIZE: Final = 7
SIGNS: Final[tuple[int, ...]] = (1, -1, 1, 1, 1, 1, 1)
ZERO: Final[tuple[int, ...]] = (0, 0, 0, 0, 0, 0, 0)

Vec = tuple[int, ...]


def value(v: Vec) -> int:
    return v[0] - v[1] + v[2] + v[3] + v[4] + v[5] + v[6]


# add and sub are written out: they run several times per order and a
# generator over zip() costs several times more than the seven additions.
def add(a: Vec, b: Vec) -> Vec:
    return (
        a[0] + b[0],
        a[1] + b[1],
        a[2] + b[2],
        a[3] + b[3],
        a[4] + b[4],
        a[5] + b[5],
        a[6] + b[6],
    )


def sub(a: Vec, b: Vec) -> Vec:
    return (
        a[0] - b[0],
        a[1] - b[1],
        a[2] - b[2],
        a[3] - b[3],
        a[4] - b[4],
        a[5] - b[5],
        a[6] - b[6],
    )


def is_zero(v: Vec) -> bool:
    # A generator, not any(v): the compiled engine runs it as a plain loop.
    return all(x == 0 for x in v)


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
