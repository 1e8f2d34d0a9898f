"""Errors the Shopify connector raises.

A payload that lacks what posting needs must stop at the door with a message
that names the exact field, so the person looking at a stuck order knows
which part of Shopify's data to check instead of reading a stack trace.
"""

from __future__ import annotations


class NormalizationError(ValueError):
    """A Shopify payload that cannot become an order history.

    ``path`` is the dotted/indexed field path inside the payload
    (``line_items[2].price``) and ``problem`` what is wrong with it.
    """

    def __init__(self, path: str, problem: str) -> None:
        super().__init__(f"{path}: {problem}")
        self.path = path
        self.problem = problem

    def __reduce__(self) -> tuple[type[NormalizationError], tuple[str, str]]:
        return (NormalizationError, (self.path, self.problem))


class ShopifyError(RuntimeError):
    """Shopify answered something the connector cannot work with (an auth
    failure, a GraphQL error, a failed bulk operation, retries exhausted).
    Transient trouble is retried inside the client; this is what is left."""
