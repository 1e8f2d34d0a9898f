"""Webhook authenticity and the topics the connector understands.

Shopify signs the raw request body, byte for byte; any re-serialisation
(parsing and dumping the JSON) changes the bytes and breaks the signature,
so verification must run on the body exactly as received.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac

TOPICS: frozenset[str] = frozenset(
    {
        "orders/create",
        "orders/updated",
        "orders/paid",
        "orders/fulfilled",
        "orders/cancelled",
        "refunds/create",
        "order_transactions/create",
        "fulfillments/create",
        "fulfillments/update",
    }
)

ORDER_TOPICS: frozenset[str] = frozenset(
    {"orders/create", "orders/updated", "orders/paid", "orders/fulfilled", "orders/cancelled"}
)
"""Topics whose body is a whole order; the others carry one child object
(a refund, a transaction, a fulfillment) that names its order."""


def sign(body: bytes, secret: str) -> str:
    """The X-Shopify-Hmac-Sha256 value Shopify would send for ``body``."""
    digest = hmac.new(secret.encode("utf-8"), body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def verify_hmac(body: bytes, secret: str, header_value: str | None) -> bool:
    """Whether ``header_value`` is Shopify's signature of ``body``.

    Compares the decoded digests in constant time so a forger learns nothing
    from response timing; a missing, empty or malformed header is simply
    not valid.
    """
    if not header_value or not secret:
        return False
    try:
        given = base64.b64decode(header_value.strip(), validate=True)
    except (binascii.Error, ValueError):
        return False
    expected = hmac.new(secret.encode("utf-8"), body, hashlib.sha256).digest()
    return hmac.compare_digest(given, expected)
