"""Suppliers, bill payments and stock adjustments, each a command."""

from __future__ import annotations

from uuid import UUID

import asyncpg
from arq.connections import ArqRedis

from service.commands.runner import Outcome, Wake, run_command
from service.domain.purchases import BillPayment
from service.ledger.inventory import RECOST_FUNCTION, request_recost
from service.ledger.purchases import PurchaseRefused, create_supplier, record_bill_payment
from service.ledger.stock import record_adjustment
from service.posting.stock import Adjustment


async def add_supplier(
    pool: asyncpg.Pool, queue: ArqRedis | None, company_id: UUID, name: str, key: str | None
) -> Outcome:
    async def body(conn: asyncpg.Connection) -> Outcome:
        try:
            supplier_id = await create_supplier(conn, company_id, name)
        except PurchaseRefused as exc:
            return Outcome(refusals=[(exc.field, exc.code, str(exc))])
        return Outcome(result={"supplierId": str(supplier_id)})

    return await run_command(pool, queue, company_id, "createSupplier", key, body)


async def pay_bill(
    pool: asyncpg.Pool,
    queue: ArqRedis | None,
    company_id: UUID,
    payment: BillPayment,
    key: str | None,
) -> Outcome:
    async def body(conn: asyncpg.Connection) -> Outcome:
        try:
            payment_id = await record_bill_payment(conn, company_id, payment)
        except PurchaseRefused as exc:
            return Outcome(refusals=[(exc.field, exc.code, str(exc))])
        return Outcome(result={"paymentId": str(payment_id)})

    return await run_command(pool, queue, company_id, "recordBillPayment", key, body)


async def adjust_stock(
    pool: asyncpg.Pool,
    queue: ArqRedis | None,
    company_id: UUID,
    adjustment: Adjustment,
    key: str | None,
) -> Outcome:
    """The adjustment is stored at once; the costing values and posts it."""

    async def body(conn: asyncpg.Connection) -> Outcome:
        adjustment_id = await record_adjustment(conn, company_id, adjustment)
        job = await request_recost(conn, company_id, [adjustment.sku])
        return Outcome(
            result={"adjustmentId": str(adjustment_id), "jobId": job.job_id},
            wake=[Wake(RECOST_FUNCTION, job.job_id, (str(company_id), job.job_id))],
        )

    return await run_command(pool, queue, company_id, "recordInventoryAdjustment", key, body)
