"""Everything besides the history that decides an order's entries."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from service.domain.costs import LineCost
from service.domain.events import PaymentMethod
from service.domain.records import seal
from service.domain.settings import DepositLink, OrderStatusOverride, Settings

DEFAULT_SETTINGS = Settings()


@dataclass(slots=True, unsafe_hash=True)
class PostingContext:
    """``gateways`` is the store's own gateway mapping, as the merchant set
    it: (gateway key, payment method) pairs that replace the method a
    transaction was given from what the channel said (posting rule 13.2)."""

    settings: Final[Settings]
    override: Final[OrderStatusOverride | None]
    deposits: Final[tuple[DepositLink, ...]]
    costs: Final[tuple[LineCost, ...]]
    gateways: Final[tuple[tuple[str, PaymentMethod], ...]]

    def __init__(
        self,
        settings: Settings = DEFAULT_SETTINGS,
        override: OrderStatusOverride | None = None,
        deposits: tuple[DepositLink, ...] = (),
        costs: tuple[LineCost, ...] = (),
        gateways: tuple[tuple[str, PaymentMethod], ...] = (),
    ) -> None:
        self.settings = settings
        self.override = override
        self.deposits = deposits
        self.costs = costs
        self.gateways = gateways


seal(PostingContext)
