"""syncStore: catch a store up now instead of waiting for the schedule."""

from __future__ import annotations

from uuid import UUID

import strawberry

from service.api.context import Info
from service.api.ids import decode_uuid
from service.api.types.sync import SyncKind, SyncRun
from service.api.types.user_error import UserError, UserErrorCode
from service.commands import connections as commands
from service.ledger.sync_runs import get_run


@strawberry.type
class SyncStorePayload:
    sync_run: SyncRun | None = strawberry.field(
        default=None, description="The new run, or the store's run already under way."
    )
    user_errors: list[UserError] = strawberry.field(default_factory=list)


async def sync_store(
    info: Info, store_id: strawberry.ID, kind: SyncKind = SyncKind.INCREMENTAL
) -> SyncStorePayload:
    ctx = info.context
    store_uuid = decode_uuid(store_id, "Store")
    connected = None
    if store_uuid is not None:
        connected = await ctx.pool.fetchval(
            "SELECT credentials IS NOT NULL FROM stores WHERE company_id = $1 AND store_id = $2",
            ctx.company_id,
            store_uuid,
        )
    if store_uuid is None or connected is None:
        return SyncStorePayload(
            user_errors=[
                UserError(
                    field="storeId",
                    code=UserErrorCode.NOT_FOUND,
                    message=f"no store with id {store_id!r} in this company",
                )
            ]
        )
    if not connected:
        return SyncStorePayload(
            user_errors=[
                UserError(
                    field="storeId",
                    code=UserErrorCode.NOT_APPLICABLE,
                    message="this store is not connected to a sales channel",
                )
            ]
        )
    outcome = await commands.sync_store(ctx.pool, ctx.queue, ctx.company_id, store_uuid, kind.value)
    run = await get_run(ctx.pool, ctx.company_id, UUID(outcome.result["runId"]))
    return SyncStorePayload(sync_run=SyncRun.from_record(run) if run else None)
