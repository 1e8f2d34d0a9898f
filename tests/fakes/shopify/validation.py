"""Parse and validate a GraphQL document against the Admin API schema.

``check(query)`` gives either the parsed document or the errors Shopify
would answer with (see shopify_errors.py); ``check(query, bulk=True)``
applies the rules of a ``bulkOperationRunQuery`` query instead of a
paginated one. Results are cached by text: the connector sends the same
few documents over and over.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from graphql import (
    ASTValidationRule,
    DocumentNode,
    FieldNode,
    GraphQLError,
    GraphQLList,
    GraphQLNonNull,
    GraphQLSchema,
    OperationDefinitionNode,
    ValidationRule,
    build_schema,
    get_named_type,
    parse,
    print_ast,
    specified_rules,
    validate,
)
from graphql.execution.values import get_variable_values

from tests.fakes.shopify import shopify_errors as se
from tests.fakes.shopify.ast_index import index_document

SCHEMA_FILE = Path(__file__).with_name("admin_schema.graphql")

BASE_VERSION = "2025-10"
NEXT_VERSION = "2026-01"
VERSIONS = (BASE_VERSION, NEXT_VERSION)
"""The API versions the fake serves: ``admin_schema.graphql`` is 2025-10's;
2026-01 differs where the connector would notice (``_next_version``)."""


def _next_version(sdl: str) -> str:
    """2026-01: ``bulkOperationRunQuery(groupObjects:)`` defaults to false
    (shopify.dev changelog, "groupObjects defaults to false"), so a bulk
    result is no longer grouped by parent unless the query asks."""
    return sdl.replace("groupObjects: Boolean! = true", "groupObjects: Boolean! = false")


@functools.cache
def admin_schema(version: str = BASE_VERSION) -> GraphQLSchema:
    sdl = SCHEMA_FILE.read_text()
    if version >= NEXT_VERSION:
        sdl = _next_version(sdl)
    return build_schema(sdl)


def is_connection(type_: Any) -> bool:
    return get_named_type(type_).name.endswith("Connection")


class PageArgumentsRule(ValidationRule):
    """Shopify refuses a connection without ``first`` or ``last`` outside
    bulk queries (static analysis, before anything runs)."""

    def enter_field(self, node: FieldNode, *_: Any) -> None:
        definition = self.context.get_field_def()
        if definition is None or not is_connection(definition.type):
            return
        given = {a.name.value for a in node.arguments or ()}
        if not given & {"first", "last"}:
            self.report_error(GraphQLError("you must provide one of first or last", node))


class BulkListConnectionRule(ValidationRule):
    """A bulk query cannot select a connection inside a list field (its
    JSONL could not say which list item a child belongs to)."""

    def __init__(self, context: Any) -> None:
        super().__init__(context)
        self.lists: list[bool] = []

    def enter_field(self, node: FieldNode, *_: Any) -> None:
        definition = self.context.get_field_def()
        type_ = definition.type if definition is not None else None
        if type_ is not None and is_connection(type_) and any(self.lists):
            self.report_error(
                GraphQLError(
                    "Queries that contain a connection field within a list field are not"
                    " currently supported.",
                    node,
                )
            )
        inner = type_.of_type if isinstance(type_, GraphQLNonNull) else type_
        parent = self.context.get_parent_type()
        in_connection = parent is not None and is_connection(parent)  # its edges / nodes
        self.lists.append(isinstance(inner, GraphQLList) and not in_connection)

    def leave_field(self, *_: Any) -> None:
        self.lists.pop()


_ADAPTERS: dict[str, se.Adapter] = {
    "FieldsOnCorrectTypeRule": se.undefined_field,
    "KnownArgumentNamesRule": se.argument_not_accepted,
    "ProvidedRequiredArgumentsRule": se.missing_required_arguments,
    "ValuesOfCorrectTypeRule": se.argument_literals_incompatible,
    "ScalarLeafsRule": se.selection_mismatch,
    "KnownTypeNamesRule": se.undefined_type,
    "PossibleFragmentSpreadsRule": se.cannot_spread_fragment,
    "NoUnusedVariablesRule": se.variable_not_used,
    "NoUndefinedVariablesRule": se.variable_not_defined,
    "VariablesInAllowedPositionRule": se.variable_mismatch,
    "KnownFragmentNamesRule": se.generic("undefinedFragment"),
    "NoUnusedFragmentsRule": se.generic("useAndDefineFragment"),
    "FragmentsOnCompositeTypesRule": se.generic("fragmentOnNonCompositeType"),
    "KnownDirectivesRule": se.generic("undefinedDirective"),
    "UniqueArgumentNamesRule": se.generic("argumentNotUnique"),
    "OverlappingFieldsCanBeMergedRule": se.generic("fieldConflict"),
    "VariablesAreInputTypesRule": se.generic("variableRequiresValidType"),
    "PageArgumentsRule": se.too_few_page_arguments,
    "BulkListConnectionRule": se.generic("bulkQueryUnsupported"),
}


@dataclass(frozen=True)
class Checked:
    document: DocumentNode | None
    errors: tuple[dict[str, Any], ...]


def _rules(bulk: bool) -> list[type[ASTValidationRule]]:
    extra: type[ASTValidationRule] = BulkListConnectionRule if bulk else PageArgumentsRule
    return [*specified_rules, extra]


@functools.lru_cache(maxsize=256)
def check(query: str, *, bulk: bool = False, version: str = BASE_VERSION) -> Checked:
    """The document, or Shopify's errors for it. Each rule runs on its own
    so that each error is restated by the adapter of the rule that found it."""
    try:
        document = parse(query)
    except GraphQLError as exc:
        return Checked(None, (se.syntax_error(exc),))
    schema = admin_schema(version)
    index = None
    errors: list[dict[str, Any]] = []
    for rule in _rules(bulk):
        found = validate(schema, document, [rule])
        if not found:
            continue
        index = index or index_document(schema, document)
        adapt = _ADAPTERS.get(rule.__name__, se.generic(_code(rule.__name__)))
        errors.extend(adapt(e, index) for e in found)
    return Checked(None if errors else document, tuple(_merge_missing(errors)))


def _code(rule_name: str) -> str:
    """``UniqueOperationNamesRule`` -> ``uniqueOperationNames``."""
    stem = rule_name.removesuffix("Rule")
    return stem[:1].lower() + stem[1:]


def _merge_missing(errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """graphql-ruby names every missing argument of a field in one error;
    graphql-core reports one error per argument."""
    out: list[dict[str, Any]] = []
    seen: dict[tuple[Any, ...], dict[str, Any]] = {}
    for e in errors:
        ext = e.get("extensions", {})
        if ext.get("code") != "missingRequiredArguments":
            out.append(e)
            continue
        key = (tuple(e["path"]), ext["name"])
        if key in seen:
            first = seen[key]
            first["extensions"]["arguments"] += f", {ext['arguments']}"
            first["message"] = (
                f"Field '{ext['name']}' is missing required arguments:"
                f" {first['extensions']['arguments']}"
            )
        else:
            seen[key] = e
            out.append(e)
    return out


_VAR_NAME = re.compile(r"Variable '\$(\w+)'")


def operation(document: DocumentNode, name: str | None) -> OperationDefinitionNode | None:
    ops = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if name is None:
        return ops[0] if len(ops) == 1 else None
    return next((o for o in ops if o.name and o.name.value == name), None)


def coerce_variables(
    op: OperationDefinitionNode, variables: dict[str, Any], version: str = BASE_VERSION
) -> dict[str, Any] | list[dict[str, Any]]:
    """The variables coerced to their declared types, or Shopify's
    ``was provided invalid value`` errors."""
    schema = admin_schema(version)
    result = get_variable_values(schema, op.variable_definitions or (), variables)
    if not isinstance(result, list):
        return dict(result.coerced)
    declared = {d.variable.name.value: d for d in op.variable_definitions or ()}
    errors = []
    for err in result:
        m = _VAR_NAME.search(err.message)
        name = m.group(1) if m else "?"
        definition = declared.get(name)
        type_ = _type_text(definition.type) if definition is not None else "?"
        errors.append(se.invalid_variable(err, name, type_, variables.get(name)))
    return errors


def _type_text(node: Any) -> str:
    return print_ast(node)
