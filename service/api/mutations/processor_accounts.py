"""connectProcessorAccount and syncProcessorAccount: PayPal and Stripe records."""

from __future__ import annotations

import datetime as dt
from uuid import UUID

import strawberry

from service.api.context import Info
from service.api.ids import decode_uuid
from service.api.types.processor import PaymentProcessor, ProcessorAccount, ProcessorSyncRun
from service.api.types.user_error import UserError, UserErrorCode
from service.commands import processors as commands
from service.connectors.hosts import url_problem
from service.ledger.companies import get_store
from service.ledger.processor_accounts import get_account, get_run


@strawberry.input
class ConnectProcessorAccountInput:
    processor: PaymentProcessor
    store_id: strawberry.ID = strawberry.field(
        description="The store whose orders are paid through this account."
    )
    client_id: str | None = strawberry.field(
        default=None, description="PayPal: the REST app's client id."
    )
    client_secret: str | None = strawberry.field(
        default=None, description="PayPal: the REST app's secret."
    )
    secret_key: str | None = strawberry.field(
        default=None, description="Stripe: a secret or restricted key (sk_ or rk_)."
    )
    sync_from: dt.date | None = strawberry.field(
        default=None,
        description="First sync reads from this day (default: a year back, or the day "
        "before the store's first order if earlier).",
    )
    base_url: str | None = strawberry.field(default=None, description="Override the API host.")
    idempotency_key: str | None = None


@strawberry.input
class SyncProcessorAccountInput:
    account_id: strawberry.ID
    idempotency_key: str | None = None


@strawberry.type
class ProcessorAccountPayload:
    account: ProcessorAccount | None = None
    sync_run: ProcessorSyncRun | None = strawberry.field(
        default=None, description="The sync this started, or the one already under way."
    )
    user_errors: list[UserError] = strawberry.field(default_factory=list)


REQUIRED = {
    PaymentProcessor.PAYPAL: ("client_id", "clientId", "client_secret", "clientSecret"),
    PaymentProcessor.STRIPE: ("secret_key", "secretKey"),
}


def _credentials(input: ConnectProcessorAccountInput) -> tuple[dict[str, str], list[UserError]]:
    names = REQUIRED[input.processor]
    pairs = list(zip(names[::2], names[1::2], strict=True))
    creds: dict[str, str] = {}
    errors = []
    for attr, wire in pairs:
        value = (getattr(input, attr) or "").strip()
        if not value:
            errors.append(
                UserError(
                    field=f"input.{wire}",
                    code=UserErrorCode.REQUIRED,
                    message=f"{wire} is required for {input.processor.name}",
                )
            )
        creds[wire] = value
    key = creds.get("secretKey", "")
    if key and not key.startswith(("sk_", "rk_")):
        errors.append(
            UserError(
                field="input.secretKey",
                code=UserErrorCode.INVALID,
                message="a Stripe secret key starts with sk_ (or rk_ for a restricted key)",
            )
        )
    return creds, errors


async def connect_processor_account(
    info: Info, input: ConnectProcessorAccountInput
) -> ProcessorAccountPayload:
    """Store the credentials (encrypted) and read the account's records."""
    ctx = info.context
    creds, errors = _credentials(input)
    store_id = decode_uuid(input.store_id, "Store")
    store = await get_store(ctx.pool, ctx.company_id, store_id) if store_id else None
    if store is None:
        errors.append(
            UserError(
                field="input.storeId",
                code=UserErrorCode.NOT_FOUND,
                message=f"no store with id {input.store_id!r} in this company",
            )
        )
    if input.base_url is not None:
        problem = url_problem(
            input.base_url, input.processor.value, allow_any=ctx.allow_any_api_host
        )
        if problem is not None:
            errors.append(
                UserError(field="input.baseUrl", code=UserErrorCode.INVALID, message=problem)
            )
    if input.sync_from is not None and input.sync_from > dt.datetime.now(dt.UTC).date():
        errors.append(
            UserError(
                field="input.syncFrom",
                code=UserErrorCode.INVALID,
                message="syncFrom is a day in the past",
            )
        )
    if errors or store_id is None:
        return ProcessorAccountPayload(user_errors=errors)
    settings = {"baseUrl": input.base_url.rstrip("/")} if input.base_url else {}
    if input.sync_from is not None:
        settings["syncFrom"] = input.sync_from.isoformat()
    outcome = await commands.connect_processor_account(
        ctx.pool,
        ctx.queue,
        ctx.company_id,
        ctx.secret_key,
        input.processor.value,
        store_id,
        settings,
        creds,
        input.idempotency_key,
    )
    return await _payload(info, outcome.result)


async def _payload(info: Info, result: dict[str, str]) -> ProcessorAccountPayload:
    ctx = info.context
    account = await get_account(ctx.pool, ctx.company_id, UUID(result["accountId"]))
    run = await get_run(ctx.pool, ctx.company_id, UUID(result["runId"]))
    return ProcessorAccountPayload(
        account=ProcessorAccount.from_record(account) if account else None,
        sync_run=ProcessorSyncRun.from_record(run) if run else None,
    )


async def sync_processor_account(
    info: Info, input: SyncProcessorAccountInput
) -> ProcessorAccountPayload:
    """Read the account's new records now instead of waiting for the schedule."""
    ctx = info.context
    account_id = decode_uuid(input.account_id, "ProcessorAccount")
    account = await get_account(ctx.pool, ctx.company_id, account_id) if account_id else None
    if account is None:
        return ProcessorAccountPayload(
            user_errors=[
                UserError(
                    field="input.accountId",
                    code=UserErrorCode.NOT_FOUND,
                    message=f"no processor account with id {input.account_id!r}",
                )
            ]
        )
    outcome = await commands.sync_processor_account(
        ctx.pool, ctx.queue, ctx.company_id, account.account_id, input.idempotency_key
    )
    result = dict(outcome.result, accountId=str(account.account_id))
    return await _payload(info, result)
