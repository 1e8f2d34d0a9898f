"""An order's whole history: the input of ``post_order``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from service.domain.events import Event
from service.domain.order import Order
from service.domain.records import seal


@dataclass(slots=True, unsafe_hash=True)
class OrderHistory:
    order: Final[Order]
    events: Final[tuple[Event, ...]]

    def __init__(self, order: Order, events: tuple[Event, ...] = ()) -> None:
        self.order = order
        self.events = events


seal(OrderHistory)
