"""Where each node of a GraphQL document sits, in Shopify's words.

Shopify (graphql-ruby) names an error's place by a path of operation,
fields and fragments (``["query OrdersPage", "orders", "edges", "node",
"x"]``) and names the field, parent type and argument in ``extensions``.
graphql-core's errors carry only AST nodes, so this index maps every
node to that context once per document.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from graphql import (
    ArgumentNode,
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    GraphQLSchema,
    InlineFragmentNode,
    Node,
    OperationDefinitionNode,
    TypeInfo,
    TypeInfoVisitor,
    Visitor,
    visit,
)


@dataclass(frozen=True)
class FieldPlace:
    name: str
    path: tuple[str, ...]
    parent_type: str
    return_type: str  # "" when the field does not exist


@dataclass(frozen=True)
class ArgumentPlace:
    field: FieldPlace
    name: str
    expected_type: str  # "" when the argument does not exist

    @property
    def path(self) -> tuple[str, ...]:
        return (*self.field.path, self.name)


@dataclass
class AstIndex:
    fields: dict[int, FieldPlace] = field(default_factory=dict)
    arguments: dict[int, ArgumentPlace] = field(default_factory=dict)
    """Argument nodes and every value node inside them."""
    selection_sets: dict[int, FieldPlace] = field(default_factory=dict)
    paths: dict[int, tuple[str, ...]] = field(default_factory=dict)
    """Path of every other node that has one (fragments, operations)."""

    def path_of(self, node: Node | None) -> tuple[str, ...]:
        if node is None:
            return ()
        key = id(node)
        if key in self.fields:
            return self.fields[key].path
        if key in self.arguments:
            return self.arguments[key].path
        if key in self.selection_sets:
            return self.selection_sets[key].path
        return self.paths.get(key, ())


class _Indexer(Visitor):
    """Runs inside a ``TypeInfoVisitor`` so the parent type, field and
    argument definitions are known at each node."""

    def __init__(self, info: TypeInfo, index: AstIndex) -> None:
        super().__init__()
        self.info = info
        self.index = index
        self.stack: list[str] = []
        self.field_places: list[FieldPlace] = []
        self.argument: ArgumentPlace | None = None

    def enter(self, node: Any, *_: Any) -> None:
        if isinstance(node, FieldNode):
            self._enter_field(node)
        elif isinstance(node, ArgumentNode):
            self._enter_argument(node)
        elif self.argument is not None:
            self.index.arguments[id(node)] = self.argument
        else:
            label = _label(node)
            if label:
                self.stack.append(label)
            self.index.paths[id(node)] = tuple(self.stack)

    def leave(self, node: Any, *_: Any) -> None:
        if isinstance(node, FieldNode):
            self.field_places.pop()
            self.stack.pop()
        elif isinstance(node, ArgumentNode):
            self.argument = None
        elif self.argument is None and _label(node):
            self.stack.pop()

    def _enter_field(self, node: FieldNode) -> None:
        self.stack.append(node.alias.value if node.alias else node.name.value)
        parent = self.info.get_parent_type()
        definition = self.info.get_field_def()
        place = FieldPlace(
            name=node.name.value,
            path=tuple(self.stack),
            parent_type=getattr(parent, "name", ""),
            return_type=str(definition.type) if definition is not None else "",
        )
        self.field_places.append(place)
        self.index.fields[id(node)] = place
        if node.selection_set is not None:
            self.index.selection_sets[id(node.selection_set)] = place

    def _enter_argument(self, node: ArgumentNode) -> None:
        definition = self.info.get_argument()
        owner = self.field_places[-1] if self.field_places else FieldPlace("", (), "", "")
        self.argument = ArgumentPlace(
            field=owner,
            name=node.name.value,
            expected_type=str(definition.type) if definition is not None else "",
        )
        self.index.arguments[id(node)] = self.argument


def _label(node: Any) -> str:
    if isinstance(node, OperationDefinitionNode):
        kind = node.operation.value
        return f"{kind} {node.name.value}" if node.name else kind
    if isinstance(node, FragmentDefinitionNode):
        return f"fragment {node.name.value}"
    if isinstance(node, InlineFragmentNode):
        cond = node.type_condition
        return f"... on {cond.name.value}" if cond else "..."
    return ""


def index_document(schema: GraphQLSchema, document: DocumentNode) -> AstIndex:
    index = AstIndex()
    info = TypeInfo(schema)
    visit(document, TypeInfoVisitor(info, _Indexer(info, index)))
    return index
