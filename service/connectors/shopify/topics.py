"""Which webhook topics say what about an order.

A topic whose body is the whole order, a topic whose body is one piece of
an order (a refund, a transaction, a fulfillment, a return) that names its
order, and the order-edit topic whose body is the edit, not the order.
Any other topic is stored and ignored.
"""

from __future__ import annotations

from decimal import InvalidOperation

ORDER_TOPICS = frozenset(
    {
        "orders/create",
        "orders/updated",
        "orders/paid",
        "orders/fulfilled",
        "orders/partially_fulfilled",
        "orders/cancelled",
    }
)
EDIT_TOPIC = "orders/edited"
PIECE_TOPICS = {
    "refunds/create": "refunds",
    "order_transactions/create": "transactions",
    "fulfillments/create": "fulfillments",
    "fulfillments/update": "fulfillments",
    # Shopify's own returns: an exchange's replacement lines are named here.
    "returns/request": "returns",
    "returns/approve": "returns",
    "returns/decline": "returns",
    "returns/reopen": "returns",
    "returns/cancel": "returns",
    "returns/close": "returns",
    "returns/process": "returns",
    "returns/update": "returns",
}
# What a bad payload can raise from deep in a normalizer: all mean "this
# event cannot be used", never "stop processing other events".
BAD_PAYLOAD = (ValueError, KeyError, TypeError, InvalidOperation, AttributeError)
