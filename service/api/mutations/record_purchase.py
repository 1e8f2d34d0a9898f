"""recordPurchase and importPurchasesCsv: receipts that move product costs."""

from __future__ import annotations

import datetime as dt
from uuid import UUID

import strawberry

from service.api.context import Info
from service.api.ids import decode_uuid
from service.api.types.job import Job
from service.api.types.user_error import UserError, UserErrorCode
from service.commands.costs import record_purchase_rows
from service.domain.money import MoneyError, check_total, to_minor
from service.ledger.inventory import Purchase
from service.ledger.jobs import get_job
from service.posting.restocks import CsvFileError, parse_csv

MAX_UNITS = 1_000_000
MIN_YEAR, MAX_YEAR = 1970, 2200


@strawberry.input
class RecordPurchaseInput:
    sku: str
    date: dt.date = strawberry.field(description="When the goods were received.")
    units: int
    unit_cost: str = strawberry.field(description="Cost per unit, a decimal string.")
    reference: str = strawberry.field(default="", description="PO or bill number.")
    supplier_id: strawberry.ID | None = strawberry.field(
        default=None, description="Who sent the bill (createSupplier); it is owed to them."
    )
    freight: str = strawberry.field(default="0", description="Freight on this receipt.")
    duties: str = strawberry.field(default="0", description="Duties on this receipt.")
    paid_at_once: bool = strawberry.field(
        default=False, description="Paid from the bank on receipt: no bill is owed."
    )
    idempotency_key: str | None = None


@strawberry.input
class ImportPurchasesCsvInput:
    csv: str = strawberry.field(
        description="Header: sku,date,units,unit_cost[,reference,supplier,freight,duties,paid]"
        " (supplier by name; paid: yes or no)"
    )
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
    extras = _extras(row, field, currency, errors)
    if errors:
        return None, errors
    freight, duties = extras
    return (
        Purchase(
            sku,
            day,
            units,
            cost,
            (row.get("reference") or "").strip(),
            UUID(row["supplier_id"]) if row.get("supplier_id") else None,
            freight,
            duties,
            (row.get("paid") or "").strip().lower() in ("yes", "true", "1"),
        ),
        [],
    )


def _extras(
    row: dict[str, str], field: str, currency: str, errors: list[UserError]
) -> tuple[int, int]:
    """Freight and duties, part of what the units cost (posting rule 14.1)."""
    out = []
    for name in ("freight", "duties"):
        text = (row.get(name) or "0").strip() or "0"
        try:
            amount = to_minor(text, currency)
            check_total(1, amount)
            if amount < 0:
                raise MoneyError("cannot be negative")
        except MoneyError as exc:
            errors.append(
                UserError(field=f"{field}.{name}", code=UserErrorCode.INVALID, message=str(exc))
            )
            amount = 0
        out.append(amount)
    paid = (row.get("paid") or "").strip().lower()
    if paid not in ("", "yes", "no", "true", "false", "1", "0"):
        errors.append(
            UserError(field=f"{field}.paid", code=UserErrorCode.INVALID, message="yes or no")
        )
    return out[0], out[1]


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
    suppliers = {
        r["name"].lower(): str(r["supplier_id"])
        for r in await ctx.pool.fetch(
            "SELECT supplier_id, name FROM suppliers WHERE company_id = $1", ctx.company_id
        )
    }
    purchases: list[Purchase] = []
    errors: list[UserError] = []
    for field, row in rows:
        name = (row.get("supplier") or "").strip()
        if name:
            found = suppliers.get(name.lower())
            if found is None:
                errors.append(
                    UserError(
                        field=f"{field}.supplier",
                        code=UserErrorCode.NOT_FOUND,
                        message=f"no supplier named {name[:100]!r} (createSupplier first)",
                    )
                )
                continue
            row = {**row, "supplier_id": found}
        elif row.get("supplier_id") and row["supplier_id"] not in suppliers.values():
            errors.append(
                UserError(
                    field=f"{field}.supplierId", code=UserErrorCode.NOT_FOUND, message="no supplier"
                )
            )
            continue
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
    supplier = decode_uuid(input.supplier_id, "Supplier") if input.supplier_id else None
    row = {
        "sku": input.sku,
        "date": input.date.isoformat(),
        "units": str(input.units),
        "unit_cost": input.unit_cost,
        "reference": input.reference,
        "supplier_id": str(supplier) if supplier else "",
        "freight": input.freight,
        "duties": input.duties,
        "paid": "yes" if input.paid_at_once else "no",
    }
    if input.supplier_id and supplier is None:
        return RecordPurchasePayload(
            user_errors=[
                UserError(
                    field="input.supplierId", code=UserErrorCode.NOT_FOUND, message="no supplier"
                )
            ]
        )
    return await _record(info, [("input", row)], "recordPurchase", input.idempotency_key)


async def import_purchases_csv(info: Info, input: ImportPurchasesCsvInput) -> RecordPurchasePayload:
    """All rows or none: any bad row is reported (row numbers from 1) and nothing is saved."""
    try:
        parsed = parse_csv(input.csv)
    except CsvFileError as exc:
        return RecordPurchasePayload(
            user_errors=[UserError(field="input.csv", code=UserErrorCode.INVALID, message=str(exc))]
        )
    rows = [(f"row {n}", r) for n, r in enumerate(parsed, start=1)]
    return await _record(info, rows, "importPurchasesCsv", input.idempotency_key)
