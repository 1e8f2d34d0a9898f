"""recordPurchase and importPurchasesCsv: receipts that move product costs."""

from __future__ import annotations

import csv
import datetime as dt
import io

import strawberry

from service.api.context import Info
from service.api.types.job import Job
from service.api.types.user_error import UserError, UserErrorCode
from service.commands.costs import record_purchase_rows
from service.domain.money import MoneyError, check_total, to_minor
from service.ledger.inventory import Purchase
from service.ledger.jobs import get_job

MAX_UNITS = 1_000_000
MIN_YEAR, MAX_YEAR = 1970, 2200


@strawberry.input
class RecordPurchaseInput:
    sku: str
    date: dt.date = strawberry.field(description="When the goods were received.")
    units: int
    unit_cost: str = strawberry.field(description="Cost per unit, a decimal string.")
    reference: str = strawberry.field(
        default="", description="PO or bill number; 'opening' for opening inventory."
    )
    idempotency_key: str | None = None


@strawberry.input
class ImportPurchasesCsvInput:
    csv: str = strawberry.field(description="Header: sku,date,units,unit_cost[,reference]")
    idempotency_key: str | None = None


@strawberry.type
class RecordPurchasePayload:
    recost_job: Job | None = None
    purchases_recorded: int = 0
    user_errors: list[UserError] = strawberry.field(default_factory=list)


def _purchase(
    row: dict[str, str], field: str, currency: str
) -> tuple[Purchase | None, list[UserError]]:
    errors = []
    sku = (row.get("sku") or "").strip()
    if not sku:
        errors.append(
            UserError(field=f"{field}.sku", code=UserErrorCode.REQUIRED, message="SKU is required")
        )
    try:
        day = dt.date.fromisoformat((row.get("date") or "").strip())
    except ValueError:
        errors.append(
            UserError(
                field=f"{field}.date",
                code=UserErrorCode.INVALID,
                message=f"date {row.get('date')!r} is not YYYY-MM-DD",
            )
        )
        day = dt.date.min
    try:
        units = int((row.get("units") or "").strip())
        if not 0 < units <= MAX_UNITS:
            raise ValueError
    except ValueError:
        errors.append(
            UserError(
                field=f"{field}.units",
                code=UserErrorCode.INVALID,
                message=f"units {row.get('units')!r} is not a whole number from 1 to {MAX_UNITS}",
            )
        )
        units = 0
    try:
        cost = to_minor((row.get("unit_cost") or "").strip(), currency)
        if cost < 0:
            errors.append(
                UserError(
                    field=f"{field}.unitCost",
                    code=UserErrorCode.INVALID,
                    message="a unit cost cannot be negative",
                )
            )
    except MoneyError as exc:
        errors.append(
            UserError(
                field=f"{field}.unitCost",
                code=UserErrorCode.INVALID,
                message=f"unit cost {str(row.get('unit_cost'))[:50]!r} is not an amount: {exc}",
            )
        )
        cost = 0
    if not errors and not MIN_YEAR <= day.year <= MAX_YEAR:
        errors.append(
            UserError(
                field=f"{field}.date",
                code=UserErrorCode.INVALID,
                message=f"date must be between {MIN_YEAR} and {MAX_YEAR}",
            )
        )
    if not errors:
        try:
            check_total(units, cost)
        except MoneyError as exc:
            errors.append(
                UserError(field=f"{field}.units", code=UserErrorCode.INVALID, message=str(exc))
            )
    if errors:
        return None, errors
    return Purchase(sku, day, units, cost, (row.get("reference") or "").strip()), []


async def _record(
    info: Info,
    rows: list[tuple[str, dict[str, str]]],
    operation: str,
    idempotency_key: str | None,
) -> RecordPurchasePayload:
    ctx = info.context
    currency = await ctx.pool.fetchval(
        "SELECT coalesce(min(currency_code), 'USD') FROM stores WHERE company_id = $1",
        ctx.company_id,
    )
    purchases: list[Purchase] = []
    errors: list[UserError] = []
    for field, row in rows:
        purchase, bad = _purchase(row, field, currency)
        errors += bad
        if purchase:
            purchases.append(purchase)
    if errors or not purchases:
        return RecordPurchasePayload(
            user_errors=errors
            or [
                UserError(
                    field="input.csv", code=UserErrorCode.REQUIRED, message="no purchase rows"
                )
            ]
        )
    outcome = await record_purchase_rows(
        ctx.pool, ctx.queue, ctx.company_id, purchases, operation, idempotency_key
    )
    job = await get_job(ctx.pool, ctx.company_id, outcome.result["jobId"])
    return RecordPurchasePayload(
        recost_job=Job.from_record(job) if job else None,
        purchases_recorded=outcome.result["count"],
    )


async def record_purchase(info: Info, input: RecordPurchaseInput) -> RecordPurchasePayload:
    row = {
        "sku": input.sku,
        "date": input.date.isoformat(),
        "units": str(input.units),
        "unit_cost": input.unit_cost,
        "reference": input.reference,
    }
    return await _record(info, [("input", row)], "recordPurchase", input.idempotency_key)


async def import_purchases_csv(info: Info, input: ImportPurchasesCsvInput) -> RecordPurchasePayload:
    """All rows or none: any bad row is reported (row numbers from 1) and nothing is saved."""
    reader = csv.DictReader(io.StringIO(input.csv))
    rows = [(f"row {n}", dict(r)) for n, r in enumerate(reader, start=1)]
    return await _record(info, rows, "importPurchasesCsv", input.idempotency_key)
