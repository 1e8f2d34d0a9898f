"""Unit costs for COGS (posting rules section 9)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from service.domain.records import seal


class CostSource(StrEnum):
    """Where a unit cost came from, highest precedence first."""

    MANUAL = "MANUAL"  # resolved by hand for that order line
    INVENTORY_SYSTEM = "INVENTORY_SYSTEM"  # Finale Inventory, Goflow, ... for that line
    PRODUCT_COSTING = "PRODUCT_COSTING"  # moving average / FIFO on the fulfillment date


COST_PRECEDENCE: tuple[CostSource, ...] = (
    CostSource.MANUAL,
    CostSource.INVENTORY_SYSTEM,
    CostSource.PRODUCT_COSTING,
)


@dataclass(slots=True, unsafe_hash=True)
class LineCost:
    """A candidate unit cost (minor units per unit) for one order line.

    ``missing`` marks a source that answered "no cost" (Finale's 0): it is
    never used, and if no other source has a cost the line is listed as a
    missing cost and posted at 0.

    ``moves`` (product costing only) gives the exact cost of the units the
    line sent out at each shipment, by the shipment's event id: FIFO layers
    and the moving average in force differ from one shipment to the next,
    and posting those exact amounts is what keeps inventory on the balance
    sheet equal to the value of the units on hand.
    """

    line_id: Final[str]
    unit_cost: Final[int]
    source: Final[CostSource]
    missing: Final[bool]
    moves: Final[tuple[tuple[str, int], ...]]

    def __init__(
        self,
        line_id: str,
        unit_cost: int,
        source: CostSource = CostSource.PRODUCT_COSTING,
        missing: bool = False,
        moves: tuple[tuple[str, int], ...] = (),
    ) -> None:
        self.line_id = line_id
        self.unit_cost = unit_cost
        self.source = source
        self.missing = missing
        self.moves = moves


@dataclass(slots=True, unsafe_hash=True)
class MissingCost:
    order_id: Final[str]
    line_id: Final[str]
    sku: Final[str | None]

    def __init__(self, order_id: str, line_id: str, sku: str | None) -> None:
        self.order_id = order_id
        self.line_id = line_id
        self.sku = sku


seal(LineCost, MissingCost)
