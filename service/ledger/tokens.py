"""API tokens: shown once, stored only as a hash.

Tokens carry 256 bits of randomness, so a plain SHA-256 is enough to make a
stolen table useless while keeping authentication to one indexed lookup.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from uuid import UUID

import asyncpg

TOKEN_PREFIX = "sb_"
_TOKEN_SHAPE = re.compile(r"^sb_[A-Za-z0-9_-]{43}$")


class MalformedToken(ValueError):
    """The credential is not shaped like a storebooks API token at all."""


@dataclass(frozen=True, slots=True)
class IssuedToken:
    token_id: UUID
    token: str


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def token_hash(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


def check_shape(token: str) -> None:
    if not _TOKEN_SHAPE.match(token):
        raise MalformedToken(
            "malformed API token: expected 'sb_' followed by 43 URL-safe characters"
        )


async def issue_token(conn: asyncpg.Connection, company_id: UUID, label: str = "") -> IssuedToken:
    token = new_token()
    token_id = await conn.fetchval(
        "INSERT INTO api_tokens (company_id, token_hash, label) VALUES ($1, $2, $3) "
        "RETURNING token_id",
        company_id,
        token_hash(token),
        label,
    )
    return IssuedToken(token_id=token_id, token=token)


async def company_for_token(conn: asyncpg.Connection | asyncpg.Pool, token: str) -> UUID | None:
    """The company a well-formed token belongs to, or None if it is unknown or revoked."""
    check_shape(token)
    company_id: UUID | None = await conn.fetchval(
        "SELECT company_id FROM api_tokens WHERE token_hash = $1 AND revoked_at IS NULL",
        token_hash(token),
    )
    return company_id
