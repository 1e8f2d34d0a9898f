"""Idempotency keys: a retried request replays the first one's result.

The first call's result and a hash of its input are kept in the same
transaction as its changes. A retry with the same key and the same input
gets that result back without changing anything again, before any
validation (the first call may have changed what would validate). The same
key with a different input is refused, as Stripe does: it is a client bug
that silently returning the first result would hide.
"""

from __future__ import annotations

import hashlib
import json
from contextvars import ContextVar
from typing import Any
from uuid import UUID

import asyncpg

# The hash of the current request's input, set by whoever parsed it (the API
# sets it for every mutation), so that every command stores and compares it.
current_input_hash: ContextVar[str | None] = ContextVar("current_input_hash", default=None)


class IdempotencyKeyReused(Exception):
    """The key was used before for another operation or another input."""

    code = "IDEMPOTENCY_KEY_REUSED"

    def __init__(self, key: str, detail: str) -> None:
        super().__init__(f"idempotency key {key[:100]!r} was already used {detail}")


def input_hash(value: Any) -> str:
    """A stable hash of an input (plain JSON data), its idempotency key left out."""
    if isinstance(value, dict):
        value = {k: v for k, v in value.items() if k not in ("idempotency_key", "idempotencyKey")}
    text = json.dumps(value, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


async def _lock(conn: asyncpg.Connection, company_id: UUID, key: str) -> None:
    """Serialise concurrent retries of one key within the company."""
    await conn.execute(
        "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", f"{company_id}:{key}"
    )


async def replay_or_none(
    conn: asyncpg.Connection,
    company_id: UUID,
    key: str | None,
    operation: str,
    hashed: str | None = None,
) -> dict[str, Any] | None:
    """The stored result of this key, or None when the key is new."""
    if key is None:
        return None
    hashed = hashed or current_input_hash.get()
    await _lock(conn, company_id, key)
    row = await conn.fetchrow(
        "SELECT operation, result, input_hash FROM idempotency_keys WHERE company_id = $1 "
        "AND idempotency_key = $2",
        company_id,
        key,
    )
    if row is None:
        return None
    if row["operation"] != operation:
        raise IdempotencyKeyReused(key, f"for {row['operation']}")
    if hashed and row["input_hash"] and row["input_hash"] != hashed:
        raise IdempotencyKeyReused(key, "with a different input")
    result: dict[str, Any] = row["result"]
    return result


async def remember(
    conn: asyncpg.Connection,
    company_id: UUID,
    key: str | None,
    operation: str,
    result: dict[str, Any],
    hashed: str | None = None,
) -> None:
    if key is None:
        return
    await conn.execute(
        "INSERT INTO idempotency_keys (company_id, idempotency_key, operation, result, "
        "input_hash) VALUES ($1, $2, $3, $4, $5)",
        company_id,
        key,
        operation,
        result,
        hashed or current_input_hash.get(),
    )
