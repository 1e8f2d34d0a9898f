"""Which fields of the schema are plain: answered by reading an attribute.

A field is plain when Strawberry would only read its attribute: no resolver,
no arguments, no extension or permission, the default resolver. Its answer
is then the attribute itself, coerced by its scalar or enum, or for an
object (or a list of objects that are never null) that object's own fields.
Objects whose type must be checked at run time (interfaces) are not plain.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from enum import Enum
from typing import Any, NamedTuple

from graphql import (
    GraphQLField,
    GraphQLLeafType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    Undefined,
)
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.field import StrawberryField

# Values that are data, never awaitable: a plain field holding one is answered
# without asking whether it is awaitable.
DATA = frozenset({str, int, float, bool, Decimal, dt.date, dt.datetime})


class Plain(NamedTuple):
    """How to answer one plain field; exactly one of leaf, obj and items is set."""

    attribute: str
    declared: GraphQLOutputType  # as the schema has it, non-null or not
    non_null: bool
    leaf: GraphQLLeafType | None = None  # a scalar or enum
    obj: GraphQLObjectType | None = None  # an object, or each object of a list
    item: GraphQLOutputType | None = None  # a list's item type (non-null objects)


def plain_object(output: Any) -> GraphQLObjectType | None:
    """The object type when completing a value of it is only reading its fields."""
    if type(output) is GraphQLNonNull:
        output = output.of_type
    if type(output) is GraphQLObjectType and output.is_type_of is None:
        return output
    return None


def _reads_attribute(field_def: GraphQLField) -> StrawberryField | None:
    definition = field_def.extensions.get(GraphQLCoreConverter.DEFINITION_BACKREF)
    if not isinstance(definition, StrawberryField) or field_def.args:
        return None
    if definition.base_resolver or definition.extensions or definition.permission_classes:
        return None
    if definition.default_resolver is not getattr:
        return None
    if not getattr(field_def.resolve, "_is_default", False):  # Strawberry's basic-field resolver
        return None
    return definition


def plain_field(field_def: GraphQLField) -> Plain | None:
    """The field's plan when reading its attribute is all its resolver would do."""
    definition = _reads_attribute(field_def)
    if definition is None:
        return None
    output = field_def.type
    non_null = isinstance(output, GraphQLNonNull)
    inner = output.of_type if isinstance(output, GraphQLNonNull) else output
    name = definition.python_name
    if isinstance(inner, GraphQLLeafType):
        return Plain(name, output, non_null, leaf=inner)
    obj = plain_object(inner)
    if obj is not None:
        return Plain(name, output, non_null, obj=obj)
    if isinstance(inner, GraphQLList) and isinstance(inner.of_type, GraphQLNonNull):
        obj = plain_object(inner.of_type)
        if obj is not None:
            return Plain(name, output, non_null, obj=obj, item=inner.of_type)
    return None


# Each field's plan, by the identity of a field the schema keeps alive;
# the field is held with its plan so that its id cannot be reused.
_PLANS: dict[int, tuple[GraphQLField, Plain | None]] = {}


def plan_for(field_def: GraphQLField) -> Plain | None:
    found = _PLANS.get(id(field_def))
    if found is None:
        found = _PLANS[id(field_def)] = (field_def, plain_field(field_def))
    return found[1]


def leaf_answer(plan: Plain, leaf: GraphQLLeafType, source: Any) -> Any:
    """A scalar or enum field's answer, or Undefined to leave it to graphql-core."""
    value = getattr(source, plan.attribute, Undefined)
    if type(value) in DATA or isinstance(value, Enum):
        try:
            coerced = leaf.coerce_output_value(value)
        except Exception:  # refused: graphql-core reports it
            return Undefined
        return Undefined if coerced is None else coerced
    if value is None and not plan.non_null:
        return None
    return Undefined


class Reader(NamedTuple):
    """How to read an object whose selected fields are all plain, down to its scalars:
    each field's response key, its plan, and for an object or list its own reader."""

    fields: tuple[tuple[str, Plain, Reader | None], ...]


class Odd(Exception):
    """A value a plain read does not answer: graphql-core's ordinary way reports it."""


def read(reader: Reader, source: Any) -> dict[str, Any]:
    """The object's answer. Nothing read can still be running and nothing is
    written, so on Odd (or a scalar's refusal) the caller starts again the
    ordinary way, which places the error as graphql-core does."""
    if source is None or source is Undefined:  # an item or object promised non-null
        raise Odd
    answer: dict[str, Any] = {}
    for name, plan, child in reader.fields:
        value: Any = getattr(source, plan.attribute, Undefined)
        if value is None:
            if plan.non_null:
                raise Odd
            answer[name] = None
        elif child is None:
            answer[name] = _scalar(plan, value)
        elif plan.item is None:
            answer[name] = read(child, value)
        elif type(value) in (list, tuple):
            answer[name] = [read(child, item) for item in value]
        else:
            raise Odd
    return answer


def _scalar(plan: Plain, value: Any) -> Any:
    if plan.leaf is None or not (type(value) in DATA or isinstance(value, Enum)):
        raise Odd
    coerced = plan.leaf.coerce_output_value(value)
    if coerced is None or coerced is Undefined:
        raise Odd
    return coerced
