"""Checks every field's arguments and every mutation's caller before it runs.

One place refuses what no resolver should ever see, so that the resolvers
need not each remember it: text with NUL characters or lone surrogates
(PostgreSQL cannot store them), dates outside 1970-2200 (date arithmetic
overflows near year 1 and 9999), and, for mutations, a token whose role
does not allow the change. Mutations answer with userErrors naming the
field, queries with an error naming the argument. Each refused mutation is
logged as one line, and each accepted one is written to the audit log with
the token that asked for it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import re
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

from strawberry.extensions.field_extension import FieldExtension
from strawberry.types.field import StrawberryField

from service.api.audit import begin_audit, canonical, finish_audit
from service.api.context import Info
from service.api.errors import ClientError
from service.api.types.user_error import UserError, UserErrorCode
from service.commands.idempotency import IdempotencyKeyReused, current_input_hash, input_hash
from service.ledger.tokens import role_allows

log = logging.getLogger("storebooks.api")
MIN_YEAR, MAX_YEAR = 1970, 2200
MAX_TEXT = 2_000_000
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(p[:1].upper() + p[1:] for p in rest)


def _walk(value: Any, path: str) -> Iterator[tuple[str, Any]]:
    """Every leaf of an argument, with its path as the client wrote it."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        for f in dataclasses.fields(value):
            yield from _walk(getattr(value, f.name), f"{path}.{camel(f.name)}")
    elif isinstance(value, list | tuple):
        for i, item in enumerate(value):
            yield from _walk(item, f"{path}.{i}")
    else:
        yield path, value


def problem(value: Any) -> str | None:
    """Why a leaf value is refused, or None."""
    if isinstance(value, str):
        if len(value) > MAX_TEXT:
            return f"is longer than {MAX_TEXT} characters"
        if "\x00" in value:
            return "contains a NUL character"
        if _LONE_SURROGATE.search(value):
            return "contains a lone surrogate (not valid Unicode text)"
    elif isinstance(value, dt.date) and not MIN_YEAR <= value.year <= MAX_YEAR:
        return f"must be a date between {MIN_YEAR} and {MAX_YEAR}"
    return None


def argument_problems(arguments: dict[str, Any]) -> list[tuple[str, str]]:
    found = []
    for name, value in arguments.items():
        for path, leaf in _walk(value, camel(name)):
            reason = problem(leaf)
            if reason is not None:
                found.append((path, reason))
    return found


class QueryGuard(FieldExtension):
    """Refuses a query's malformed arguments with an error naming them."""

    def resolve(self, next_: Callable[..., Any], source: Any, info: Info, **kwargs: Any) -> Any:
        _check_arguments(kwargs)
        return next_(source, info, **kwargs)

    async def resolve_async(
        self, next_: Callable[..., Awaitable[Any]], source: Any, info: Info, **kwargs: Any
    ) -> Any:
        _check_arguments(kwargs)
        return await next_(source, info, **kwargs)


def _check_arguments(kwargs: dict[str, Any]) -> None:
    for path, reason in argument_problems(kwargs):
        raise ClientError(f"{path} {reason}", "BAD_USER_INPUT")


class MutationGuard(FieldExtension):
    """Role, then arguments; after the change, the audit record."""

    def __init__(self, role: str = "BOOKKEEPER") -> None:
        self.role = role
        self.field: StrawberryField | None = None

    def apply(self, field: StrawberryField) -> None:
        self.field = field

    def _refuse(self, info: Info, errors: list[UserError]) -> Any:
        assert self.field is not None
        payload: Any = self.field.type
        log.info(
            "%s refused: %s",
            info.field_name,
            "; ".join(f"{e.field} {e.code.value}: {e.message}" for e in errors),
        )
        return payload(user_errors=errors)

    def refusals(self, info: Info, kwargs: dict[str, Any]) -> list[UserError]:
        ctx = info.context
        if not role_allows(ctx.role, self.role):
            return [
                UserError(
                    field=None,
                    code=UserErrorCode.FORBIDDEN,
                    message=f"{info.field_name} needs a token with the {self.role} role; "
                    f"this token is {ctx.role}",
                )
            ]
        return [
            UserError(field=path, code=UserErrorCode.INVALID, message=f"{path} {reason}")
            for path, reason in argument_problems(kwargs)
        ]

    async def resolve_async(
        self, next_: Callable[..., Awaitable[Any]], source: Any, info: Info, **kwargs: Any
    ) -> Any:
        errors = self.refusals(info, kwargs)
        if errors:
            return self._refuse(info, errors)
        current_input_hash.set(input_hash(canonical(kwargs)))
        begin_audit(info.context, info.field_name, kwargs)
        try:
            result = await next_(source, info, **kwargs)
        except IdempotencyKeyReused as exc:
            reused = UserError(
                field="input.idempotencyKey",
                code=UserErrorCode.IDEMPOTENCY_KEY_REUSED,
                message=str(exc),
            )
            return self._refuse(info, [reused])
        user_errors = getattr(result, "user_errors", None)
        if user_errors:
            self._refuse(info, user_errors)  # logged once, as one line
        else:
            await finish_audit(info.context)
        return result


# Settings, credentials and tokens change how all the books read: ADMIN only.
ADMIN_MUTATIONS = frozenset(
    {
        "update_bookkeeping_settings",
        "set_channel_status",
        "set_gateway_mapping",
        "set_export_account_map",
        "connect_shopify_store",
        "connect_amazon_account",
        "connect_tiktok_shop",
        "set_settlement_mapping",
        "connect_inventory_system",
        "connect_processor_account",
        "create_api_token",
        "revoke_api_token",
        "close_books",
        "reopen_books",
    }
)


def guard_fields(query: type, mutation: type) -> None:
    """Put the guards on every root field; called once, before the schema is built."""
    for field in query.__strawberry_definition__.fields:  # type: ignore[attr-defined]
        field.extensions.append(QueryGuard())
    for field in mutation.__strawberry_definition__.fields:  # type: ignore[attr-defined]
        role = "ADMIN" if field.python_name in ADMIN_MUTATIONS else "BOOKKEEPER"
        field.extensions.append(MutationGuard(role))
