"""graphql-core's validation errors restated as Shopify states them.

Shopify's Admin API runs graphql-ruby: a refused document gets HTTP 200
and ``{"errors": [...]}`` whose messages and ``extensions.code`` are
graphql-ruby's static-validation ones (``undefinedField``,
``argumentNotAccepted``, ``missingRequiredArguments``,
``argumentLiteralsIncompatible``, ...), with the error's place as a
``path`` of operation, fragments and fields. Clients match on those codes,
so the fake answers with the same words rather than graphql-core's.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from graphql import GraphQLError, Node, print_ast

from tests.fakes.shopify.ast_index import AstIndex

ShopifyError = dict[str, Any]
Adapter = Callable[[GraphQLError, AstIndex], ShopifyError]


def _base(
    error: GraphQLError, message: str, index: AstIndex, node: Node | None = None
) -> ShopifyError:
    out: ShopifyError = {"message": message}
    if error.locations:
        out["locations"] = [{"line": loc.line, "column": loc.column} for loc in error.locations]
    target = node if node is not None else (error.nodes[0] if error.nodes else None)
    out["path"] = list(index.path_of(target))
    return out


def _with(base: ShopifyError, code: str, **extensions: Any) -> ShopifyError:
    base["extensions"] = {"code": code, **extensions}
    return base


def undefined_field(error: GraphQLError, index: AstIndex) -> ShopifyError:
    node = error.nodes[0] if error.nodes else None
    place = index.fields.get(id(node))
    if place is None:
        return generic("undefinedField")(error, index)
    message = f"Field '{place.name}' doesn't exist on type '{place.parent_type}'"
    return _with(
        _base(error, message, index),
        "undefinedField",
        typeName=place.parent_type,
        fieldName=place.name,
    )


def argument_not_accepted(error: GraphQLError, index: AstIndex) -> ShopifyError:
    node = error.nodes[0] if error.nodes else None
    place = index.arguments.get(id(node))
    if place is None:
        return generic("argumentNotAccepted")(error, index)
    message = f"Field '{place.field.name}' doesn't accept argument '{place.name}'"
    return _with(
        _base(error, message, index),
        "argumentNotAccepted",
        name=place.field.name,
        typeName="Field",
        argumentName=place.name,
    )


_MISSING_ARG = re.compile(r"\((\w+):\)")


def missing_required_arguments(error: GraphQLError, index: AstIndex) -> ShopifyError:
    node = error.nodes[0] if error.nodes else None
    place = index.fields.get(id(node))
    m = _MISSING_ARG.search(error.message)
    if place is None or m is None:
        return generic("missingRequiredArguments")(error, index)
    message = f"Field '{place.name}' is missing required arguments: {m.group(1)}"
    return _with(
        _base(error, message, index),
        "missingRequiredArguments",
        className="Field",
        name=place.name,
        arguments=m.group(1),
    )


def argument_literals_incompatible(error: GraphQLError, index: AstIndex) -> ShopifyError:
    node = error.nodes[0] if error.nodes else None
    place = index.arguments.get(id(node))
    if place is None or node is None:
        return generic("argumentLiteralsIncompatible")(error, index)
    value = print_ast(node)
    message = (
        f"Argument '{place.name}' on Field '{place.field.name}' has an invalid value ({value})."
        f" Expected type '{place.expected_type}'."
    )
    base = _base(error, message, index)
    base["path"] = list(place.path)
    return _with(base, "argumentLiteralsIncompatible", typeName="Field", argumentName=place.name)


def selection_mismatch(error: GraphQLError, index: AstIndex) -> ShopifyError:
    node = error.nodes[0] if error.nodes else None
    place = index.fields.get(id(node)) or index.selection_sets.get(id(node))
    if place is None:
        return generic("selectionMismatch")(error, index)
    if id(node) in index.selection_sets:
        message = (
            f"Selections can't be made on scalars (field '{place.name}' returns"
            f" {place.return_type} but has selections [{_selected(node)}])"
        )
    else:
        message = (
            f"Field must have selections (field '{place.name}' returns {place.return_type}"
            f" but has no selections. Did you mean '{place.name} {{ ... }}'?)"
        )
    base = _base(error, message, index)
    base["path"] = list(place.path)
    return _with(
        base, "selectionMismatch", nodeName=f"field '{place.name}'", typeName=place.return_type
    )


def _selected(node: Any) -> str:
    names = [getattr(s, "name", None) for s in getattr(node, "selections", ())]
    return ", ".join(n.value for n in names if n is not None)


_TYPE_NAME = re.compile(r"Unknown type '(\w+)'")


def undefined_type(error: GraphQLError, index: AstIndex) -> ShopifyError:
    m = _TYPE_NAME.search(error.message)
    name = m.group(1) if m else "?"
    message = f"No such type {name}, so it can't be a fragment condition"
    return _with(_base(error, message, index), "undefinedType", typeName=name)


_SPREAD = re.compile(r"objects of type '(\w+)' can never be of type '(\w+)'")


def cannot_spread_fragment(error: GraphQLError, index: AstIndex) -> ShopifyError:
    m = _SPREAD.search(error.message)
    if m is None:
        return generic("cannotSpreadFragment")(error, index)
    parent, fragment_type = m.groups()
    message = f"Fragment on {fragment_type} can't be spread inside {parent}"
    return _with(
        _base(error, message, index),
        "cannotSpreadFragment",
        typeName=fragment_type,
        fragmentName="unknown",
        parentName=parent,
    )


_VARIABLE = re.compile(r"Variable '\$(\w+)'")
_OPERATION = re.compile(r"operation '(\w+)'")


def variable_not_used(error: GraphQLError, index: AstIndex) -> ShopifyError:
    var = _VARIABLE.search(error.message)
    op = _OPERATION.search(error.message)
    name, owner = (var.group(1) if var else "?"), (op.group(1) if op else "anonymous query")
    message = f"Variable ${name} is declared by {owner} but not used"
    return _with(_base(error, message, index), "variableNotUsed", variableName=name)


def variable_not_defined(error: GraphQLError, index: AstIndex) -> ShopifyError:
    var = _VARIABLE.search(error.message)
    name = var.group(1) if var else "?"
    owner = next((p for p in index.path_of(error.nodes[-1] if error.nodes else None)), "query")
    owner = owner.split(" ", 1)[1] if " " in owner else "anonymous query"
    message = f"Variable ${name} is used by {owner} but not declared"
    return _with(_base(error, message, index), "variableNotDefined", variableName=name)


_POSITION = re.compile(r"of type '([^']+)' used in position expecting type '([^']+)'")


def variable_mismatch(error: GraphQLError, index: AstIndex) -> ShopifyError:
    var = _VARIABLE.search(error.message)
    pos = _POSITION.search(error.message)
    usage = error.nodes[-1] if error.nodes else None
    place = index.arguments.get(id(usage))
    if var is None or pos is None or place is None:
        return generic("variableMismatch")(error, index)
    given, wanted = pos.groups()
    same = given.replace("!", "") == wanted.replace("!", "")
    kind = "Nullability mismatch" if same else "Type mismatch"
    message = f"{kind} on variable ${var.group(1)} and argument {place.name} ({given} / {wanted})"
    base = _base(error, message, index, usage)
    return _with(
        base,
        "variableMismatch",
        variableName=var.group(1),
        typeName=given,
        argumentName=place.name,
        errorMessage=kind,
    )


def generic(code: str) -> Adapter:
    """graphql-core's own words under Shopify's code, for rules whose
    exact graphql-ruby wording no test depends on."""

    def adapt(error: GraphQLError, index: AstIndex) -> ShopifyError:
        return _with(_base(error, error.message, index), code)

    return adapt


def syntax_error(error: GraphQLError) -> ShopifyError:
    """A document that does not parse: graphql-ruby says ``syntax error``
    and where; there is no ``extensions.code``."""
    loc = error.locations[0] if error.locations else None
    where = f" at [{loc.line}, {loc.column}]" if loc else ""
    what = error.message.removeprefix("Syntax Error: ").rstrip(".")
    out: ShopifyError = {"message": f"syntax error, {what}{where}"}
    if loc:
        out["locations"] = [{"line": loc.line, "column": loc.column}]
    return out


def invalid_variable(error: GraphQLError, name: str, type_: str, value: Any) -> ShopifyError:
    """A variable value that does not fit its declared type: graphql-ruby's
    ``Variable $x of type T was provided invalid value`` with the problem."""
    out: ShopifyError = {"message": f"Variable ${name} of type {type_} was provided invalid value"}
    if error.locations:
        out["locations"] = [{"line": loc.line, "column": loc.column} for loc in error.locations]
    out["extensions"] = {
        "code": "INVALID_VARIABLE",
        "value": value,
        "problems": [{"path": [], "explanation": error.message}],
    }
    return out


def too_few_page_arguments(error: GraphQLError, index: AstIndex) -> ShopifyError:
    """Shopify's own rule: a connection outside a bulk query needs ``first``
    or ``last``."""
    return _base(error, error.message, index)
