"""An order's whole history: the input of ``post_order``."""

from __future__ import annotations

from dataclasses import dataclass

from service.domain.events import Event
from service.domain.order import Order


@dataclass(frozen=True, slots=True)
class OrderHistory:
    order: Order
    events: tuple[Event, ...] = ()
