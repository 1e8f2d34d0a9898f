"""viewer: who the token is, so a client (the dashboard) shows what its role allows."""

from __future__ import annotations

import strawberry

from service.api.context import Info
from service.api.types.api_token import ApiTokenRole


@strawberry.type(description="The caller: the company and what the token may do.")
class Viewer:
    company_name: str
    role: ApiTokenRole = strawberry.field(
        description="READ_ONLY reads; BOOKKEEPER also changes the books; ADMIN also settings "
        "that need it (tokens, connections)."
    )
    token_name: str | None = strawberry.field(description="Null for callers without a token.")


async def viewer(info: Info) -> Viewer:
    ctx = info.context
    row = await ctx.pool.fetchrow(
        "SELECT c.name, t.label FROM companies c LEFT JOIN api_tokens t "
        "ON t.company_id = c.company_id AND t.token_id = $2 WHERE c.company_id = $1",
        ctx.company_id,
        ctx.token_id,
    )
    return Viewer(
        company_name=row["name"] if row else "",
        role=ApiTokenRole(ctx.role),
        token_name=row["label"] if row else None,
    )
