"""API tokens: shown once, stored only as a hash, each with a role.

Tokens carry 256 bits of randomness, so a plain SHA-256 is enough to make a
stolen table useless while keeping authentication to one indexed lookup.
A company has as many tokens as it needs (one per person or integration),
each with a name, a role, an optional expiry and the time it was last used,
so one can be revoked without stopping the others.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

import asyncpg

TOKEN_PREFIX = "sb_"
_TOKEN_SHAPE = re.compile(r"^sb_[A-Za-z0-9_-]{43}$")
ROLES = ("READ_ONLY", "BOOKKEEPER", "ADMIN")
_RANK = {role: rank for rank, role in enumerate(ROLES)}
TOKEN_COLUMNS = "token_id, label, role, created_at, expires_at, last_used_at, revoked_at"


class MalformedToken(ValueError):
    """The credential is not shaped like a storebooks API token at all."""


@dataclass(frozen=True, slots=True)
class IssuedToken:
    token_id: UUID
    token: str


@dataclass(frozen=True, slots=True)
class Caller:
    """Who sent a request: the company, the token and what that token may do."""

    company_id: UUID
    token_id: UUID | None
    role: str

    def may(self, needed: str) -> bool:
        return role_allows(self.role, needed)


def role_allows(role: str, needed: str) -> bool:
    """Roles are ordered: READ_ONLY < BOOKKEEPER < ADMIN; each may what the lower may."""
    return _RANK[role] >= _RANK[needed]


@dataclass(frozen=True, slots=True)
class TokenInfo:
    token_id: UUID
    label: str
    role: str
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def token_hash(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


def check_shape(token: str) -> None:
    if not _TOKEN_SHAPE.match(token):
        raise MalformedToken(
            "malformed API token: expected 'sb_' followed by 43 URL-safe characters"
        )


async def issue_token(
    conn: asyncpg.Connection,
    company_id: UUID,
    label: str = "",
    *,
    role: str = "ADMIN",
    expires_at: datetime | None = None,
) -> IssuedToken:
    if role not in _RANK:
        raise ValueError(f"role must be one of {', '.join(ROLES)}, got {role!r}")
    token = new_token()
    token_id = await conn.fetchval(
        "INSERT INTO api_tokens (company_id, token_hash, label, role, expires_at) "
        "VALUES ($1, $2, $3, $4, $5) RETURNING token_id",
        company_id,
        token_hash(token),
        label,
        role,
        expires_at,
    )
    return IssuedToken(token_id=token_id, token=token)


async def caller_for_token(conn: asyncpg.Connection | asyncpg.Pool, token: str) -> Caller | None:
    """The caller a well-formed token stands for; None if unknown, revoked or expired.

    The last-used time is written at most once a minute per token, so that
    authentication stays one read for nearly every request."""
    check_shape(token)
    row = await conn.fetchrow(
        "SELECT company_id, token_id, role, last_used_at < now() - interval '1 minute' "
        "OR last_used_at IS NULL AS stale FROM api_tokens WHERE token_hash = $1 "
        "AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now())",
        token_hash(token),
    )
    if row is None:
        return None
    if row["stale"]:
        await conn.execute(
            "UPDATE api_tokens SET last_used_at = now() WHERE company_id = $1 AND token_id = $2",
            row["company_id"],
            row["token_id"],
        )
    return Caller(row["company_id"], row["token_id"], row["role"])


async def company_for_token(conn: asyncpg.Connection | asyncpg.Pool, token: str) -> UUID | None:
    """The company a well-formed token belongs to, or None if it is unknown or revoked."""
    caller = await caller_for_token(conn, token)
    return None if caller is None else caller.company_id


async def list_tokens(conn: asyncpg.Connection | asyncpg.Pool, company_id: UUID) -> list[TokenInfo]:
    rows = await conn.fetch(
        f"SELECT {TOKEN_COLUMNS} FROM api_tokens WHERE company_id = $1 ORDER BY created_at",
        company_id,
    )
    return [TokenInfo(**dict(r)) for r in rows]


async def get_token(
    conn: asyncpg.Connection | asyncpg.Pool, company_id: UUID, token_id: UUID
) -> TokenInfo | None:
    row = await conn.fetchrow(
        f"SELECT {TOKEN_COLUMNS} FROM api_tokens WHERE company_id = $1 AND token_id = $2",
        company_id,
        token_id,
    )
    return TokenInfo(**dict(row)) if row else None


async def revoke_token(conn: asyncpg.Connection, company_id: UUID, token_id: UUID) -> bool:
    """Revoke a token of the company; False when it has no such token (or it was revoked)."""
    revoked: UUID | None = await conn.fetchval(
        "UPDATE api_tokens SET revoked_at = now() WHERE company_id = $1 AND token_id = $2 "
        "AND revoked_at IS NULL RETURNING token_id",
        company_id,
        token_id,
    )
    return revoked is not None
