"""The audit record: which token made which change, with a summary of its input.

Secrets in an input (access tokens, API keys, webhook secrets) are never
written; long texts (CSV files) are cut short.
"""

from __future__ import annotations

import dataclasses
import json
from enum import Enum
from typing import Any

from service.api.context import Context
from service.commands.runner import AuditEntry, current_audit, write_audit

_SECRET_WORDS = ("token", "secret", "password", "api_key", "apikey")
_MAX_TEXT = 200


def _summary(value: Any, name: str = "") -> Any:
    if any(w in name.lower() for w in _SECRET_WORDS):
        return "[secret]"
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _summary(getattr(value, f.name), f.name) for f in dataclasses.fields(value)}
    if isinstance(value, list | tuple):
        return [_summary(v) for v in value[:50]]
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, str):
        return value[:_MAX_TEXT]
    if value is None or isinstance(value, bool | int | float):
        return value
    if hasattr(value, "filename"):
        return {"file": str(value.filename)[:_MAX_TEXT], "size": getattr(value, "size", None)}
    return str(value)[:_MAX_TEXT]


def canonical(value: Any) -> Any:
    """The whole input as plain JSON data (secrets included: only hashed, never stored)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: canonical(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): canonical(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [canonical(v) for v in value]
    if isinstance(value, Enum):
        return value.value
    if value is None or isinstance(value, str | bool | int | float):
        return value
    if hasattr(value, "filename"):  # an uploaded file: the same file hashes the same
        return {"file": value.filename, "size": getattr(value, "size", None)}
    return str(value)


def summarize(arguments: dict[str, Any]) -> dict[str, Any]:
    summary = {k: _summary(v, k) for k, v in arguments.items()}
    json.dumps(summary)  # the summary must be plain JSON
    return summary


def begin_audit(ctx: Context, operation: str, arguments: dict[str, Any]) -> None:
    """Name the request's token and input; a command writes them with its change."""
    current_audit.set(AuditEntry(ctx.token_id, operation, summarize(arguments)))


async def finish_audit(ctx: Context) -> None:
    """For a mutation that is not a command yet: the record, after its change."""
    await write_audit(ctx.pool, ctx.company_id)
