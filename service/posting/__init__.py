"""The posting engine: order histories, settings, overrides and costs in,
journal entries out (the posting rules). Pure: no I/O, no clock, no randomness."""

from service.domain.errors import InconsistentHistory
from service.posting.engine import OrderRun, post_order, post_orders, run_order
from service.posting.processor import needs_review, post_processor_records
from service.posting.queries import (
    FulfillmentState,
    PaymentStatus,
    detected_status,
    fulfillment_status,
    missing_costs,
    open_balance,
    payment_status,
)
from service.posting.restocks import (
    BulkRestockError,
    apply_bulk_restocks,
    post_channel_restock,
    post_sku_restock,
)
from service.posting.split import prorate, split

__all__ = [
    "BulkRestockError",
    "FulfillmentState",
    "InconsistentHistory",
    "OrderRun",
    "PaymentStatus",
    "apply_bulk_restocks",
    "detected_status",
    "fulfillment_status",
    "missing_costs",
    "needs_review",
    "open_balance",
    "payment_status",
    "post_channel_restock",
    "post_order",
    "post_orders",
    "post_processor_records",
    "post_sku_restock",
    "prorate",
    "run_order",
    "split",
]
