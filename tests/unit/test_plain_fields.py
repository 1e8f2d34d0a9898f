"""Plain fields read directly answer exactly as graphql-core's ordinary way.

Every document runs on two schemas built from the same types: one with
Strawberry's execution, one with ours. Data and errors (message, path,
locations) must be the same, including nulls where the schema promises a
value, values a scalar refuses, resolvers that fail inside lists, and async
resolvers under plain objects.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from enum import Enum
from typing import Any

import pytest
import strawberry
from strawberry.extensions import SchemaExtension

from service.api.execution import PlainFieldExecution
from service.api.plain_fields import plan_for
from service.api.schema import schema as storebooks_schema


@strawberry.enum
class Kind(Enum):
    INCOME = "INCOME"
    EXPENSE = "EXPENSE"


@strawberry.type
class Amount:
    amount: Decimal
    currency_code: str


@strawberry.interface
class Named:
    name: str


@strawberry.type
class Tagged(Named):
    tag: str


@strawberry.type
class Line:
    key: str
    name: str | None
    depth: int
    amount: Amount
    kind: Kind
    day: dt.date
    share: float
    active: bool
    parent: Amount | None = None
    labels: list[str] = strawberry.field(default_factory=list)

    @strawberry.field
    def upper(self) -> str:
        return self.key.upper()

    @strawberry.field
    async def later(self) -> str:
        return self.key + "!"

    @strawberry.field
    def fails(self) -> str:
        raise ValueError(f"no {self.key}")


@strawberry.type
class Broken:
    count: int  # holds a text the Int scalar refuses
    promised: str  # holds None
    amounts: list[Amount]  # holds a None among its amounts


@strawberry.type
class Report:
    lines: list[Line]
    maybe_lines: list[Line | None]
    total: Amount
    missing: Amount | None
    broken: Broken | None
    broken_list: list[Broken] | None
    named: Named


def _line(key: str, depth: int = 0) -> Line:
    return Line(
        key=key,
        name=None if depth else key.title(),
        depth=depth,
        amount=Amount(amount=Decimal("12.30") * (depth + 1), currency_code="USD"),
        kind=Kind.INCOME if depth else Kind.EXPENSE,
        day=dt.date(2025, 1, depth + 1),
        share=0.5,
        active=bool(depth),
        parent=Amount(amount=Decimal("1.00"), currency_code="USD") if depth else None,
        labels=[key, "x"],
    )


def _report() -> Report:
    lines = [_line("sales", 0), _line("refunds", 1), _line("fees", 2)]
    broken: Any = Broken(count=0, promised="", amounts=[])
    broken.count = "many"
    broken.promised = None
    broken.amounts = [Amount(amount=Decimal(1), currency_code="USD"), None]
    return Report(
        lines=lines,
        maybe_lines=[lines[0], None],
        total=Amount(amount=Decimal("-0.01"), currency_code="EUR"),
        missing=None,
        broken=broken,
        broken_list=[broken],
        named=Tagged(name="n", tag="t"),
    )


@strawberry.type
class Query:
    @strawberry.field
    def report(self) -> Report:
        return _report()

    @strawberry.field
    async def later_report(self) -> Report:
        return _report()


SEEN: list[str] = []


class SeesEveryField(SchemaExtension):
    def resolve(self, _next: Any, root: Any, info: Any, *args: Any, **kwargs: Any) -> Any:
        SEEN.append(info.field_name)
        return _next(root, info, *args, **kwargs)


ORDINARY = strawberry.Schema(query=Query, types=[Tagged])
PLAIN = strawberry.Schema(query=Query, types=[Tagged], execution_context_class=PlainFieldExecution)

AMOUNT = "amount { amount currencyCode }"
PLAIN_LINE = f"key name depth kind day share active {AMOUNT} parent {{ amount }}"
LINE = f"{PLAIN_LINE} labels"
DOCUMENTS = [
    f"{{ report {{ lines {{ {PLAIN_LINE} }} total {{ amount }} }} }}",
    f"{{ report {{ lines {{ {LINE} }} total {{ amount currencyCode }} missing {{ amount }} }} }}",
    f"{{ laterReport {{ lines {{ {LINE} upper later }} }} }}",
    "{ report { lines { k: key key n: name upper } t: total { a: amount amount } } }",
    "{ report { lines { __typename key amount { __typename amount } } __typename } }",
    "query($s: Boolean!) { report { lines { key @skip(if: $s) name @include(if: $s) depth } } }",
    "fragment A on Amount { amount } { report { total { ...A currencyCode } "
    "lines { ... on Line { key amount { ...A } } } } }",
    "{ report { lines { key fails } } }",
    "{ report { maybeLines { key } } }",
    "{ report { broken { count } } }",
    "{ report { broken { promised } } }",
    "{ report { brokenList { promised } } }",
    "{ laterReport { brokenList { count } total { amount } } }",
    "{ report { named { name ... on Tagged { tag } } } }",
    "{ report { broken { amounts { amount } } brokenList { amounts { currencyCode } } } }",
    "query($s: Boolean!) { report { lines { key @skip(if: $s) } "
    "total { amount @include(if: $s) } } }",
    "{ report { lines { later fails } } }",
]


def _outcome(result: Any) -> tuple[Any, Any]:
    errors = [
        (e.message, e.path, [(loc.line, loc.column) for loc in e.locations or ()])
        for e in result.errors or ()
    ]
    return result.data, sorted(errors, key=repr)


@pytest.mark.parametrize("document", DOCUMENTS)
async def test_same_answer_as_graphql_core(document: str) -> None:
    for skip in (True, False):
        variables = {"s": skip} if "$s" in document else None
        ordinary = await ORDINARY.execute(document, variable_values=variables)
        plain = await PLAIN.execute(document, variable_values=variables)
        assert _outcome(plain) == _outcome(ordinary)


async def test_null_in_a_non_null_field_is_an_error_on_its_path() -> None:
    result = await PLAIN.execute("{ report { broken { promised } } }")
    assert result.data == {"report": {"broken": None}}
    assert result.errors is not None
    assert result.errors[0].path == ["report", "broken", "promised"]


async def test_an_extension_that_hooks_fields_still_sees_every_field() -> None:
    hooked = strawberry.Schema(
        query=Query, extensions=[SeesEveryField], execution_context_class=PlainFieldExecution
    )
    SEEN.clear()
    await hooked.execute("{ report { total { amount currencyCode } } }")
    assert SEEN == ["report", "total", "amount", "currencyCode"]


def test_statement_fields_are_read_directly() -> None:
    """Guards the statements' speed: an upgrade of Strawberry that wraps these
    fields again would make every statement slower without failing anything."""
    assert storebooks_schema.execution_context_class is PlainFieldExecution
    types = storebooks_schema._schema.type_map
    for type_name, field in [
        ("StatementLine", "accountKey"),
        ("StatementLine", "amount"),
        ("Money", "amount"),
        ("ProfitAndLoss", "columns"),
        ("ProfitAndLossColumn", "lines"),
    ]:
        assert plan_for(types[type_name].fields[field]) is not None, f"{type_name}.{field}"  # type: ignore[attr-defined]
    assert plan_for(types["ProfitAndLoss"].fields["missingCostLines"]) is None  # type: ignore[attr-defined]
