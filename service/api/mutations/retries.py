"""retryIngestEvent and retryJob: run failed work again after its cause is fixed."""

from __future__ import annotations

import strawberry

from service.api.context import Info
from service.api.ids import decode_id
from service.api.types.job import Job
from service.api.types.user_error import UserError, UserErrorCode
from service.commands.retries import retry_ingest_event as retry_event_command
from service.commands.retries import retry_job as retry_job_command
from service.ledger.jobs import get_job


@strawberry.input
class RetryInput:
    id: strawberry.ID = strawberry.field(description="The id of a failed ingest event or job.")


@strawberry.type
class RetryIngestEventPayload:
    retried: bool = False
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class RetryJobPayload:
    job: Job | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


def _not_found(raw: str, what: str) -> UserError:
    return UserError(
        field="input.id", code=UserErrorCode.NOT_FOUND, message=f"no failed {what} {raw[:100]!r}"
    )


async def retry_ingest_event(info: Info, input: RetryInput) -> RetryIngestEventPayload:
    ctx = info.context
    local = decode_id(input.id, "IngestEvent")
    if local is None or not local.isdigit() or int(local) >= 2**63:
        return RetryIngestEventPayload(user_errors=[_not_found(input.id, "event")])
    outcome = await retry_event_command(ctx.pool, ctx.queue, ctx.company_id, int(local))
    if outcome.refusals:
        return RetryIngestEventPayload(user_errors=[_not_found(input.id, "event")])
    return RetryIngestEventPayload(retried=True)


async def retry_job(info: Info, input: RetryInput) -> RetryJobPayload:
    ctx = info.context
    job_id = decode_id(input.id, "Job")
    if job_id is None:
        return RetryJobPayload(user_errors=[_not_found(input.id, "job")])
    outcome = await retry_job_command(ctx.pool, ctx.queue, ctx.company_id, job_id)
    if outcome.refusals:
        return RetryJobPayload(user_errors=[_not_found(input.id, "job")])
    record = await get_job(ctx.pool, ctx.company_id, job_id)
    return RetryJobPayload(job=Job.from_record(record) if record else None)
