"""Everything besides the history that decides an order's entries."""

from __future__ import annotations

from dataclasses import dataclass, field

from service.domain.costs import LineCost
from service.domain.settings import DepositLink, OrderStatusOverride, Settings


@dataclass(frozen=True, slots=True)
class PostingContext:
    settings: Settings = field(default_factory=Settings)
    override: OrderStatusOverride | None = None
    deposits: tuple[DepositLink, ...] = ()
    costs: tuple[LineCost, ...] = ()
