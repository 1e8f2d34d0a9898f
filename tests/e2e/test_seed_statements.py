"""The seeds' worked examples, through the real webhook endpoint and GraphQL alone.

Each example is an order in Shopify's own webhook shapes, in a month of its
own. The statements must show what the help-center articles say, under all
four combinations of accounting basis and fulfillment tracking, and the
books must verify clean after every switch.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from decimal import Decimal
from typing import Any

import asyncpg
import httpx
import pytest

from service.ledger.verify import verify_company
from tests.conftest import GraphQL, Tenant
from tests.fakes.shopify.generate import generate_shop
from tests.fakes.shopify.model import (
    FAlloc,
    FDiscountApp,
    FFulfillment,
    FFulfillmentLine,
    FLine,
    FOrder,
    FRefund,
    FRefundLine,
    FTax,
    FTxn,
)
from tests.fakes.shopify.server import FakeShopify
from tests.integration.shopify_helpers import connect, deliveries, post_webhook

UTC = dt.UTC
GATEWAY = "shopify_payments"


def _at(day: str, hour: int = 16) -> dt.datetime:
    return dt.datetime.fromisoformat(day).replace(hour=hour, tzinfo=UTC)


def _order(oid: int, placed: str, price: int, **kw: Any) -> FOrder:
    line = FLine(
        oid * 10 + 1,
        1,
        2,
        f"SKU-{oid}",
        "Item",
        1,
        price,
        allocs=kw.pop("allocs", []),
        taxes=kw.pop("taxes", []),
    )
    return FOrder(
        id=oid,
        number=oid,
        created_at=_at(placed, 15),
        updated_at=_at(placed, 23),
        currency="USD",
        lines=[line],
        **kw,
    )


def _pay(o: FOrder, day: str, amount: int, gateway: str = GATEWAY) -> FTxn:
    t = FTxn(o.id * 10 + 2, "sale", "success", gateway, amount, _at(day))
    o.payments.append(t)
    return t


def _ship(o: FOrder, day: str) -> None:
    ln = o.lines[0]
    o.fulfillments.append(
        FFulfillment(
            o.id * 10 + 3, _at(day, 17), "success", [FFulfillmentLine(o.id * 10 + 4, ln.id, 1)]
        )
    )


def _refund(
    o: FOrder, day: str, amount: int, *, restock: str = "no_restock", gateway: str = GATEWAY
) -> None:
    ln = o.lines[0]
    parent = o.payments[0].id
    o.refunds.append(
        FRefund(
            id=o.id * 10 + 5,
            at=_at(day, 18),
            lines=[FRefundLine(o.id * 10 + 6, ln.id, 1, restock, ln.gross - ln.discount, ln.tax)],
            transactions=[
                FTxn(
                    o.id * 10 + 7,
                    "refund",
                    "success",
                    gateway,
                    amount,
                    _at(day, 18),
                    parent_id=parent,
                )
            ],
        )
    )
    o.updated_at = _at(day, 23)


def seed_orders() -> list[FOrder]:
    # Seed 002: placed Jan 1, fulfilled Jan 5, paid Jan 7.
    timing = _order(1001, "2025-01-01", 10000)
    _ship(timing, "2025-01-05")
    _pay(timing, "2025-01-07", 10000)
    timing.updated_at = _at("2025-01-07", 23)
    # Seed 002 FAQ: a $75 line with a $10 discount, refunded $65.
    faq = _order(1002, "2025-02-01", 7500, allocs=[FAlloc(1000, 0)])
    faq.apps.append(
        FDiscountApp("discount_code", "TEN", "10.0", "fixed_amount", "across", "all", "line_item")
    )
    _pay(faq, "2025-02-01", 6500)
    _ship(faq, "2025-02-01")
    _refund(faq, "2025-02-10", 6500)
    # Seed 003: $20.00 + $1.50 tax, refunded $14.50 (a $7.00 return fee), restocked.
    tax = [FTax("State tax", "0.075", 150)]
    partial = _order(1003, "2025-03-01", 2000, taxes=list(tax))
    _pay(partial, "2025-03-01", 2150)
    _ship(partial, "2025-03-01")
    _refund(partial, "2025-03-05", 1450, restock="return")
    # Seed 003: the same order refunded in full.
    full = _order(1004, "2025-04-01", 2000, taxes=list(tax))
    _pay(full, "2025-04-01", 2150)
    _ship(full, "2025-04-01")
    _refund(full, "2025-04-05", 2150, restock="return")
    # Seed 003: refunded as a store credit gift card.
    credit = _order(1005, "2025-05-01", 2000, taxes=list(tax))
    _pay(credit, "2025-05-01", 2150)
    _ship(credit, "2025-05-01")
    _refund(credit, "2025-05-05", 2150, restock="return", gateway="gift_card")
    return [timing, faq, partial, full, credit]


PL = """query($from: Date!, $to: Date!) { profitAndLoss(from: $from, to: $to) {
  lines { accountKey amount { amount currencyCode } } netSales { amount } } }"""
BS = """query($asOf: Date!) { balanceSheet(asOf: $asOf) {
  lines { accountKey amount { amount } } totalAssets { amount } totalLiabilities { amount }
  totalEquity { amount } } }"""
UPDATE = """mutation($input: UpdateBookkeepingSettingsInput!) {
  updateBookkeepingSettings(input: $input) { userErrors { message } } }"""


async def _pl(gql: GraphQL, start: str, end: str) -> tuple[dict[str, Decimal], Decimal]:
    body = await gql(PL, {"from": start, "to": end})
    pl = body["data"]["profitAndLoss"]
    lines = {ln["accountKey"]: Decimal(ln["amount"]["amount"]) for ln in pl["lines"]}
    return lines, Decimal(pl["netSales"]["amount"])


async def _bs(gql: GraphQL, as_of: str) -> dict[str, Decimal]:
    sheet = (await gql(BS, {"asOf": as_of}))["data"]["balanceSheet"]
    assets = Decimal(sheet["totalAssets"]["amount"])
    other = Decimal(sheet["totalLiabilities"]["amount"]) + Decimal(sheet["totalEquity"]["amount"])
    assert assets == other, "the balance sheet does not balance"
    return {ln["accountKey"]: Decimal(ln["amount"]["amount"]) for ln in sheet["lines"]}


@pytest.mark.parametrize(
    ("basis", "tracking", "sales_day"),
    [
        ("CASH", "ORDER_PLACED_DATE", "2025-01-07"),
        ("CASH", "ORDER_FULFILLED_DATE", "2025-01-07"),
        ("ACCRUAL", "ORDER_PLACED_DATE", "2025-01-01"),
        ("ACCRUAL", "ORDER_FULFILLED_DATE", "2025-01-05"),
    ],
)
async def test_seed_examples_under_each_setting(
    gql: GraphQL,
    tenant: Tenant,
    client: httpx.AsyncClient,
    pool: asyncpg.Pool,
    run_worker: Callable[[], Awaitable[None]],
    basis: str,
    tracking: str,
    sales_day: str,
) -> None:
    empty = generate_shop(0, seed=1)
    empty.domain = domain = f"seeds-{tenant.company_id.hex[:8]}.myshopify.com"
    async with FakeShopify(empty) as fake:
        await connect(gql, domain, fake.base_url)
        for order in seed_orders():
            for n, (topic, payload) in enumerate(deliveries(order)):
                response = await post_webhook(client, domain, topic, payload, f"{order.id}-{n}")
                assert response.status_code == 200
        await run_worker()
        body = await gql(
            UPDATE, {"input": {"accountingBasis": basis, "fulfillmentTracking": tracking}}
        )
        assert body["data"]["updateBookkeepingSettings"]["userErrors"] == []
        await run_worker()
    status = (await gql("{ booksStatus { upToDate } }"))["data"]["booksStatus"]
    assert status == {"upToDate": True}

    # Timing: sales on the payment date (cash) or the effective fulfillment date (accrual).
    for day in ("2025-01-01", "2025-01-05", "2025-01-07"):
        lines, _ = await _pl(gql, day, day)
        assert lines["GROSS_SALES"] == (Decimal("100.00") if day == sales_day else 0), day
    january = await _bs(gql, "2025-01-31")
    assert january["AR"] == 0 and january["DEFERRED_REVENUE"] == 0

    # $75 line, $10 discount, $65 refunded: $75 in returns, $10 back in discounts.
    refund_day, _ = await _pl(gql, "2025-02-10", "2025-02-10")
    assert refund_day["REFUNDS_RETURNS"] == Decimal("-75.00")
    assert refund_day["DISCOUNTS"] == Decimal("10.00")
    _, february = await _pl(gql, "2025-02-01", "2025-02-28")
    assert february == 0

    # Loop's partial refund: returns net of the $7 fee, tax reversed in full.
    march, march_net = await _pl(gql, "2025-03-01", "2025-03-31")
    assert march["REFUNDS_RETURNS"] == Decimal("-13.00")
    assert march_net == Decimal("7.00")
    assert (await _bs(gql, "2025-03-31"))["SALES_TAX_PAYABLE"] == 0

    # Loop's full refund: nothing left in sales or tax.
    _, april_net = await _pl(gql, "2025-04-01", "2025-04-30")
    assert april_net == 0
    assert (await _bs(gql, "2025-04-30"))["SALES_TAX_PAYABLE"] == 0

    # Store credit: refunded as a gift card, which is now owed to the customer.
    _, may_net = await _pl(gql, "2025-05-01", "2025-05-31")
    assert may_net == 0
    may = await _bs(gql, "2025-05-31")
    assert may["GIFT_CARD_LIABILITY"] == Decimal("21.50")
    assert may["SALES_TAX_PAYABLE"] == 0

    report = await verify_company(pool, tenant.company_id)
    assert report.problems == []
