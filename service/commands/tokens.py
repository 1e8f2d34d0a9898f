"""API tokens as commands: made and revoked in a transaction that records who did it."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import asyncpg

from service.commands.runner import Outcome, run_command
from service.ledger.tokens import issue_token, revoke_token


async def create_api_token(
    pool: asyncpg.Pool, company_id: UUID, name: str, role: str, expires_at: datetime | None
) -> tuple[Outcome, str]:
    """The outcome (the token's id) and the secret, which is never stored or replayed."""
    secret: list[str] = []

    async def body(conn: asyncpg.Connection) -> Outcome:
        issued = await issue_token(conn, company_id, name, role=role, expires_at=expires_at)
        secret.append(issued.token)
        return Outcome(result={"tokenId": str(issued.token_id)})

    outcome = await run_command(pool, None, company_id, "createApiToken", None, body)
    return outcome, secret[0] if secret else ""


async def revoke_api_token(pool: asyncpg.Pool, company_id: UUID, token_id: UUID) -> Outcome:
    async def body(conn: asyncpg.Connection) -> Outcome:
        if not await revoke_token(conn, company_id, token_id):
            return Outcome(refusals=[("input.id", "NOT_FOUND", "no active token with this id")])
        return Outcome(result={"tokenId": str(token_id)})

    return await run_command(pool, None, company_id, "revokeApiToken", None, body)
