"""Shopify connector: verified webhooks, backfill and incremental sync,
payouts, and the normalizers that turn both of Shopify's shapes (REST
webhook bodies and Admin GraphQL nodes) into the same order histories."""

from service.connectors.shopify.errors import NormalizationError, ShopifyError

API_VERSION = "2025-10"

__all__ = ["API_VERSION", "NormalizationError", "ShopifyError"]
