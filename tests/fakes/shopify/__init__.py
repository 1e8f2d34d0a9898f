"""A local fake Shopify: one data model, its REST and GraphQL renderings,
and an HTTP server that speaks the Admin GraphQL wire format.

The server validates every document against ``admin_schema.graphql`` (the
part of the Admin API the connector uses) and refuses what Shopify would
refuse, in Shopify's words (validation.py, shopify_errors.py); it executes
valid documents by their selection sets (execute.py, root.py), meters them
with a pluggable cost calculator (cost.py) and writes bulk results as
Shopify's JSONL (bulk.py)."""

from tests.fakes.shopify.generate import generate_shop
from tests.fakes.shopify.graphql import bulk_lines, graphql_order
from tests.fakes.shopify.model import FakeShopData, FOrder
from tests.fakes.shopify.rest import rest_fulfillment, rest_order, rest_refund, rest_transactions

__all__ = [
    "FOrder",
    "FakeShopData",
    "bulk_lines",
    "generate_shop",
    "graphql_order",
    "rest_fulfillment",
    "rest_order",
    "rest_refund",
    "rest_transactions",
]

from tests.fakes.shopify.server import FakeShopify
from tests.fakes.shopify.webhooks import webhook_request

__all__ += ["FakeShopify", "webhook_request"]
