"""setGatewayMapping: the merchant says what a payment gateway is; the
store's orders are re-posted when that changes what posts."""

from __future__ import annotations

import strawberry

from service.api.context import Info
from service.api.idempotency import remember, replay_or_none
from service.api.ids import decode_uuid
from service.api.loaders import load_stores
from service.api.types.gateway import GatewayKind, GatewayMapping
from service.api.types.job import Job
from service.api.types.user_error import UserError, UserErrorCode
from service.db.queue import enqueue
from service.ledger.gateways import list_mappings, set_mapping
from service.ledger.jobs import get_job
from service.ledger.order_actions import CHANNEL_FUNCTION, request_store_repost

OPERATION = "setGatewayMapping"
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
    async with ctx.pool.acquire() as conn, conn.transaction():
        replayed = await replay_or_none(conn, ctx.company_id, input.idempotency_key, OPERATION)
        if replayed is not None:
            job = (
                await get_job(conn, ctx.company_id, replayed["jobId"])
                if replayed["jobId"]
                else None
            )
            found = await list_mappings(conn, ctx.company_id, store_id, None)
            mine = [m for m in found if m.gateway == replayed["gateway"]]
            return SetGatewayMappingPayload(
                gateway_mapping=GatewayMapping.from_record(mine[0]) if mine else None,
                repost_job=Job.from_record(job) if job else None,
            )
        record, changed = await set_mapping(
            conn, ctx.company_id, store_id, gateway, input.kind.value
        )
        job = (
            await request_store_repost(
                conn, ctx.company_id, store_id, f"gateway {gateway!r} is now {input.kind.value}"
            )
            if changed
            else None
        )
        await remember(
            conn,
            ctx.company_id,
            input.idempotency_key,
            OPERATION,
            {"jobId": job.job_id if job else None, "gateway": record.gateway},
        )
    if job is not None:
        await enqueue(ctx.queue, CHANNEL_FUNCTION, job.job_id, str(ctx.company_id), job.job_id)
    return SetGatewayMappingPayload(
        gateway_mapping=GatewayMapping.from_record(record),
        repost_job=Job.from_record(job) if job else None,
    )
