"""processorAccounts, processorSyncRuns and processorPayouts."""

from __future__ import annotations

import datetime as dt

import strawberry

from service.api.context import Info
from service.api.errors import ClientError
from service.api.ids import decode_uuid
from service.api.types.connection import Connection, check_first, decode_cursor, page
from service.api.types.processor import (
    PaymentProcessor,
    ProcessorAccount,
    ProcessorPayout,
    ProcessorRecordForReview,
    ProcessorSyncRun,
)
from service.ledger.processor_accounts import list_accounts, list_runs
from service.ledger.processor_payouts import paypal_payouts, stripe_payouts
from service.ledger.processor_records import records_needing_review


async def processor_accounts(info: Info) -> list[ProcessorAccount]:
    ctx = info.context
    return [ProcessorAccount.from_record(a) for a in await list_accounts(ctx.pool, ctx.company_id)]


async def processor_sync_runs(
    info: Info,
    account_id: strawberry.ID | None = None,
    first: int = 20,
    after: str | None = None,
) -> Connection[ProcessorSyncRun]:
    ctx = info.context
    check_first(first)
    account_uuid = None
    if account_id is not None:
        account_uuid = decode_uuid(account_id, "ProcessorAccount")
        if account_uuid is None:
            raise ClientError(
                f"accountId: {account_id!r} is not a processor account id", "BAD_USER_INPUT"
            )
    key = decode_cursor(after)
    try:
        before = dt.datetime.fromisoformat(key) if isinstance(key, str) else None
    except ValueError:
        before = None  # not a cursor this API gave out: the first page
    runs = await list_runs(
        ctx.pool, ctx.company_id, account_id=account_uuid, limit=first + 1, before=before
    )
    total = await ctx.pool.fetchval(
        "SELECT count(*) FROM processor_sync_runs WHERE company_id = $1 "
        "AND ($2::uuid IS NULL OR account_id = $2)",
        ctx.company_id,
        account_uuid,
    )
    result: Connection[ProcessorSyncRun] = page(
        runs, first, lambda r: r.requested_at.isoformat(), total, ProcessorSyncRun.from_record
    )
    return result


async def processor_payouts(
    info: Info,
    processor: PaymentProcessor | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> list[ProcessorPayout]:
    """PayPal and Stripe payouts, by date, for matching to bank deposits."""
    ctx = info.context
    rows = []
    if processor in (None, PaymentProcessor.PAYPAL):
        rows += await paypal_payouts(ctx.pool, ctx.company_id, date_from, date_to)
    if processor in (None, PaymentProcessor.STRIPE):
        rows += await stripe_payouts(ctx.pool, ctx.company_id, date_from, date_to)
    rows.sort(key=lambda p: (p.payout_date, p.processor, p.payout_id))
    return [ProcessorPayout.from_row(p) for p in rows]


async def processor_records_needing_review(
    info: Info, processor: str | None = None, first: int = 100
) -> list[ProcessorRecordForReview]:
    ctx = info.context
    check_first(first)
    found = await records_needing_review(ctx.pool, ctx.company_id, processor, first)
    return [ProcessorRecordForReview.from_record(bt, currency) for bt, currency in found]
