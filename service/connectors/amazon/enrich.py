"""What the Orders API adds to a settlement: who fulfilled each order.

A settlement line names its fulfilment (``fulfillment-id`` AFN or MFN) on
order lines, but not always (adjustments, some refunds); the order's own
``FulfillmentChannel`` fills the gap, so FBA and FBM units are told apart
for restocks and the COGS download.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

from service.domain.marketplace import Fulfillment, Settlement


def with_fulfillment(settlement: Settlement, orders: Mapping[str, Fulfillment]) -> Settlement:
    """The settlement with each order line's fulfilment filled from its order."""
    lines = tuple(
        dataclasses.replace(ln, fulfillment=orders[ln.order_id])
        if ln.order_id is not None
        and ln.fulfillment is Fulfillment.UNKNOWN
        and ln.order_id in orders
        else ln
        for ln in settlement.lines
    )
    return dataclasses.replace(settlement, lines=lines)
