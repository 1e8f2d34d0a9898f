"""The Admin API access scopes storebooks needs, and which a shop granted.

Shopify answers a query outside the app's scopes with ACCESS_DENIED, or,
for orders older than 60 days without ``read_all_orders``, by leaving them
out without a word: a backfill would look complete and hold two months.
So a store's granted scopes are read when it is connected
(``currentAppInstallation { accessScopes { handle } }``) and what is
missing is named then.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from service.connectors.shopify.client import ShopifyClient
from service.connectors.shopify.errors import ShopifyError

ACCESS_SCOPES = "query AccessScopes { currentAppInstallation { accessScopes { handle } } }"


@dataclass(frozen=True, slots=True)
class Scope:
    handle: str
    required: bool
    why: str


SCOPES: tuple[Scope, ...] = (
    Scope(
        "read_orders",
        True,
        "orders, their transactions, refunds and fulfilments: every sale in the books",
    ),
    Scope(
        "read_all_orders",
        False,
        "orders older than 60 days; without it the backfill holds only the last 60 days",
    ),
    Scope(
        "read_products",
        False,
        "the catalog's SKUs and titles, to name products and map costs",
    ),
    Scope(
        "read_inventory",
        False,
        "Shopify's unit cost of each variant, the last resort for cost of goods",
    ),
    Scope(
        "read_shopify_payments_payouts",
        False,
        "Shopify Payments payouts and balance transactions: fees, deposits, chargebacks",
    ),
)
"""Every scope the sync uses, and why (the README lists the same)."""


def missing_scopes(granted: Iterable[str]) -> tuple[Scope, ...]:
    """The scopes of ``SCOPES`` not granted. A ``write_`` scope implies its
    ``read_`` scope, as in Shopify."""
    have = set(granted)
    have |= {"read_" + h.removeprefix("write_") for h in have if h.startswith("write_")}
    return tuple(s for s in SCOPES if s.handle not in have)


async def granted_scopes(client: ShopifyClient) -> frozenset[str]:
    """The handles of the scopes the shop granted the app."""
    data = await client.graphql(ACCESS_SCOPES)
    install = data.get("currentAppInstallation")
    if not isinstance(install, Mapping):
        raise ShopifyError("currentAppInstallation returned nothing")
    scopes = install.get("accessScopes") or []
    return frozenset(str(s["handle"]) for s in scopes if isinstance(s, Mapping) and s.get("handle"))
