"""Largest-remainder splits: the one way the engine divides an amount.

posting rules section 4: partial payments, partial fulfilments, order-level
discounts and shipping are split pro rata so that the parts add up exactly
to the whole. Every pro-rata division in the engine goes through ``split``
(``prorate`` is its two-part special case, written out for speed and tested
to agree with it).
"""

from __future__ import annotations

from collections.abc import Sequence


def split(total: int, weights: Sequence[int]) -> tuple[int, ...]:
    """Split ``total`` in proportion to ``weights``, parts summing to ``total``.

    Each part is the floor of its exact share, then the units left over go
    one each to the largest remainders; ties go to the earlier weight, so the
    result is deterministic. Weights may be signed (the engine splits a
    payment over a vector in which discounts count negative) as long as they
    do not sum to zero; all-zero weights share equally.
    """
    n = len(weights)
    if n == 0:
        raise ValueError("cannot split over no parts")
    w_sum = sum(weights)
    if w_sum == 0:
        if any(weights):
            raise ValueError("weights cancel out")
        weights = (1,) * n
        w_sum = n
    if w_sum < 0:
        weights = [-w for w in weights]
        w_sum = -w_sum
    parts = []
    rems = []
    for w in weights:
        q, r = divmod(total * w, w_sum)
        parts.append(q)
        rems.append(r)
    leftover = total - sum(parts)
    if leftover:
        ranked = sorted(range(n), key=lambda i: (-rems[i], i))
        for i in ranked[:leftover]:
            parts[i] += 1
    return tuple(parts)


def prorate(amount: int, part: int, whole: int) -> int:
    """The first part of ``split(amount, (part, whole - part))``.

    Used cumulatively ("what share of what is left goes now"), so that the
    last portion always takes exactly what remains.
    """
    if part == whole:
        return amount
    if part == 0 or amount == 0:
        return 0
    if whole <= 0:
        raise ValueError("prorate needs a positive whole")
    q1, r1 = divmod(amount * part, whole)
    q2, r2 = divmod(amount * (whole - part), whole)
    if amount - q1 - q2 and r1 >= r2:
        return q1 + 1
    return q1
