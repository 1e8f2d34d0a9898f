"""setGatewayMapping: the merchant says what a payment gateway is; the
store's orders are re-posted when that changes what posts."""

from __future__ import annotations

import strawberry

from service.api.context import Info
from service.api.ids import decode_uuid
from service.api.loaders import load_stores
from service.api.types.gateway import GatewayKind, GatewayMapping
from service.api.types.job import Job
from service.api.types.user_error import UserError, UserErrorCode
from service.commands.channels import set_gateway_mapping as command
from service.ledger.gateways import list_mappings
from service.ledger.jobs import get_job

MAX_GATEWAY = 200


@strawberry.input
class SetGatewayMappingInput:
    store_id: strawberry.ID
    gateway: str = strawberry.field(description="The gateway's name as orders carry it.")
    kind: GatewayKind
    idempotency_key: str | None = None


@strawberry.type
class SetGatewayMappingPayload:
    gateway_mapping: GatewayMapping | None = None
    repost_job: Job | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


def _refusal(field: str, code: UserErrorCode, message: str) -> SetGatewayMappingPayload:
    return SetGatewayMappingPayload(
        user_errors=[UserError(field=field, code=code, message=message)]
    )


async def set_gateway_mapping(
    info: Info, input: SetGatewayMappingInput
) -> SetGatewayMappingPayload:
    ctx = info.context
    store_id = decode_uuid(input.store_id, "Store")
    if store_id is None or str(store_id) not in await load_stores(ctx):
        return _refusal(
            "input.storeId", UserErrorCode.NOT_FOUND, f"no store with id {input.store_id!r}"
        )
    gateway = input.gateway.strip()
    if len(gateway) > MAX_GATEWAY or "\x00" in gateway:
        return _refusal(
            "input.gateway",
            UserErrorCode.INVALID,
            f"a gateway name of 0 to {MAX_GATEWAY} characters",
        )
    outcome = await command(
        ctx.pool,
        ctx.queue,
        ctx.company_id,
        store_id,
        gateway,
        input.kind.value,
        input.idempotency_key,
    )
    job_id = outcome.result.get("jobId")
    job = await get_job(ctx.pool, ctx.company_id, job_id) if job_id else None
    found = await list_mappings(ctx.pool, ctx.company_id, store_id, None)
    mine = [m for m in found if m.gateway == outcome.result.get("gateway")]
    return SetGatewayMappingPayload(
        gateway_mapping=GatewayMapping.from_record(mine[0]) if mine else None,
        repost_job=Job.from_record(job) if job else None,
    )
