"""Settings and order actions: the inputs besides the data (posting rule 3)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum


class AccountingBasis(StrEnum):
    CASH = "CASH"
    ACCRUAL = "ACCRUAL"


class FulfillmentTracking(StrEnum):
    ORDER_PLACED_DATE = "ORDER_PLACED_DATE"
    ORDER_FULFILLED_DATE = "ORDER_FULFILLED_DATE"


class ChannelStatus(StrEnum):
    INCLUDED = "INCLUDED"
    EXCLUDED = "EXCLUDED"
    COGS_ONLY = "COGS_ONLY"
    SALES_ONLY = "SALES_ONLY"


class OrderStatus(StrEnum):
    """An order's status, set by an order action or detected.

    INCLUDED is the explicit "treat normally" action (it overrides a channel
    status or a detection). UNCOLLECTIBLE and OVERCOLLECTED are balance
    closing actions that carry a date.
    """

    INCLUDED = "INCLUDED"
    VOID = "VOID"
    GIVEAWAY = "GIVEAWAY"
    COGS_ONLY = "COGS_ONLY"
    UNCOLLECTIBLE = "UNCOLLECTIBLE"
    OVERCOLLECTED = "OVERCOLLECTED"
    EXCLUDED = "EXCLUDED"


@dataclass(frozen=True, slots=True)
class Settings:
    basis: AccountingBasis = AccountingBasis.CASH
    fulfillment_tracking: FulfillmentTracking = FulfillmentTracking.ORDER_PLACED_DATE
    channel_statuses: tuple[tuple[str, ChannelStatus], ...] = ()

    def channel_status(self, source: str) -> ChannelStatus:
        for name, status in self.channel_statuses:
            if name == source:
                return status
        return ChannelStatus.INCLUDED


@dataclass(frozen=True, slots=True)
class OrderStatusOverride:
    status: OrderStatus
    date: dt.date | None = None


@dataclass(frozen=True, slots=True)
class DepositLink:
    """A bank deposit linked to the order by hand (order action "link
    payment", cash rule 2 / accrual rule 3).

    ``amount`` reached the bank; ``difference`` is the part of the order it
    settles that did not (an FX commission, a discount granted), posted as a
    debit to ``difference_account``. The order is settled by
    ``amount + difference``.
    """

    id: str
    date: dt.date
    amount: int
    difference: int = 0
    difference_account: str = "BANK_FEES"
