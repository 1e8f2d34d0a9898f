"""What an accountant reads besides the statements: the closing date,
payables by supplier and age, negative stock, the inventory valuation,
and the audit log."""

from __future__ import annotations

import datetime as dt

import strawberry

from service.api.context import Info
from service.api.ids import global_id
from service.api.loaders import load_books
from service.api.types.audit import AuditRecord, audit_record
from service.api.types.connection import Connection, check_first, decode_cursor, page
from service.api.types.money import Money
from service.ledger.audit import AuditFilter, audit_records, count_audit_records
from service.ledger.inventory import valuation_as_of
from service.ledger.journal import closed_through
from service.ledger.purchases import payables_aging as aging_of
from service.ledger.stock import negative_stock as negatives_of


@strawberry.type(description="What a supplier is owed, by the age of its bills.")
class SupplierPayables:
    supplier_id: strawberry.ID
    name: str
    current: Money = strawberry.field(description="Bills under 30 days old.")
    days_30: Money = strawberry.field(description="30 to 59 days old.")
    days_60: Money = strawberry.field(description="60 to 89 days old.")
    days_90_plus: Money
    total: Money


@strawberry.type(description="A SKU sold beyond what was received, and since when.")
class NegativeStock:
    sku: str
    units_short: int
    since: dt.date


@strawberry.type(description="A SKU's units on hand and their value at the end of a day.")
class InventoryValuationLine:
    sku: str
    units: int
    unit_cost: Money | None
    value: Money


@strawberry.type
class InventoryValuation:
    as_of: dt.date
    lines: list[InventoryValuationLine]
    total: Money


async def books_closed_through(info: Info) -> dt.date | None:
    async with info.context.pool.acquire() as conn:
        return await closed_through(conn, info.context.company_id)


async def payables_aging(info: Info, as_of: dt.date) -> list[SupplierPayables]:
    ctx = info.context
    _, currency = await load_books(ctx)
    rows = await aging_of(ctx.pool, ctx.company_id, as_of)
    return [
        SupplierPayables(
            supplier_id=global_id("Supplier", r.supplier_id),
            name=r.name,
            current=Money.of(r.buckets[0], currency),
            days_30=Money.of(r.buckets[1], currency),
            days_60=Money.of(r.buckets[2], currency),
            days_90_plus=Money.of(r.buckets[3], currency),
            total=Money.of(r.total, currency),
        )
        for r in rows
    ]


async def negative_stock(info: Info) -> list[NegativeStock]:
    rows = await negatives_of(info.context.pool, info.context.company_id)
    return [NegativeStock(sku=r.sku, units_short=r.units, since=r.since) for r in rows]


async def inventory_valuation(info: Info, as_of: dt.date) -> InventoryValuation:
    ctx = info.context
    _, currency = await load_books(ctx)
    async with ctx.pool.acquire() as conn:
        rows = await valuation_as_of(conn, ctx.company_id, as_of)
    return InventoryValuation(
        as_of=as_of,
        lines=[
            InventoryValuationLine(
                sku=r.sku,
                units=r.units,
                unit_cost=Money.of(r.unit_cost, currency) if r.unit_cost is not None else None,
                value=Money.of(r.value, currency),
            )
            for r in rows
        ],
        total=Money.of(sum(r.value for r in rows), currency),
    )


@strawberry.input
class AuditLogFilter:
    from_: dt.date | None = strawberry.field(default=None, name="from")
    to: dt.date | None = None
    kind: str | None = None


async def audit_log(
    info: Info, first: int = 50, after: str | None = None, filter: AuditLogFilter | None = None
) -> Connection[AuditRecord]:
    ctx = info.context
    check_first(first)
    key = decode_cursor(after)
    f = filter or AuditLogFilter()
    where = AuditFilter(f.from_, f.to, f.kind[:100] if f.kind else None)
    rows = await audit_records(
        ctx.pool,
        ctx.company_id,
        where,
        limit=first + 1,
        before_id=key if isinstance(key, int) and 0 <= key < 2**63 else None,
    )
    total = await count_audit_records(ctx.pool, ctx.company_id, where)
    result: Connection[AuditRecord] = page(rows, first, lambda r: r.audit_id, total, audit_record)
    return result
