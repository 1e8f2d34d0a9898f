"""The shop's catalog as COGS needs it: SKU, title and Shopify's unit cost.

Merchants' products come from Shopify's product variants. Only variants
with a SKU matter (order lines are costed by SKU), so variants without one
are skipped. Shopify's own ``InventoryItem.unitCost`` is kept as a
last-resort cost: ``None`` when the merchant never entered one, which is
not the same as a cost of zero (a free sample is a real cost of 0).

Shopify does not make SKUs unique: several variants may share one. The
catalog keeps the *first* and skips the others. Variants are read sorted by
SKU (``sortKey: SKU``), ties in Shopify's id order, so the variant kept is
the oldest one carrying that SKU, and duplicates arrive one after the other.
That is what lets a resumed sync keep the same variant without storing every
SKU seen: the cursor remembers only the SKUs of the last group of equal
SKUs (compared case-insensitively, in case Shopify's collation interleaves
``abc-1`` and ``ABC-1``; SKUs themselves stay case-sensitive). Within one
uninterrupted run every SKU is also remembered in memory, so the first one
wins even if Shopify's order were not grouped as expected.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from typing import Any

from service.connectors.shopify.client import QueryTooCostly, ShopifyClient
from service.connectors.shopify.errors import NormalizationError, ShopifyError
from service.connectors.shopify.payload import Node
from service.connectors.shopify.queries import PRODUCT_VARIANTS_PAGE
from service.domain.money import exponent

DEFAULT_VARIANT_TITLE = "Default Title"
"""The title Shopify gives the one variant of a product without options."""


@dataclass(frozen=True, slots=True)
class VariantCost:
    """One SKU of the catalog. ``unit_cost`` is in minor units of the shop
    currency, or None when Shopify has no cost for the variant."""

    sku: str
    title: str
    unit_cost: int | None


@dataclass(frozen=True, slots=True)
class VariantBatch:
    variants: tuple[VariantCost, ...]
    cursor: dict[str, Any]
    done: bool


def _title(n: Node) -> str:
    """Product and variant title ("Linen Shirt - Blue"), or just the
    product's title for a product's default variant (where Shopify's
    displayName says "Product - Default Title")."""
    product = n.opt_child("product")
    product_title = product.opt_text("title").strip() if product is not None else ""
    variant_title = n.opt_text("title").strip()
    if variant_title == DEFAULT_VARIANT_TITLE:
        variant_title = ""
    if product_title and variant_title:
        return f"{product_title} - {variant_title}"
    return product_title or variant_title or n.opt_text("displayName").strip()


def _unit_cost(n: Node, currency: str) -> int | None:
    item = n.opt_child("inventoryItem")
    cost = item.opt_child("unitCost") if item is not None else None
    if cost is None:
        return None
    code = cost.opt_text("currencyCode", currency)
    if code != currency:
        raise NormalizationError(
            cost.at("currencyCode"), f"{code}, but the shop's books are in {currency}"
        )
    amount = cost.amount("amount", currency)
    if amount < 0:
        raise NormalizationError(cost.at("amount"), f"a negative unit cost: {amount}")
    return amount


def variant_cost_from_graphql(
    node: Mapping[str, Any], currency: str, path: str = "productVariant"
) -> VariantCost | None:
    """A ProductVariant node as a ``VariantCost``, or None when it has no
    SKU (absent, empty or blank). The SKU is kept exactly as Shopify has it,
    as order lines carry it. A cost in another currency, with more decimals
    than the currency has, or negative raises ``NormalizationError``."""
    n = Node(node, path)
    sku = n.opt_text("sku")
    if not sku.strip():
        return None
    return VariantCost(sku=sku, title=_title(n) or sku, unit_cost=_unit_cost(n, currency))


async def sync_variants(
    client: ShopifyClient,
    cursor: Mapping[str, Any] | None,
    *,
    currency: str,
    page_size: int = 100,
) -> AsyncIterator[VariantBatch]:
    """The catalog's variants with a SKU, one page a batch, in SKU order,
    each SKU once (the first variant carrying it, see the module docstring).

    ``currency`` is the shop's currency (``ShopInfo.currency_code``): Shopify
    reports unit costs in it. The cursor (JSON) is the position after the
    batch; resuming with it continues there. A cursor of a finished sync
    yields nothing: start a fresh one with ``None`` to read the catalog
    again. Throttling, 429 and 5xx are ridden out by the client; a page
    Shopify finds too costly is asked again at half the size.
    """
    exponent(currency)  # an invalid currency fails before any request
    state = dict(cursor or {})
    if state.get("done"):
        return
    after: str | None = state.get("after")
    group: list[str] = [str(s) for s in state.get("group") or []]
    seen: set[str] = set(group)
    while True:
        try:
            data = await client.graphql(PRODUCT_VARIANTS_PAGE, {"first": page_size, "after": after})
        except QueryTooCostly:
            if page_size == 1:
                raise
            page_size = max(1, page_size // 2)
            continue
        conn = data.get("productVariants")
        if not isinstance(conn, Mapping):
            raise ShopifyError("productVariants query returned no variants")
        variants: list[VariantCost] = []
        for edge in Node(conn, "productVariants").items("edges"):
            node = edge.child("node")
            variant = variant_cost_from_graphql(
                node.data, currency, f"productVariants[{node.opt_text('id')}]"
            )
            if variant is None:
                continue
            if group and group[0].casefold() != variant.sku.casefold():
                group = []
            if variant.sku in seen:
                continue
            seen.add(variant.sku)
            group.append(variant.sku)
            variants.append(variant)
        page = conn.get("pageInfo") or {}
        after = page.get("endCursor") or after
        done = not page.get("hasNextPage")
        next_cursor = {"after": after, "group": list(group), "done": done}
        yield VariantBatch(tuple(variants), next_cursor, done)
        if done:
            return
