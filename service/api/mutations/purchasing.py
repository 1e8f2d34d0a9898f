"""Suppliers, bill payments and stock adjustments (posting rules 14.1, 14.2)."""

from __future__ import annotations

import datetime as dt
from enum import Enum

import strawberry

from service.api.context import Info
from service.api.ids import decode_uuid, global_id
from service.api.types.job import Job
from service.api.types.user_error import UserError, UserErrorCode
from service.commands import purchasing as commands
from service.commands.runner import Outcome
from service.domain.money import MoneyError, check_total, to_minor
from service.domain.purchases import BillPayment
from service.ledger.jobs import get_job
from service.posting.stock import Adjustment


def _errors(outcome: Outcome) -> list[UserError]:
    return [UserError(field=f, code=UserErrorCode(c), message=m) for f, c, m in outcome.refusals]


@strawberry.input
class CreateSupplierInput:
    name: str
    idempotency_key: str | None = None


@strawberry.type
class SupplierPayload:
    supplier_id: strawberry.ID | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


async def create_supplier(info: Info, input: CreateSupplierInput) -> SupplierPayload:
    ctx = info.context
    outcome = await commands.add_supplier(
        ctx.pool, ctx.queue, ctx.company_id, input.name, input.idempotency_key
    )
    if outcome.refusals:
        return SupplierPayload(user_errors=_errors(outcome))
    return SupplierPayload(supplier_id=global_id("Supplier", outcome.result["supplierId"]))


@strawberry.input
class RecordBillPaymentInput:
    supplier_id: strawberry.ID
    date: dt.date
    amount: str = strawberry.field(description="A decimal string.")
    purchase_id: strawberry.ID | None = strawberry.field(
        default=None, description="The bill it pays; without it, the oldest bills first."
    )
    reference: str = ""
    idempotency_key: str | None = None


@strawberry.type
class BillPaymentPayload:
    payment_id: strawberry.ID | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


async def record_bill_payment(info: Info, input: RecordBillPaymentInput) -> BillPaymentPayload:
    ctx = info.context
    supplier = decode_uuid(input.supplier_id, "Supplier")
    purchase = decode_uuid(input.purchase_id, "Purchase") if input.purchase_id else None
    if supplier is None or (input.purchase_id and purchase is None):
        field = "input.supplierId" if supplier is None else "input.purchaseId"
        return BillPaymentPayload(
            user_errors=[UserError(field=field, code=UserErrorCode.NOT_FOUND, message="bad id")]
        )
    currency = await ctx.pool.fetchval(
        "SELECT coalesce(min(currency_code), 'USD') FROM stores WHERE company_id = $1",
        ctx.company_id,
    )
    try:
        amount = to_minor(input.amount.strip(), currency)
        check_total(1, amount)
    except MoneyError as exc:
        return BillPaymentPayload(
            user_errors=[
                UserError(field="input.amount", code=UserErrorCode.INVALID, message=str(exc))
            ]
        )
    payment = BillPayment(
        "",
        str(supplier),
        input.date,
        amount,
        "",
        str(purchase) if purchase else None,
        input.reference.strip()[:200],
    )
    outcome = await commands.pay_bill(
        ctx.pool, ctx.queue, ctx.company_id, payment, input.idempotency_key
    )
    if outcome.refusals:
        return BillPaymentPayload(user_errors=_errors(outcome))
    return BillPaymentPayload(payment_id=global_id("BillPayment", outcome.result["paymentId"]))


@strawberry.enum(description="Why units left stock with no sale.")
class AdjustmentReason(Enum):
    SHRINKAGE = "SHRINKAGE"
    DAMAGE = "DAMAGE"
    WRITE_OFF = "WRITE_OFF"


@strawberry.input
class RecordInventoryAdjustmentInput:
    sku: str
    date: dt.date
    units: int = strawberry.field(description="Units that left stock (counted short, damaged).")
    reason: AdjustmentReason
    note: str = ""
    idempotency_key: str | None = None


@strawberry.type
class InventoryAdjustmentPayload:
    adjustment_id: strawberry.ID | None = None
    recost_job: Job | None = strawberry.field(
        default=None, description="Values the units at the cost of the day and posts them."
    )
    user_errors: list[UserError] = strawberry.field(default_factory=list)


async def record_inventory_adjustment(
    info: Info, input: RecordInventoryAdjustmentInput
) -> InventoryAdjustmentPayload:
    ctx = info.context
    sku = input.sku.strip()
    if not sku or len(sku) > 200:
        return InventoryAdjustmentPayload(
            user_errors=[UserError(field="input.sku", code=UserErrorCode.REQUIRED, message="a SKU")]
        )
    if not 0 < input.units <= 10_000_000:
        return InventoryAdjustmentPayload(
            user_errors=[
                UserError(
                    field="input.units", code=UserErrorCode.INVALID, message="1 or more units"
                )
            ]
        )
    adjustment = Adjustment("", sku, input.date, input.units, input.reason.value, input.note[:200])
    outcome = await commands.adjust_stock(
        ctx.pool, ctx.queue, ctx.company_id, adjustment, input.idempotency_key
    )
    job = await get_job(ctx.pool, ctx.company_id, outcome.result["jobId"])
    return InventoryAdjustmentPayload(
        adjustment_id=global_id("InventoryAdjustment", outcome.result["adjustmentId"]),
        recost_job=Job.from_record(job) if job else None,
    )
