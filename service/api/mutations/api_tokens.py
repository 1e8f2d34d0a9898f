"""createApiToken, revokeApiToken and the apiTokens query.

A token's secret is in the createApiToken payload and nowhere else: it is
stored only as a hash. Rotating a token is creating its successor and then
revoking it, so that no client is ever left without a working token.
"""

from __future__ import annotations

import datetime as dt
from uuid import UUID

import strawberry

from service.api.context import Info
from service.api.ids import decode_uuid
from service.api.types.api_token import ApiToken, ApiTokenRole
from service.api.types.user_error import UserError, UserErrorCode
from service.commands import tokens as commands
from service.ledger.tokens import get_token, list_tokens

MAX_NAME = 200


@strawberry.input
class CreateApiTokenInput:
    name: str
    role: ApiTokenRole
    expires_at: dt.datetime | None = strawberry.field(
        default=None, description="When the token stops working; none: it works until revoked."
    )


@strawberry.type
class CreateApiTokenPayload:
    token: str | None = strawberry.field(
        default=None, description="The secret, shown this once; send it as a bearer token."
    )
    api_token: ApiToken | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class RevokeApiTokenInput:
    id: strawberry.ID


@strawberry.type
class RevokeApiTokenPayload:
    api_token: ApiToken | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


def _name_errors(input: CreateApiTokenInput) -> list[UserError]:
    if not input.name.strip() or len(input.name) > MAX_NAME:
        return [
            UserError(
                field="input.name",
                code=UserErrorCode.INVALID,
                message=f"give the token a name of 1 to {MAX_NAME} characters",
            )
        ]
    expires = input.expires_at
    if expires is not None and expires.tzinfo is None:
        expires = expires.replace(tzinfo=dt.UTC)
    if expires is not None and expires <= dt.datetime.now(dt.UTC):
        return [
            UserError(
                field="input.expiresAt",
                code=UserErrorCode.INVALID,
                message="the expiry is in the past",
            )
        ]
    return []


async def create_api_token(info: Info, input: CreateApiTokenInput) -> CreateApiTokenPayload:
    errors = _name_errors(input)
    if errors:
        return CreateApiTokenPayload(user_errors=errors)
    ctx = info.context
    expires = input.expires_at
    if expires is not None and expires.tzinfo is None:
        expires = expires.replace(tzinfo=dt.UTC)
    outcome, secret = await commands.create_api_token(
        ctx.pool, ctx.company_id, input.name.strip(), input.role.value, expires
    )
    token = await get_token(ctx.pool, ctx.company_id, UUID(outcome.result["tokenId"]))
    return CreateApiTokenPayload(
        token=secret, api_token=ApiToken.from_info(token) if token else None
    )


async def revoke_api_token(info: Info, input: RevokeApiTokenInput) -> RevokeApiTokenPayload:
    ctx = info.context
    token_id = decode_uuid(input.id, "ApiToken")
    revoked = False
    if token_id is not None:
        revoked = not (await commands.revoke_api_token(ctx.pool, ctx.company_id, token_id)).refusals
    if not revoked or token_id is None:
        return RevokeApiTokenPayload(
            user_errors=[
                UserError(
                    field="input.id",
                    code=UserErrorCode.NOT_FOUND,
                    message=f"no active token with id {input.id!r}",
                )
            ]
        )
    token = await get_token(ctx.pool, ctx.company_id, token_id)
    return RevokeApiTokenPayload(api_token=ApiToken.from_info(token) if token else None)


async def api_tokens(info: Info) -> list[ApiToken]:
    """The company's tokens, revoked ones included, oldest first; an ADMIN sees them all."""
    ctx = info.context
    if ctx.role != "ADMIN":
        return []
    return [ApiToken.from_info(t) for t in await list_tokens(ctx.pool, ctx.company_id)]
