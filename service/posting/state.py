"""The running state of one order while its events are applied in order.

Internal to the engine (mutable for speed); nothing here leaves ``post``.
Units of a line sit in one of three places: not yet shipped, shipped (the
effective fulfillment, which is also what accrual has recognised), or
removed by a refund. ``costed_units`` are shipped units whose COGS is
posted and not restocked yet (restocks reverse at most those, cash rule 5).
"""

from __future__ import annotations

from service.posting import components as C
from service.posting.prepare import Prepared


class LineState:
    __slots__ = (
        "costed_units",
        "kept_units",
        "kept_vec",
        "shipped",
        "unrecognised_vec",
        "unshipped",
    )

    def __init__(self, quantity: int, vector: C.Vec, gift_card: bool) -> None:
        self.kept_units = quantity  # units not removed by a refund
        self.kept_vec = vector  # their components
        self.costed_units = 0
        if gift_card:
            # Gift cards are issued when sold: deemed shipped and recognised
            # at placement, with no COGS (posting rules section 5).
            self.shipped = quantity
            self.unshipped = 0
            self.unrecognised_vec = C.ZERO
        else:
            self.shipped = 0
            self.unshipped = quantity
            self.unrecognised_vec = vector  # accrual: components not recognised yet


class OrderState:
    __slots__ = (
        "lines",
        "open_balance",
        "order_level_left",
        "order_level_unrecognised",
        "overpayment_recognised",
        "shipping_left",
        "unrecognised",
        "unshipped_weight",
    )

    def __init__(self, p: Prepared) -> None:
        self.lines = [LineState(pl.quantity, pl.vector, pl.gift_card) for pl in p.lines]
        # Accrual: order-level items (shipping, its discount and tax, tips)
        # not recognised yet, and the unshipped weight they follow.
        self.order_level_unrecognised = p.order_level
        self.unshipped_weight = p.unshipped_weight
        self.shipping_left = p.order_level[C.SHIP]
        # Order-level items not given back by a refund (shipping refunds
        # take theirs out): what a cancellation still has to reverse.
        self.order_level_left: C.Vec = p.order_level
        # The order's open balance as the books see it (AR under accrual,
        # the Unpaid tab under both bases).
        self.open_balance = p.total
        # Cash: components not recognised yet (value == max(open, 0)), and
        # payments beyond the order total recognised as gross sales.
        self.unrecognised: C.Vec = p.total_vec
        self.overpayment_recognised = 0
