"""setChannelStatus: include, exclude or split a sales channel; re-posts its orders."""

from __future__ import annotations

from enum import Enum

import strawberry

from service.api.context import Info
from service.api.ids import decode_uuid
from service.api.loaders import load_stores
from service.api.types.job import Job
from service.api.types.user_error import UserError, UserErrorCode
from service.commands.channels import set_channel_status as command
from service.ledger.jobs import get_job


@strawberry.enum(description="How the books treat a sales channel's orders.")
class ChannelStatus(Enum):
    INCLUDED = "INCLUDED"
    EXCLUDED = "EXCLUDED"
    COGS_ONLY = "COGS_ONLY"
    SALES_ONLY = "SALES_ONLY"


@strawberry.input
class SetChannelStatusInput:
    store_id: strawberry.ID
    source: str = strawberry.field(description="The order source, e.g. web, pos, tiktok.")
    status: ChannelStatus
    idempotency_key: str | None = None


@strawberry.type
class SetChannelStatusPayload:
    repost_job: Job | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


async def set_channel_status(info: Info, input: SetChannelStatusInput) -> SetChannelStatusPayload:
    ctx = info.context
    store_id = decode_uuid(input.store_id, "Store")
    if store_id is None or str(store_id) not in await load_stores(ctx):
        return SetChannelStatusPayload(
            user_errors=[
                UserError(
                    field="input.storeId",
                    code=UserErrorCode.NOT_FOUND,
                    message=f"no store with id {input.store_id!r} in this company",
                )
            ]
        )
    source = input.source.strip()
    if not source or len(source) > 100:
        return SetChannelStatusPayload(
            user_errors=[
                UserError(
                    field="input.source",
                    code=UserErrorCode.INVALID,
                    message="source is the order source name, 1 to 100 characters",
                )
            ]
        )
    outcome = await command(
        ctx.pool,
        ctx.queue,
        ctx.company_id,
        store_id,
        source,
        input.status.value,
        input.idempotency_key,
    )
    job_id = outcome.result.get("jobId")
    record = await get_job(ctx.pool, ctx.company_id, job_id) if job_id else None
    return SetChannelStatusPayload(repost_job=Job.from_record(record) if record else None)
