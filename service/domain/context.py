"""Everything besides the history that decides an order's entries."""

from __future__ import annotations

from dataclasses import dataclass, field

from service.domain.costs import LineCost
from service.domain.events import PaymentMethod
from service.domain.settings import DepositLink, OrderStatusOverride, Settings


@dataclass(frozen=True, slots=True)
class PostingContext:
    """``gateways`` is the store's own gateway mapping, as the merchant set
    it: (gateway key, payment method) pairs that replace the method a
    transaction was given from what the channel said (posting rule 13.2)."""

    settings: Settings = field(default_factory=Settings)
    override: OrderStatusOverride | None = None
    deposits: tuple[DepositLink, ...] = ()
    costs: tuple[LineCost, ...] = ()
    gateways: tuple[tuple[str, PaymentMethod], ...] = ()
