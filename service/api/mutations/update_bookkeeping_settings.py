"""updateBookkeepingSettings: store the settings, then re-post the books in the background."""

from __future__ import annotations

from uuid import UUID

import strawberry

from service.api.context import Info
from service.api.ids import decode_uuid
from service.api.loaders import load_stores
from service.api.types.job import Job
from service.api.types.settings import BookkeepingSettings
from service.api.types.settings_enums import AccountingBasis, CostingMethod, FulfillmentTracking
from service.api.types.user_error import UserError, UserErrorCode
from service.commands.settings import update_bookkeeping_settings as command
from service.ledger.jobs import get_job
from service.ledger.settings import load_settings


@strawberry.input
class UpdateBookkeepingSettingsInput:
    accounting_basis: AccountingBasis | None = None
    fulfillment_tracking: FulfillmentTracking | None = strawberry.field(
        default=None,
        description="Applies to the store given by storeId, or to every store when it is omitted.",
    )
    store_id: strawberry.ID | None = None
    costing_method: CostingMethod | None = strawberry.field(
        default=None, description="Re-costs every product and re-posts the orders it changes."
    )
    idempotency_key: str | None = None


@strawberry.type
class UpdateBookkeepingSettingsPayload:
    bookkeeping_settings: BookkeepingSettings | None = None
    repost_job: Job | None = strawberry.field(
        default=None, description="The re-post this change started; null when nothing changed."
    )
    user_errors: list[UserError] = strawberry.field(default_factory=list)


async def update_bookkeeping_settings(
    info: Info, input: UpdateBookkeepingSettingsInput
) -> UpdateBookkeepingSettingsPayload:
    ctx = info.context
    errors, store_ids = await _validate(info, input)
    if errors:
        return UpdateBookkeepingSettingsPayload(user_errors=errors)

    outcome = await command(
        ctx.pool,
        ctx.queue,
        ctx.company_id,
        accounting_basis=input.accounting_basis.value if input.accounting_basis else None,
        fulfillment_tracking=(
            input.fulfillment_tracking.value if input.fulfillment_tracking else None
        ),
        costing_method=input.costing_method.value if input.costing_method else None,
        store_ids=store_ids,
        idempotency_key=input.idempotency_key,
    )
    job_id = outcome.result.get("jobId")
    record = await get_job(ctx.pool, ctx.company_id, job_id) if job_id else None
    settings = await load_settings(ctx.pool, ctx.company_id)
    return UpdateBookkeepingSettingsPayload(
        bookkeeping_settings=BookkeepingSettings.build(settings, await load_stores(ctx)),
        repost_job=Job.from_record(record) if record else None,
    )


async def _validate(
    info: Info, input: UpdateBookkeepingSettingsInput
) -> tuple[list[UserError], list[UUID]]:
    errors: list[UserError] = []
    if (
        input.accounting_basis is None
        and input.fulfillment_tracking is None
        and input.costing_method is None
    ):
        errors.append(
            UserError(
                field="input",
                code=UserErrorCode.REQUIRED,
                message="give accountingBasis, fulfillmentTracking or costingMethod",
            )
        )
    stores = await load_stores(info.context)
    store_ids = [UUID(s) for s in stores]
    if input.store_id is not None:
        store_id = decode_uuid(input.store_id, "Store")
        if store_id is None or str(store_id) not in stores:
            errors.append(
                UserError(
                    field="input.storeId",
                    code=UserErrorCode.NOT_FOUND,
                    message=f"no store with id {input.store_id!r} in this company",
                )
            )
        else:
            store_ids = [store_id]
    if input.idempotency_key is not None and not 1 <= len(input.idempotency_key) <= 200:
        errors.append(
            UserError(
                field="input.idempotencyKey",
                code=UserErrorCode.INVALID,
                message="an idempotency key is 1 to 200 characters",
            )
        )
    return errors, store_ids
