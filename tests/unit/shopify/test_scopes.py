"""The scopes storebooks needs, as the README names them, and what a shop's
grant leaves out."""

from __future__ import annotations

from pathlib import Path

from service.connectors.shopify.client import ShopifyClient
from service.connectors.shopify.scopes import SCOPES, granted_scopes, missing_scopes
from tests.fakes.shopify import FakeShopify


def test_the_readme_lists_every_scope_the_sync_uses() -> None:
    readme = (Path(__file__).parents[3] / "README.md").read_text()
    for scope in SCOPES:
        assert f"| `{scope.handle}` |" in readme


def test_a_write_scope_grants_its_read_scope() -> None:
    missing = missing_scopes({"write_orders", "read_products", "read_inventory"})
    assert [s.handle for s in missing] == ["read_all_orders", "read_shopify_payments_payouts"]
    assert not any(s.required for s in missing)
    assert [s.handle for s in missing_scopes(set()) if s.required] == ["read_orders"]


async def test_granted_scopes_are_read_from_the_app_installation(
    fake: FakeShopify, client: ShopifyClient
) -> None:
    fake.scopes = frozenset({"read_orders", "read_products"})
    assert await granted_scopes(client) == {"read_orders", "read_products"}


async def test_a_field_outside_the_scopes_is_denied_in_shopify_s_words(
    fake: FakeShopify, client: ShopifyClient
) -> None:
    fake.scopes = frozenset({"read_orders"})
    body = fake.answer("query V { productVariants(first: 1) { nodes { id } } }", {})
    [error] = body["errors"]
    assert error["extensions"]["code"] == "ACCESS_DENIED"
    assert error["extensions"]["requiredAccess"] == "`read_products` access scope."
    assert body["data"] is None
