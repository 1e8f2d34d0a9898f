"""ApiToken: a company's credential as the API shows it (never the secret itself)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from enum import Enum
from typing import Any
from uuid import UUID

import strawberry
from strawberry import relay

from service.ledger.tokens import TokenInfo, get_token


@strawberry.enum(description="What a token may do.")
class ApiTokenRole(Enum):
    READ_ONLY = "READ_ONLY"
    BOOKKEEPER = "BOOKKEEPER"
    ADMIN = "ADMIN"


@strawberry.type(
    description="An API token: its name, role, expiry and use; the secret is shown once."
)
class ApiToken(relay.Node):
    token_id: relay.NodeID[str]
    name: str
    role: ApiTokenRole
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None

    @classmethod
    def from_info(cls, token: TokenInfo) -> ApiToken:
        return cls(
            token_id=str(token.token_id),
            name=token.label,
            role=ApiTokenRole(token.role),
            created_at=token.created_at,
            expires_at=token.expires_at,
            last_used_at=token.last_used_at,
            revoked_at=token.revoked_at,
        )

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Any, node_ids: Iterable[str], required: bool = False
    ) -> list[ApiToken | None]:
        ctx = info.context
        out: list[ApiToken | None] = []
        for raw in node_ids:
            try:
                token = await get_token(ctx.pool, ctx.company_id, UUID(raw))
            except ValueError:
                token = None
            out.append(cls.from_info(token) if token else None)
        return out
