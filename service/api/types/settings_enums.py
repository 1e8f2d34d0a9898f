from __future__ import annotations

from enum import Enum

import strawberry


@strawberry.enum(description="When sales are recognised: on payment, or as earned.")
class AccountingBasis(Enum):
    CASH = "CASH"
    ACCRUAL = "ACCRUAL"


@strawberry.enum(description="Which date counts as an order's fulfillment for the books.")
class FulfillmentTracking(Enum):
    ORDER_PLACED_DATE = "ORDER_PLACED_DATE"
    ORDER_FULFILLED_DATE = "ORDER_FULFILLED_DATE"


@strawberry.enum(description="How a product's own cost is worked out from its purchases.")
class CostingMethod(Enum):
    MOVING_AVERAGE = "MOVING_AVERAGE"
    FIFO = "FIFO"
