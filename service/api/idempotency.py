"""Idempotency keys for mutations.

A client that retries a mutation after a timeout sends the same key; the
first call's result is kept in the same transaction as its changes, so the
retry returns that result instead of applying the change a second time.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

import asyncpg

from service.api.errors import ClientError


async def replay_or_none(
    conn: asyncpg.Connection, company_id: UUID, key: str | None, operation: str
) -> dict[str, Any] | None:
    if key is None:
        return None
    # Serialise concurrent retries of one key within the company.
    await conn.execute(
        "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", f"{company_id}:{key}"
    )
    row = await conn.fetchrow(
        "SELECT operation, result FROM idempotency_keys WHERE company_id = $1 "
        "AND idempotency_key = $2",
        company_id,
        key,
    )
    if row is None:
        return None
    if row["operation"] != operation:
        raise IdempotencyKeyReused(key, row["operation"])
    result: dict[str, Any] = row["result"]
    return result


async def remember(
    conn: asyncpg.Connection,
    company_id: UUID,
    key: str | None,
    operation: str,
    result: dict[str, Any],
) -> None:
    if key is None:
        return
    await conn.execute(
        "INSERT INTO idempotency_keys (company_id, idempotency_key, operation, result) "
        "VALUES ($1, $2, $3, $4)",
        company_id,
        key,
        operation,
        result,
    )


class IdempotencyKeyReused(ClientError):
    def __init__(self, key: str, operation: str) -> None:
        super().__init__(
            f"idempotency key {key!r} was already used for {operation}", "IDEMPOTENCY_KEY_REUSED"
        )
