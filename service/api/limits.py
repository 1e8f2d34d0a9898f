"""Limits on what one GraphQL document may ask for.

Depth, alias and token limits come from Strawberry. The cost limit is ours:
a field costs one, times the page sizes (`first`) of the lists around it,
so a request that would fan out into millions of resolver calls is refused
before it runs, with a message that gives its cost and the limit.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationRule,
    VariableNode,
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
DEFAULT_PAGE = 50
MAX_PAGE = 250


def _page_size(field: FieldNode) -> int:
    """The list size a field asks for; a page size given by a variable counts as the maximum."""
    for arg in field.arguments or ():
        if arg.name.value not in ("first", "last"):
            continue
        value = arg.value
        if isinstance(value, IntValueNode):
            return max(1, int(value.value))
        if isinstance(value, VariableNode):
            return MAX_PAGE
        return DEFAULT_PAGE
    return 1


class CostLimitRule(ValidationRule):
    def enter_operation_definition(self, node: OperationDefinitionNode, *_: Any) -> None:
        fragments = {
            d.name.value: d
            for d in self.context.document.definitions
            if isinstance(d, FragmentDefinitionNode)
        }
        cost = self._cost(node.selection_set, fragments, 1, set())
        if cost > MAX_COST:
            name = node.name.value if node.name else "anonymous operation"
            self.report_error(
                GraphQLError(
                    f"'{name}' would cost {cost}, over the limit of {MAX_COST}: "
                    "ask for smaller pages (first) or fewer fields",
                    node,
                )
            )

    def _cost(
        self,
        selection_set: SelectionSetNode | None,
        fragments: dict[str, FragmentDefinitionNode],
        multiplier: int,
        seen: set[str],
    ) -> int:
        if selection_set is None:
            return 0
        total = 0
        for sel in selection_set.selections:
            if isinstance(sel, FieldNode):
                total += multiplier
                inner = multiplier * _page_size(sel)
                total += self._cost(sel.selection_set, fragments, inner, seen)
            elif isinstance(sel, InlineFragmentNode):
                total += self._cost(sel.selection_set, fragments, multiplier, seen)
            elif isinstance(sel, FragmentSpreadNode):
                name = sel.name.value
                if name in seen or name not in fragments:
                    continue
                total += self._cost(
                    fragments[name].selection_set, fragments, multiplier, seen | {name}
                )
        return total


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
        lambda: ValidationCache(maxsize=256),
        lambda: MaskErrors(should_mask_error=should_mask),
    ]
