"""The demo company's store activity, so `make dev` opens on books with something in them.

A dozen orders of the last weeks, in the shapes the connectors produce:
paid and shipped, a discount, a refund with a return fee, a cash-on-delivery
order still unpaid, a partial shipment, a cancelled order; and purchases
for most products, so COGS posts and one SKU shows up as a missing cost.
"""

from __future__ import annotations

import datetime as dt
from uuid import UUID

import asyncpg

from service.domain.events import (
    Cancellation,
    Event,
    Fulfillment,
    FulfillmentLine,
    PaymentMethod,
    Refund,
    RefundLine,
    RestockType,
    Transaction,
    TransactionKind,
)
from service.domain.history import OrderHistory
from service.domain.order import DiscountAllocation, LineItem, Order, ShippingLine, TaxLine
from service.ledger.codec import encode
from service.ledger.inventory import Purchase, record_purchases, recost_pending, run_recost
from service.ledger.order_posting import repost_order

PRODUCTS = {
    "MUG-BLUE": ("Blue mug", 1800, 650),
    "TEE-M": ("Tee, M", 2500, 900),
    "CAP-RED": ("Red cap", 2200, None),
}  # title, price, unit cost (None: missing)


def _history(n: int, store_id: str, timezone: str, today: dt.date) -> OrderHistory:
    placed = dt.datetime.combine(today - dt.timedelta(days=30 - 2 * n), dt.time(15), dt.UTC)
    sku = list(PRODUCTS)[n % 3]
    title, price, _ = PRODUCTS[sku]
    qty = 1 + n % 3
    discount = (
        (DiscountAllocation(price * qty // 10, order_level=True, code="WELCOME10"),)
        if n % 4 == 1
        else ()
    )
    tax = (TaxLine((price * qty - sum(d.amount for d in discount)) * 8 // 100, title="Sales tax"),)
    line = LineItem(f"L{n}", sku, qty, price, discount, tax, title=title)
    ship = ShippingLine(f"S{n}", 500, tax_lines=(TaxLine(40, title="Sales tax"),), title="Standard")
    total = qty * price - sum(d.amount for d in discount) + tax[0].amount + 540
    order = Order(
        id=f"{5000 + n}",
        store_id=store_id,
        currency="USD",
        timezone=timezone,
        placed_at=placed,
        lines=(line,),
        shipping_lines=(ship,),
        name=f"#{1000 + n}",
        source="web" if n % 5 else "pos",
    )
    later = placed + dt.timedelta(days=1)
    events: list[Event] = []
    if n == 7:  # cash on delivery, still to be collected
        events.append(
            Transaction(
                f"T{n}",
                placed,
                TransactionKind.SALE,
                total,
                "cash on delivery",
                PaymentMethod.MANUAL,
            )
        )
    elif n == 9:  # cancelled before anything happened
        events.append(Cancellation(f"C{n}", later, "customer"))
    else:
        events.append(
            Transaction(
                f"T{n}",
                placed,
                TransactionKind.SALE,
                total,
                "shopify_payments",
                PaymentMethod.PROCESSOR,
            )
        )
    if n not in (9,):
        shipped = qty - 1 if n == 4 and qty > 1 else qty
        events.append(Fulfillment(f"F{n}", later, (FulfillmentLine(f"L{n}", shipped),)))
    if n == 3:  # returned, refunded less a $5.00 return fee
        back = price - (sum(d.amount for d in discount) // qty) + tax[0].amount // qty - 500
        events.append(
            Refund(
                f"R{n}",
                later + dt.timedelta(days=5),
                (RefundLine(f"L{n}", 1, RestockType.RETURN),),
                transactions=(
                    Transaction(
                        f"RT{n}",
                        later + dt.timedelta(days=5),
                        TransactionKind.REFUND,
                        back,
                        "shopify_payments",
                        PaymentMethod.PROCESSOR,
                    ),
                ),
            )
        )
    return OrderHistory(order, tuple(events))


async def load_demo_activity(pool: asyncpg.Pool, company_id: UUID, store_id: UUID) -> None:
    """Give the demo store its orders and purchases, posted (once)."""
    timezone = await pool.fetchval(
        "SELECT timezone FROM stores WHERE company_id = $1 AND store_id = $2", company_id, store_id
    )
    today = dt.date.today()
    histories = [_history(n, str(store_id), timezone, today) for n in range(12)]
    async with pool.acquire() as conn, conn.transaction():
        await conn.executemany(
            "INSERT INTO order_sources (company_id, store_id, order_id, history) "
            "VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
            [(company_id, store_id, h.order.id, encode(h)) for h in histories],
        )
        for h in histories:
            await repost_order(conn, company_id, store_id, h.order.id)
        job = await record_purchases(
            conn,
            company_id,
            [
                Purchase(sku, today - dt.timedelta(days=60), 100, cost, "opening")
                for sku, (_, _, cost) in PRODUCTS.items()
                if cost is not None
            ],
        )
    await run_recost(pool, company_id, job.job_id)
    await recost_pending(pool, company_id)
