"""Answer a validated document from the fake shop's objects.

graphql-core walks the parsed selection set, so an answer holds exactly
the fields asked for under their aliases, enum values are checked against
the schema (a fake object with a value Shopify does not have is an error,
not a silent pass) and abstract types resolve by ``__typename``.

Sources are plain dicts (graphql.py's renderings) and, at the root, an
object whose methods resolve the root fields. A nested connection may be
rendered as a list of nodes or as a whole ``{"edges", "pageInfo"}`` dict:
either way ``first``/``after``/``last``/``before`` page it here, so a
nested limit truncates and ``hasNextPage`` says so, as in Shopify. Plain
list fields with a ``first`` argument (``Order.transactions``) are cut.
"""

from __future__ import annotations

import base64
from typing import Any

from graphql import (
    DocumentNode,
    ExecutionResult,
    GraphQLList,
    GraphQLNonNull,
    GraphQLResolveInfo,
    default_field_resolver,
    execute,
)

from tests.fakes.shopify.scopes import require
from tests.fakes.shopify.validation import BASE_VERSION, admin_schema, is_connection


class Page(dict[str, Any]):
    """A connection already paged by a root resolver (its own cursors and
    filters); nested paging leaves it alone."""


def cursor(i: int) -> str:
    return base64.b64encode(f"n:{i}".encode()).decode()


def _position(c: str) -> int:
    return int(base64.b64decode(c.encode()).decode().removeprefix("n:"))


def page_info(cursors: list[str], has_next: bool, has_previous: bool = False) -> dict[str, Any]:
    return {
        "hasNextPage": has_next,
        "hasPreviousPage": has_previous,
        "startCursor": cursors[0] if cursors else None,
        "endCursor": cursors[-1] if cursors else None,
    }


def page(edges: list[tuple[str, Any]], has_next: bool, has_previous: bool = False) -> Page:
    """A connection answer from (cursor, node) pairs."""
    return Page(
        edges=[{"cursor": c, "node": n} for c, n in edges],
        nodes=[n for _, n in edges],
        pageInfo=page_info([c for c, _ in edges], has_next, has_previous),
    )


def paginate(nodes: list[Any], args: dict[str, Any]) -> Page:
    """Index-cursor paging of a whole list, by Relay's rules."""
    start, stop = 0, len(nodes)
    if args.get("after"):
        start = _position(args["after"]) + 1
    if args.get("before"):
        stop = _position(args["before"])
    window = list(range(start, max(start, stop)))
    if args.get("reverse"):
        window.reverse()
    if args.get("first") is not None:
        window = window[: args["first"]]
    if args.get("last") is not None:
        window = window[-args["last"] :] if args["last"] else []
    if not window:
        return page([], False, start > 0)
    has_next = window[-1] + 1 < stop if not args.get("reverse") else window[-1] > start
    return page([(cursor(i), nodes[i]) for i in window], has_next, window[0] > 0)


def _nodes_of(value: Any) -> list[Any]:
    if isinstance(value, dict):
        return [e["node"] for e in value.get("edges", ())]
    return list(value)


def resolve_field(source: Any, info: GraphQLResolveInfo, **args: Any) -> Any:
    scopes = getattr(getattr(info.root_value, "fake", None), "scopes", None)
    if scopes is not None:
        require(scopes, info.parent_type.name, info.field_name)
    value = default_field_resolver(source, info, **args)
    if value is None or isinstance(value, Page):
        return value
    return_type = info.return_type
    if is_connection(return_type):
        return paginate(_nodes_of(value), args)
    inner = return_type.of_type if isinstance(return_type, GraphQLNonNull) else return_type
    if isinstance(inner, GraphQLList) and args.get("first") is not None:
        return list(value)[: args["first"]]
    return value


def run(
    document: DocumentNode,
    root: object,
    variables: dict[str, Any],
    operation_name: str | None = None,
    version: str = BASE_VERSION,
) -> ExecutionResult:
    """Execute synchronously: every resolver of the fake is plain Python."""
    result = execute(
        admin_schema(version),
        document,
        root_value=root,
        variable_values=variables,
        operation_name=operation_name,
        field_resolver=resolve_field,
    )
    assert isinstance(result, ExecutionResult)
    return result
