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

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLEnumType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLScalarType,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    VariableNode,
    get_named_type,
)

from tests.fakes.shopify.validation import admin_schema

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


# Shopify's documented rules ---------------------------------------------------

MAX_QUERY_COST = 1000
"""Shopify refuses any single query whose requested cost is above this,
whatever the bucket holds ("exceeds the single query max cost limit")."""

MUTATION_COST = 10


def shopify_cost(document: DocumentNode, variables: Mapping[str, Any]) -> int:
    """The requested cost by the rules of shopify.dev "GraphQL Admin API
    rate limits" (Cost calculation): a scalar or enum costs 0, an object 1,
    an interface or union the most expensive of its possible selections,
    a connection 2 plus ``first``/``last`` times the cost of one node, a
    mutation 10. A plain list sized by ``first`` costs ``first`` times one
    item (an unsized list counts one item; ``nodes(ids:)`` one per id).
    So ``orders(first: 10) { edges { node { id lineItems(first: 5) {
    edges { node { id } } } } } }`` costs 2 + 10 * (1 + 2 + 5 * 1) = 82."""
    schema = admin_schema()
    total = 0
    for definition in document.definitions:
        if not isinstance(definition, OperationDefinitionNode):
            continue
        if definition.operation is OperationType.MUTATION:
            total += MUTATION_COST
            continue
        root = schema.query_type
        assert root is not None
        total += _selection_cost(definition.selection_set, root, variables, _fragments(document))
    return total


def _fragments(document: DocumentNode) -> dict[str, FragmentDefinitionNode]:
    return {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}


def _selection_cost(
    selection_set: SelectionSetNode | None,
    parent: GraphQLNamedType,
    variables: Mapping[str, Any],
    fragments: Mapping[str, FragmentDefinitionNode],
) -> int:
    """Fields add up; type conditions (inline fragments, named ones) are
    alternatives of which the dearest counts."""
    if selection_set is None:
        return 0
    plain = 0
    branches = [0]
    for sel in selection_set.selections:
        if isinstance(sel, FieldNode):
            plain += _field_cost(sel, parent, variables, fragments)
            continue
        if isinstance(sel, InlineFragmentNode):
            cond, sub = sel.type_condition, sel.selection_set
        elif isinstance(sel, FragmentSpreadNode):
            frag = fragments[sel.name.value]
            cond, sub = frag.type_condition, frag.selection_set
        else:  # pragma: no cover - graphql-core has no other selection
            continue
        target = admin_schema().get_type(cond.name.value) if cond is not None else parent
        assert target is not None
        branches.append(_selection_cost(sub, target, variables, fragments))
    return plain + max(branches)


def _field_cost(
    node: FieldNode,
    parent: GraphQLNamedType,
    variables: Mapping[str, Any],
    fragments: Mapping[str, FragmentDefinitionNode],
) -> int:
    fields = getattr(parent, "fields", None) or {}
    definition = fields.get(node.name.value)
    if definition is None:  # __typename and the like
        return 0
    named = get_named_type(definition.type)
    if isinstance(named, GraphQLScalarType | GraphQLEnumType):
        return 0
    size = argument_value(node, "first", variables) or argument_value(node, "last", variables)
    if named.name.endswith("Connection"):
        return 2 + int(size or 0) * _node_cost(node, named, variables, fragments)
    one = 1 + _selection_cost(node.selection_set, named, variables, fragments)
    inner = (
        definition.type.of_type if isinstance(definition.type, GraphQLNonNull) else definition.type
    )
    if isinstance(inner, GraphQLList):
        ids = argument_value(node, "ids", variables)  # nodes(ids:): one per id
        return int(size or (len(ids) if isinstance(ids, list) else 1)) * one
    return one


def _node_cost(
    node: FieldNode,
    connection: GraphQLNamedType,
    variables: Mapping[str, Any],
    fragments: Mapping[str, FragmentDefinitionNode],
) -> int:
    """One node of a connection, however it is selected (``edges { node }``
    or ``nodes``); ``pageInfo`` and cursors are free."""
    fields = getattr(connection, "fields", {})
    node_type = get_named_type(fields["nodes"].type)
    cost = 0
    for sel in node.selection_set.selections if node.selection_set else ():
        if not isinstance(sel, FieldNode):
            continue
        if sel.name.value == "nodes":
            cost = max(
                cost, 1 + _selection_cost(sel.selection_set, node_type, variables, fragments)
            )
        elif sel.name.value == "edges" and sel.selection_set is not None:
            for inner in sel.selection_set.selections:
                if isinstance(inner, FieldNode) and inner.name.value == "node":
                    sub = _selection_cost(inner.selection_set, node_type, variables, fragments)
                    cost = max(cost, 1 + sub)
    return cost or 1


def actual_cost(data: Any) -> int:
    """The cost of what an answer holds, by the same rules with the
    objects actually returned in place of ``first`` (Shopify's
    ``actualQueryCost``): an object 1, a connection 2 plus its nodes,
    cursors and ``pageInfo`` free."""
    if isinstance(data, list):
        return sum(actual_cost(v) for v in data)
    if not isinstance(data, Mapping):
        return 0
    if isinstance(data.get("edges"), list) or isinstance(data.get("nodes"), list):
        nodes = [e.get("node") for e in data.get("edges") or ()] or data.get("nodes") or []
        return 2 + sum(actual_cost(n) for n in nodes)
    return 1 + sum(actual_cost(v) for k, v in data.items() if k != "pageInfo")
