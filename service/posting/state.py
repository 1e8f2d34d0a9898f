"""The running state of one order while its events are applied in order.

Internal to the engine (mutable for speed); nothing here leaves ``post``.
Units of a line sit in one of three places: not yet shipped, shipped (the
effective fulfillment, which is also what accrual has recognised), or
removed by a refund. ``cogs_units`` are shipped units whose COGS is posted
and not restocked yet (restocks reverse at most those, cash rule 5).
"""

from __future__ import annotations

from service.posting import components as C
from service.posting.prepare import Prepared


class LineState:
    __slots__ = ("cogs_units", "cur_units", "cur_vec", "rem_vec", "shipped", "unshipped")

    def __init__(self, quantity: int, vector: C.Vec, gift_card: bool) -> None:
        self.cur_units = quantity  # units not removed by a refund
        self.cur_vec = vector  # their components
        self.cogs_units = 0
        if gift_card:
            # Gift cards are issued when sold: deemed shipped and recognised
            # at placement, with no COGS (POSTING.md section 5).
            self.shipped = quantity
            self.unshipped = 0
            self.rem_vec = C.ZERO
        else:
            self.shipped = 0
            self.unshipped = quantity
            self.rem_vec = vector  # accrual: components not recognised yet


class OrderState:
    __slots__ = ("excess", "g_rem", "lines", "open", "order_cur", "q", "ship_cur", "u")

    def __init__(self, p: Prepared) -> None:
        self.lines = [LineState(pl.quantity, pl.vector, pl.gift_card) for pl in p.lines]
        # Accrual: order-level items (shipping, its discount and tax, tips)
        # not recognised yet, and the unshipped weight they follow.
        self.q = p.order_level
        self.g_rem = p.g_total
        self.ship_cur = p.order_level[C.SHIP]
        # Order-level items not given back by a refund (shipping refunds
        # take theirs out): what a cancellation still has to reverse.
        self.order_cur: C.Vec = p.order_level
        # The order's open balance as the books see it (AR under accrual,
        # the Unpaid tab under both bases).
        self.open = p.total
        # Cash: components not recognised yet (value == max(open, 0)), and
        # payments beyond the order total recognised as gross sales.
        self.u: C.Vec = p.total_vec
        self.excess = 0
