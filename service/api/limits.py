"""Limits on what one GraphQL document may ask for, enforced before it runs.

Depth, alias and token limits come from Strawberry. Two checks are ours:

- the document's shape first: how many fragments and spreads it has and how
  many selections it expands to, each fragment counted once (memoised). The
  depth and alias rules walk every spread again, so a few hundred bytes of
  fragments spreading each other would keep them busy for minutes; this
  check refuses such a document in microseconds, before any rule runs;
- the cost: a field costs one, times the sizes of the lists around it. A
  paginated list counts at its `first`; a list without `first` counts at
  the most items it can really hold, so nested lists cannot hide behind a
  small page size.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterator
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLField,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationRule,
    get_named_type,
)
from strawberry.extensions import (
    AddValidationRules,
    MaskErrors,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    SchemaExtension,
    ValidationCache,
)

from service.api.errors import should_mask

MAX_DEPTH = 12
MAX_ALIASES = 30
MAX_TOKENS = 5000
MAX_COST = 50_000
MAX_FRAGMENTS = 50
MAX_SPREADS = 200
MAX_SELECTIONS = 5000
DEFAULT_PAGE = 50
MAX_PAGE = 250
# Lists served whole (no `first`): the most items they can hold in practice.
DEFAULT_LIST_SIZE = 50
LIST_SIZES = {
    "Order.journalEntries": 30,
    "JournalEntry.lines": 20,
    "JournalEntry.sourceEvents": 50,
    "ProfitAndLoss.columns": 60,
    "Query.chartOfAccounts": 100,
    "Query.postingRules": 100,
}


# --- the document's shape -------------------------------------------------


def _expanded_size(
    selection_set: SelectionSetNode | None,
    fragments: dict[str, FragmentDefinitionNode],
    memo: dict[str, int],
    visiting: frozenset[str],
) -> int:
    """Selections the set expands to, each fragment's size computed once."""
    if selection_set is None:
        return 0
    total = 0
    for sel in selection_set.selections:
        if isinstance(sel, FragmentSpreadNode):
            total += _fragment_size(sel.name.value, fragments, memo, visiting)
        else:
            total += 1 + _expanded_size(
                getattr(sel, "selection_set", None), fragments, memo, visiting
            )
        if total > MAX_SELECTIONS:  # no need to count further
            return total
    return total


def _fragment_size(
    name: str,
    fragments: dict[str, FragmentDefinitionNode],
    memo: dict[str, int],
    visiting: frozenset[str],
) -> int:
    if name in memo:
        return memo[name]
    fragment = fragments.get(name)
    if fragment is None or name in visiting:  # unknown or cyclic: graphql-core reports it
        return 0
    size = _expanded_size(fragment.selection_set, fragments, memo, visiting | {name})
    memo[name] = size
    return size


def _count_spreads(node: Any) -> int:
    selection_set: SelectionSetNode | None = getattr(node, "selection_set", None)
    if selection_set is None:
        return 0
    return sum(
        1 if isinstance(s, FragmentSpreadNode) else _count_spreads(s)
        for s in selection_set.selections
    )


def shape_problem(document: DocumentNode) -> str | None:
    """Why the document is too large to validate, or None."""
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    if len(fragments) > MAX_FRAGMENTS:
        return f"the document defines {len(fragments)} fragments, over the limit of {MAX_FRAGMENTS}"
    spreads = sum(_count_spreads(d) for d in document.definitions)
    if spreads > MAX_SPREADS:
        return f"the document has {spreads} fragment spreads, over the limit of {MAX_SPREADS}"
    memo: dict[str, int] = {}
    for d in document.definitions:
        if isinstance(d, OperationDefinitionNode):
            size = _expanded_size(d.selection_set, fragments, memo, frozenset())
            if size > MAX_SELECTIONS:
                return (
                    f"the document expands to more than {MAX_SELECTIONS} selections: "
                    "ask for fewer fields or spread fragments less often"
                )
    return None


# Documents validated lately, by identity. The parser cache hands back the
# same document for the same query text, so a client repeating its query is
# recognised without hashing the whole document again, as the validation
# cache's key would (a statement with every field: some 0.1 ms a request).
_VALIDATED: OrderedDict[int, tuple[DocumentNode, tuple[Any, ...], list[GraphQLError]]] = (
    OrderedDict()
)
_VALIDATED_MAX = 256


class BoundedValidation(ValidationCache):
    """Refuses an oversized document before the validation rules walk it."""

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        if document is None:
            yield from super().on_validate()
            return
        rules = tuple(context.validation_rules)
        known = _VALIDATED.get(id(document))
        if known is not None and known[0] is document and known[1] == rules:
            _VALIDATED.move_to_end(id(document))
            context.pre_execution_errors = known[2]
            yield
            return
        problem = shape_problem(document)
        if problem is not None:
            errors = [GraphQLError(problem)]
        else:
            errors = self.cached_validate_document(context.schema._schema, document, rules)
        _VALIDATED[id(document)] = (document, rules, errors)
        if len(_VALIDATED) > _VALIDATED_MAX:
            _VALIDATED.popitem(last=False)
        context.pre_execution_errors = errors
        yield


# --- the cost -------------------------------------------------------------


def _is_list(output: GraphQLOutputType) -> bool:
    if isinstance(output, GraphQLNonNull):
        output = output.of_type
    return isinstance(output, GraphQLList)


def _page_argument(field: FieldNode, definition: GraphQLField | None) -> int | None:
    """The page size a paginated field asks for; None when it takes no `first`."""
    for arg in field.arguments or ():
        if arg.name.value in ("first", "last"):
            if isinstance(arg.value, IntValueNode):
                return max(1, int(arg.value.value))
            return MAX_PAGE  # a variable may hold the largest page
    if definition is not None and "first" in definition.args:
        default = definition.args["first"].default_value
        return max(1, default) if isinstance(default, int) else DEFAULT_PAGE
    return None


def _list_size(parent: GraphQLNamedType | None, field: FieldNode, definition: Any) -> int:
    page = _page_argument(field, definition)
    if page is not None:
        return page
    if definition is None or not _is_list(definition.type):
        return 1
    if parent is not None and parent.name.endswith("Connection"):
        return 1  # edges and nodes: the connection's `first` counted them already
    key = f"{parent.name if parent else ''}.{field.name.value}"
    return LIST_SIZES.get(key, DEFAULT_LIST_SIZE)


class CostLimitRule(ValidationRule):
    """Refuses an operation whose fields would resolve more than MAX_COST times."""

    def enter_document(self, node: DocumentNode, *_: Any) -> None:
        self.fragments = {
            d.name.value: d for d in node.definitions if isinstance(d, FragmentDefinitionNode)
        }
        self.memo: dict[str, int] = {}

    def enter_operation_definition(self, node: OperationDefinitionNode, *_: Any) -> None:
        root = self.context.schema.get_root_type(node.operation)
        cost = self._cost(root, node.selection_set, frozenset())
        if cost > MAX_COST:
            name = node.name.value if node.name else "anonymous operation"
            self.report_error(
                GraphQLError(
                    f"'{name}' would cost {cost}, over the limit of {MAX_COST}: "
                    "ask for smaller pages (first) or fewer fields",
                    node,
                )
            )

    def _type(self, name: str, fallback: GraphQLNamedType | None) -> GraphQLNamedType | None:
        found = self.context.schema.get_type(name)
        return found if found is not None else fallback

    def _cost(
        self,
        parent: GraphQLNamedType | None,
        selection_set: SelectionSetNode | None,
        seen: frozenset[str],
    ) -> int:
        if selection_set is None:
            return 0
        total = 0
        for sel in selection_set.selections:
            if isinstance(sel, FieldNode):
                total += self._field_cost(parent, sel, seen)
            elif isinstance(sel, InlineFragmentNode):
                inner = (
                    self._type(sel.type_condition.name.value, parent)
                    if sel.type_condition
                    else parent
                )
                total += self._cost(inner, sel.selection_set, seen)
            elif isinstance(sel, FragmentSpreadNode):
                total += self._fragment_cost(sel.name.value, parent, seen)
        return total

    def _field_cost(
        self, parent: GraphQLNamedType | None, sel: FieldNode, seen: frozenset[str]
    ) -> int:
        if sel.name.value.startswith("__"):
            return 1  # introspection reads the static schema: no data behind it
        definition = None
        if isinstance(parent, GraphQLObjectType | GraphQLInterfaceType):
            definition = parent.fields.get(sel.name.value)
        inner = get_named_type(definition.type) if definition is not None else None
        return 1 + _list_size(parent, sel, definition) * self._cost(inner, sel.selection_set, seen)

    def _fragment_cost(
        self, name: str, parent: GraphQLNamedType | None, seen: frozenset[str]
    ) -> int:
        """A fragment's cost is linear in the sizes around it: computed once, multiplied after."""
        if name in self.memo:
            return self.memo[name]
        fragment = self.fragments.get(name)
        if fragment is None or name in seen:
            return 0
        inner = self._type(fragment.type_condition.name.value, parent)
        cost = self._cost(inner, fragment.selection_set, seen | {name})
        self.memo[name] = cost
        return cost


# The limiters' validation rules are classes built from their settings;
# built once here, they stay the same classes across requests, which is what
# lets the validation cache recognise a document it has seen before.
_RULES = [
    *QueryDepthLimiter(max_depth=MAX_DEPTH).validation_rules,
    *MaxAliasesLimiter(max_alias_count=MAX_ALIASES).validation_rules,
    CostLimitRule,
]


def extensions() -> list[Callable[[], SchemaExtension]]:
    """Factories, not instances: each operation gets extensions of its own."""
    return [
        lambda: MaxTokensLimiter(max_token_count=MAX_TOKENS),
        lambda: AddValidationRules(_RULES),
        lambda: ParserCache(maxsize=256),
        lambda: BoundedValidation(maxsize=256),
        lambda: MaskErrors(should_mask_error=should_mask),
    ]
