"""Statements answered without a detour per field.

A profit and loss by month asked for with every field is some 1,600 fields,
nearly all of them an attribute of a Python object: an account's key, its
name, an amount. graphql-core builds a resolve info and calls Strawberry's
wrapper for each, which made such an answer several times slower than its
SQL. Plain fields (service/api/plain_fields.py) are read here directly; an
object whose selected fields are all plain, down to its scalars (a statement
line with its amount), is read whole by a reader made once per request.
Everything else (resolvers, interfaces, @defer, nulls where the schema
promises a value, values a scalar refuses) goes graphql-core's ordinary way,
so answers and errors read and are placed exactly as before.
"""

from __future__ import annotations

from collections.abc import Awaitable, Sequence
from typing import Any

from graphql import (
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLResolveInfo,
    Undefined,
)
from graphql.execution.collect_fields import FieldDetailsList, GroupedFieldSet
from graphql.pyutils import Path, gather_with_cancel
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from service.api.plain_fields import Plain, Reader, leaf_answer, plain_object, plan_for, read

# What a field's completion is when nothing in it is still running.
_ANSWERS = frozenset({dict, list, str, int, float, bool, type(None)})

# One selection of an object: each field's response key, its selections, its plan.
Row = tuple[tuple[str, FieldDetailsList, Plain | None], ...]


class PlainFieldExecution(StrawberryGraphQLCoreExecutionContext):
    """Strawberry's execution, with plain fields read directly (see the module)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        manager = self.middleware_manager
        # A schema extension that hooks every field must see every field.
        self.plain_allowed = manager is None or not manager.middlewares
        # graphql-core hands every item of a list the same selection: its row
        # is worked out once per request, kept with the selection it is for.
        self.rows: dict[int, tuple[GroupedFieldSet, GraphQLObjectType, Row | None]] = {}
        self.readers: dict[int, tuple[FieldDetailsList, GraphQLObjectType, Reader | None]] = {}

    def row(self, parent_type: GraphQLObjectType, grouped: GroupedFieldSet) -> Row | None:
        """The selection's row when some of its fields are plain, else None."""
        found = self.rows.get(id(grouped))
        if found is not None and found[0] is grouped and found[1] is parent_type:
            return found[2]
        row: Row | None = None
        if self.plain_allowed:
            entries = tuple(
                (name, details, self._plan(parent_type, details))
                for name, details in grouped.items()
            )
            if any(plan is not None for *_, plan in entries):
                row = entries
        self.rows[id(grouped)] = (grouped, parent_type, row)
        return row

    def reader(self, obj: GraphQLObjectType, details: FieldDetailsList) -> Reader | None:
        """A reader for the field's objects when all they are asked for is plain."""
        found = self.readers.get(id(details))
        if found is not None and found[0] is details and found[1] is obj:
            return found[2]
        grouped, defer_usages, _ = self.collect_subfields(obj, details)
        reader = None if defer_usages else self._reader(obj, grouped)
        self.readers[id(details)] = (details, obj, reader)
        return reader

    def _reader(self, obj: GraphQLObjectType, grouped: GroupedFieldSet) -> Reader | None:
        fields = []
        for name, details in grouped.items():
            plan = self._plan(obj, details)
            if plan is None:
                return None
            child = None
            if plan.obj is not None:
                child = self.reader(plan.obj, details)
                if child is None:
                    return None
            fields.append((name, plan, child))
        return Reader(tuple(fields)) if fields else None  # all skipped: nothing to read

    def _plan(self, parent_type: GraphQLObjectType, details: FieldDetailsList) -> Plain | None:
        node = details[0].node
        if node.arguments or node.directives:  # @skip and @include were applied already
            return None
        field_def = self.schema.get_field(parent_type, node.name.value)
        return plan_for(field_def) if field_def is not None else None

    def execute_fields(
        self,
        parent_type: GraphQLObjectType,
        source_value: Any,
        path: Path | None,
        grouped_field_set: GroupedFieldSet,
        position_context: Any,
    ) -> Any:
        """graphql-core's loop over an object's fields, with plain fields read in place."""
        row = self.row(parent_type, grouped_field_set) if position_context is None else None
        if row is None:  # nothing plain, or under @defer
            return super().execute_fields(
                parent_type, source_value, path, grouped_field_set, position_context
            )
        results: dict[str, Any] = {}
        pending: list[str] = []
        try:
            for name, details, plan in row:
                result: Any = Undefined
                if plan is not None:
                    if plan.leaf is not None:  # most fields: a scalar, never awaitable
                        result = leaf_answer(plan, plan.leaf, source_value)
                        if result is not Undefined:
                            results[name] = result
                            continue
                    else:
                        result = self._objects(plan, source_value, details, path, name, parent_type)
                if result is Undefined:  # not plain, or an error to report the ordinary way
                    field_path = Path(path, name, parent_type.name)
                    result = super().execute_field(
                        parent_type, source_value, details, field_path, None
                    )
                    if result is Undefined:
                        continue
                results[name] = result
                if type(result) not in _ANSWERS and self.is_awaitable(result):
                    pending.append(name)
        except Exception:
            if pending:  # settle what other fields started: they may fail too
                self.settle_in_background([results[name] for name in pending])
            raise
        if not pending:
            return results
        return _gathered(results, pending)

    def _objects(
        self,
        plan: Plain,
        source: Any,
        details: FieldDetailsList,
        path: Path | None,
        name: str,
        parent_type: GraphQLObjectType,
    ) -> Any:
        """An object or list field's answer, or Undefined to leave it to graphql-core."""
        value: Any = getattr(source, plan.attribute, Undefined)
        if value is None:
            return Undefined if plan.non_null else None
        if not self._completable(plan, value):
            return Undefined
        assert plan.obj is not None
        reader = self.reader(plan.obj, details)
        if reader is not None:
            try:
                if plan.item is None:
                    return read(reader, value)
                return [read(reader, item) for item in value]
            except Exception:  # an error: reported the ordinary way below
                pass
        grouped, defer_usages, _ = self.collect_subfields(plan.obj, details)
        if defer_usages:
            return Undefined
        field_path = Path(path, name, parent_type.name)
        try:
            if plan.item is None:
                completed = self.execute_fields(plan.obj, value, field_path, grouped, None)
            else:
                completed = self._items(plan, value, details, field_path, grouped)
        except Exception as raw_error:
            self.handle_field_error(raw_error, plan.declared, details, field_path)
            return None
        if type(completed) not in _ANSWERS and self.is_awaitable(completed):
            return self._settled(completed, plan.declared, details, field_path)
        return completed

    def _completable(self, plan: Plain, value: Any) -> bool:
        """Whether the value is what a plain object or list field can answer from."""
        is_awaitable = self.is_awaitable
        if plan.item is None:
            return not (value is Undefined or isinstance(value, Exception) or is_awaitable(value))
        if type(value) not in (list, tuple):
            return False
        return not any(
            item is None or isinstance(item, Exception) or is_awaitable(item) for item in value
        )

    def _items(
        self,
        plan: Plain,
        items: Sequence[Any],
        details: FieldDetailsList,
        path: Path,
        grouped: GroupedFieldSet,
    ) -> Any:
        """A list of objects, each item's error reported at the item as graphql-core does."""
        assert plan.obj is not None and plan.item is not None
        completed: list[Any] = []
        pending: list[int] = []
        try:
            for index, item in enumerate(items):
                item_path = path.add_key(index, None)
                try:
                    answer = self.execute_fields(plan.obj, item, item_path, grouped, None)
                except Exception as raw_error:
                    self.handle_field_error(raw_error, plan.item, details, item_path)
                    answer = None
                if type(answer) is not dict and self.is_awaitable(answer):
                    answer = self._settled(answer, plan.item, details, item_path)
                    pending.append(index)
                completed.append(answer)
        except Exception:
            if pending:
                self.settle_in_background([completed[index] for index in pending])
            raise
        if not pending:
            return completed
        return _gathered_items(completed, pending)

    def complete_value(
        self,
        return_type: GraphQLOutputType,
        field_details_list: FieldDetailsList,
        info: GraphQLResolveInfo[Any],
        path: Path,
        result: Any,
        position_context: Any,
    ) -> Any:
        """A resolver's object, or an item of a list: its fields, without the detours."""
        obj = plain_object(return_type) if self.plain_allowed else None
        if (
            obj is None
            or position_context is not None
            or result is None
            or result is Undefined
            or isinstance(result, Exception)
        ):
            return super().complete_value(
                return_type, field_details_list, info, path, result, position_context
            )
        reader = self.reader(obj, field_details_list)
        if reader is not None:
            try:
                return read(reader, result)
            except Exception:  # an error: reported the ordinary way below
                pass
        grouped, defer_usages, _ = self.collect_subfields(obj, field_details_list)
        if defer_usages:
            return self.collect_and_execute_subfields(obj, field_details_list, path, result, None)
        return self.execute_fields(obj, result, path, grouped, None)

    async def _settled(
        self,
        completed: Awaitable[Any],
        field_type: GraphQLOutputType,
        details: FieldDetailsList,
        path: Path,
    ) -> Any:
        try:
            return await completed
        except Exception as raw_error:
            self.handle_field_error(raw_error, field_type, details, path)
            return None


async def _gathered(results: dict[str, Any], pending: list[str]) -> dict[str, Any]:
    """The object once the fields that were still running have answered."""
    if len(pending) == 1:
        results[pending[0]] = await results[pending[0]]
    else:
        answers = await gather_with_cancel(*(results[name] for name in pending))
        results.update(zip(pending, answers, strict=True))
    return results


async def _gathered_items(completed: list[Any], pending: list[int]) -> list[Any]:
    """The list once the items that were still running have answered."""
    answers = await gather_with_cancel(*(completed[index] for index in pending))
    for index, answer in zip(pending, answers, strict=True):
        completed[index] = answer
    return completed
