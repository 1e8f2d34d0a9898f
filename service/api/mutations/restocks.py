"""Restock reports (seed 000): per channel, per SKU, in bulk, or from a CSV file.

The four mutations share one check-then-save path: a SKU-level change is
validated row by row, and any bad row means nothing is saved.
"""

from __future__ import annotations

import datetime as dt
from enum import Enum
from typing import Any
from uuid import UUID

import strawberry
from strawberry.file_uploads import Upload

from service.api.context import Info
from service.api.ids import decode_uuid
from service.api.loaders import load_books
from service.api.types.user_error import UserError, UserErrorCode
from service.commands import restocks as commands
from service.domain.money import MoneyError, to_minor
from service.domain.restocks import BulkMode
from service.ledger.restocks import RestockRowsError, store_facts
from service.posting.restocks import CsvFileError, parse_restock_csv

MAX_FILE_BYTES = 5 * 1024 * 1024


@strawberry.enum(description="REPLACE the month's record, or ADD_ON_TOP of it.")
class RestockMode(Enum):
    REPLACE = "REPLACE"
    ADD_ON_TOP = "ADD_ON_TOP"


@strawberry.enum
class RestockPeriod(Enum):
    DAY = "DAY"
    MONTH = "MONTH"
    RANGE = "RANGE"


@strawberry.input
class ReportChannelRestockInput:
    store_id: strawberry.ID
    channel: str
    period: RestockPeriod
    date: dt.date = strawberry.field(
        description="The day, a day of the month, or the range's start."
    )
    end_date: dt.date | None = strawberry.field(
        default=None, description="The range's end (RANGE)."
    )
    amount: str = strawberry.field(description="COGS for the period; negative for a restock.")
    idempotency_key: str | None = None


@strawberry.input
class RestockRow:
    sku: str
    month: str = strawberry.field(description="YYYY-MM")
    units: int


@strawberry.input
class SetSkuRestocksInput:
    store_id: strawberry.ID
    channel: str
    sku: str
    month: str = strawberry.field(description="YYYY-MM")
    units: int
    idempotency_key: str | None = None


@strawberry.input
class BulkEditRestocksInput:
    store_id: strawberry.ID
    channel: str
    mode: RestockMode
    rows: list[RestockRow]
    idempotency_key: str | None = None


@strawberry.input
class ImportRestocksCsvInput:
    store_id: strawberry.ID
    channel: str
    mode: RestockMode
    file: Upload = strawberry.field(description="CSV with header sku,month,units[,unit_cost]")
    idempotency_key: str | None = None


@strawberry.type
class RestockPayload:
    saved: int = 0
    user_errors: list[UserError] = strawberry.field(default_factory=list)


def _store(info: Info, raw: str) -> UUID | None:
    return decode_uuid(raw, "Store")


def _row_errors(exc: RestockRowsError, field: str, header_lines: int) -> list[UserError]:
    """One error per bad row; in a file the row is named by its line number."""
    label = "line" if header_lines else "row"
    return [
        UserError(
            field=f"{field}.{n + header_lines}" if n else "input.channel",
            code=UserErrorCode.INVALID,
            message=f"{label} {n + header_lines}: {why}" if n else why,
        )
        for n, why in exc.rows
    ]


async def _save(
    info: Info,
    store_raw: str,
    channel: str,
    rows: list[dict[str, str]],
    mode: BulkMode,
    field: str,
    key: tuple[str, str | None],
    header_lines: int = 0,
) -> RestockPayload:
    """Save the rows, all or none; `key` is the operation and its idempotency key."""
    ctx = info.context
    store_id = _store(info, store_raw)
    if store_id is None or not await ctx.pool.fetchval(
        "SELECT 1 FROM stores WHERE company_id = $1 AND store_id = $2", ctx.company_id, store_id
    ):
        return RestockPayload(
            user_errors=[
                UserError(
                    field="input.storeId",
                    code=UserErrorCode.NOT_FOUND,
                    message=f"no store with id {store_raw!r}",
                )
            ]
        )
    try:
        outcome = await commands.save_restock_rows(
            ctx.pool, ctx.queue, ctx.company_id, store_id, channel, rows, mode, *key
        )
    except RestockRowsError as exc:
        return RestockPayload(user_errors=_row_errors(exc, field, header_lines))
    return RestockPayload(saved=outcome.result["saved"])


async def report_channel_restock(info: Info, input: ReportChannelRestockInput) -> RestockPayload:
    ctx = info.context
    store_id = _store(info, input.store_id)
    _, currency = await load_books(ctx)
    errors: list[UserError] = []
    start, end = input.date, input.date
    if input.period is RestockPeriod.MONTH:
        start = input.date.replace(day=1)
        end = (start.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
    elif input.period is RestockPeriod.RANGE:
        if input.end_date is None or input.end_date < input.date:
            errors.append(
                UserError(
                    field="input.endDate",
                    code=UserErrorCode.INVALID,
                    message="a RANGE needs an endDate on or after date",
                )
            )
        else:
            end = input.end_date
    try:
        amount = to_minor(input.amount.strip(), currency)
    except MoneyError:
        errors.append(
            UserError(
                field="input.amount",
                code=UserErrorCode.INVALID,
                message=f"amount {input.amount!r} is not an amount",
            )
        )
        amount = 0
    if store_id is None or not await ctx.pool.fetchval(
        "SELECT 1 FROM stores WHERE company_id = $1 AND store_id = $2", ctx.company_id, store_id
    ):
        errors.append(
            UserError(
                field="input.storeId",
                code=UserErrorCode.NOT_FOUND,
                message=f"no store with id {input.store_id!r}",
            )
        )
    if store_id is not None and not errors:
        async with ctx.pool.acquire() as conn:
            facts = await store_facts(conn, ctx.company_id, store_id)
        if input.channel.strip() not in facts.channels:
            errors.append(
                UserError(
                    field="input.channel",
                    code=UserErrorCode.NOT_FOUND,
                    message=f"unknown channel {input.channel!r} for this store",
                )
            )
    if errors or store_id is None:
        return RestockPayload(user_errors=errors)
    outcome = await commands.report_channel_restock(
        ctx.pool,
        ctx.queue,
        ctx.company_id,
        store_id,
        input.channel.strip(),
        (start, end),
        amount,
        input.idempotency_key,
    )
    return RestockPayload(saved=outcome.result["saved"])


async def set_sku_restocks(info: Info, input: SetSkuRestocksInput) -> RestockPayload:
    row = {"sku": input.sku, "month": input.month, "units": str(input.units)}
    return await _save(
        info,
        input.store_id,
        input.channel,
        [row],
        BulkMode.REPLACE,
        "input.rows",
        ("setSkuRestocks", input.idempotency_key),
    )


async def bulk_edit_restocks(info: Info, input: BulkEditRestocksInput) -> RestockPayload:
    rows = [{"sku": r.sku, "month": r.month, "units": str(r.units)} for r in input.rows]
    return await _save(
        info,
        input.store_id,
        input.channel,
        rows,
        BulkMode(input.mode.value),
        "input.rows",
        ("bulkEditRestocks", input.idempotency_key),
    )


async def import_restocks_csv(info: Info, input: ImportRestocksCsvInput) -> RestockPayload:
    upload: Any = input.file
    if not hasattr(upload, "read"):  # a plain string where a multipart file belongs
        return RestockPayload(
            user_errors=[
                UserError(
                    field="input.file",
                    code=UserErrorCode.INVALID,
                    message="send the CSV file as a multipart upload",
                )
            ]
        )
    raw = await upload.read()
    if len(raw) > MAX_FILE_BYTES:
        return RestockPayload(
            user_errors=[
                UserError(
                    field="input.file",
                    code=UserErrorCode.INVALID,
                    message=f"file over {MAX_FILE_BYTES} bytes",
                )
            ]
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return RestockPayload(
            user_errors=[
                UserError(
                    field="input.file",
                    code=UserErrorCode.INVALID,
                    message="the file is not UTF-8 text",
                )
            ]
        )
    try:
        rows = parse_restock_csv(text)
    except CsvFileError as exc:
        return RestockPayload(
            user_errors=[
                UserError(field="input.file", code=UserErrorCode.INVALID, message=str(exc))
            ]
        )
    return await _save(
        info,
        input.store_id,
        input.channel,
        rows,
        BulkMode(input.mode.value),
        "input.file.line",
        ("importRestocksCsv", input.idempotency_key),
        header_lines=1,
    )
