"""What a document costs the fake shop's rate-limit bucket.

A cost calculator takes the parsed, validated document and its coerced
variables and returns the requested cost, or None for a document the fake
does not meter. ``FakeShopify(cost=...)`` takes any such function, so
Shopify's real cost rules can replace ``page_size_cost`` without touching
the server.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from graphql import DocumentNode, FieldNode, IntValueNode, OperationDefinitionNode, VariableNode

CostCalculator = Callable[[DocumentNode, Mapping[str, Any]], int | None]

_PER_ITEM = {"orders": 20, "productVariants": 4}
"""Points a page item of a metered root connection costs: an order with
its nested lines, or a variant with its product and inventory item."""

_DEFAULT_FIRST = 50


def _root_fields(document: DocumentNode) -> list[FieldNode]:
    return [
        sel
        for d in document.definitions
        if isinstance(d, OperationDefinitionNode)
        for sel in d.selection_set.selections
        if isinstance(sel, FieldNode)
    ]


def argument_value(field: FieldNode, name: str, variables: Mapping[str, Any]) -> Any:
    """A literal or variable argument's value (None when absent)."""
    for arg in field.arguments or ():
        if arg.name.value != name:
            continue
        if isinstance(arg.value, VariableNode):
            return variables.get(arg.value.name.value)
        if isinstance(arg.value, IntValueNode):
            return int(arg.value.value)
        return getattr(arg.value, "value", None)
    return None


def page_size_cost(document: DocumentNode, variables: Mapping[str, Any]) -> int | None:
    """2 points plus a fixed price per requested item of a metered root
    page (orders, product variants); other documents are not metered."""
    for field in _root_fields(document):
        per_item = _PER_ITEM.get(field.name.value)
        if per_item:
            first = argument_value(field, "first", variables) or _DEFAULT_FIRST
            return 2 + per_item * int(first)
    return None
