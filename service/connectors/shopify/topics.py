"""Which webhook topics say what about an order.

A topic whose body is the whole order, a topic whose body is one piece of
an order (a refund, a transaction, a fulfillment, a return) that names its
order, and the order-edit topic whose body is the edit, not the order.
Any other topic is stored and ignored.
"""

from __future__ import annotations

import re
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


_ORDER_ID = re.compile(rb'"id"\s*:\s*(\d{1,20})\b')
_PIECE_ORDER_ID = re.compile(rb'"order_id"\s*:\s*(\d{1,20})\b')


def order_hint(topic: str, body: bytes) -> str | None:
    """The id of the order a webhook is probably about, read without parsing
    the body: an order's own ``id`` comes first in Shopify's order payloads,
    and a refund, transaction or fulfillment names its ``order_id``. Only a
    hint, stored at intake so that the worker can take an order's pending
    webhooks together; each event is still read in full when processed."""
    if topic in ORDER_TOPICS:
        found = _ORDER_ID.search(body)
    elif topic in PIECE_TOPICS or topic == EDIT_TOPIC:
        found = _PIECE_ORDER_ID.search(body)
    else:
        return None
    return found.group(1).decode() if found else None
