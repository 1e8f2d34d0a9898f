"""Access scopes in the fake: which fields need which scope, and what
Shopify answers without it.

From the Admin GraphQL reference ("Requires `read_orders` access scope",
"The user must have access to payouts") and shopify.dev "Access scopes":
a field outside the app's scopes resolves to null with an ACCESS_DENIED
error naming the scope; without ``read_all_orders`` an app sees only the
orders of the last 60 days, and the older ones are simply not there.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from graphql import GraphQLError

ALL_SCOPES = frozenset(
    {
        "read_orders",
        "read_all_orders",
        "read_products",
        "read_inventory",
        "read_shopify_payments_payouts",
    }
)

FIELD_SCOPES: dict[tuple[str, str], str] = {
    ("QueryRoot", "orders"): "read_orders",
    ("QueryRoot", "order"): "read_orders",
    ("QueryRoot", "ordersCount"): "read_orders",
    ("QueryRoot", "productVariants"): "read_products",
    ("QueryRoot", "productVariant"): "read_products",
    ("InventoryItem", "unitCost"): "read_inventory",
    ("ShopifyPaymentsAccount", "payouts"): "read_shopify_payments_payouts",
    ("ShopifyPaymentsAccount", "balanceTransactions"): "read_shopify_payments_payouts",
}
"""(type, field) -> the scope Shopify asks for before resolving it."""

NODE_SCOPES = {"Order": "read_orders", "Refund": "read_orders", "Fulfillment": "read_orders"}
"""``node(id:)`` of these kinds needs the same scope as their own queries."""

RECENT_ORDERS = dt.timedelta(days=60)


def access_denied(field: str, scope: str) -> GraphQLError:
    return GraphQLError(
        f"Access denied for {field} field. Required access: `{scope}` access scope.",
        extensions={
            "code": "ACCESS_DENIED",
            "documentation": "https://shopify.dev/api/usage/access-scopes",
            "requiredAccess": f"`{scope}` access scope.",
        },
    )


def require(scopes: frozenset[str], type_name: str, field: str) -> None:
    """Raise Shopify's ACCESS_DENIED when the field's scope is not granted."""
    scope = FIELD_SCOPES.get((type_name, field))
    if scope is not None and scope not in scopes:
        raise access_denied(field, scope)


def visible(scopes: frozenset[str], created_at: dt.datetime, now: dt.datetime) -> bool:
    """Whether an order is in the app's view (all, or the last 60 days)."""
    return "read_all_orders" in scopes or created_at >= now - RECENT_ORDERS


def granted(scopes: frozenset[str]) -> dict[str, Any]:
    """``currentAppInstallation`` as Shopify answers it."""
    return {
        "id": "gid://shopify/AppInstallation/1",
        "accessScopes": [{"handle": h, "description": h} for h in sorted(scopes)],
    }
