"""Purchases reach the ledger (posting rule 14.1): their landed cost goes to
inventory, owed to the supplier or paid at once; paying a bill clears the
payable; what each supplier is owed is aged; freight and duties are part
of the units' cost in the costing too."""

from __future__ import annotations

import datetime as dt

import asyncpg

from service.domain.purchases import BillPayment
from service.ledger.inventory import Purchase, record_purchases, request_recost, run_recost
from service.ledger.purchases import create_supplier, payables_aging, record_bill_payment
from service.ledger.stock import record_adjustment
from service.ledger.verify import verify_company
from service.posting.stock import Adjustment
from tests.conftest import GraphQL, Tenant

SHEET = """{ balanceSheet(asOf: "2024-06-30") { lines { accountKey amount { amount } } } }"""


async def test_purchases_post_and_payables_age(
    gql: GraphQL, tenant: Tenant, pool: asyncpg.Pool
) -> None:
    async with pool.acquire() as conn, conn.transaction():
        acme = await create_supplier(conn, tenant.company_id, "Acme Mugs")
        job = await record_purchases(
            conn,
            tenant.company_id,
            [
                # 10 mugs at 4.00, with 3.00 freight and 0.05 duties: 43.05.
                Purchase("MUG", dt.date(2024, 3, 1), 10, 400, "PO-1", acme, 300, 5),
                Purchase("MUG", dt.date(2024, 5, 20), 5, 420, "PO-2", acme),
                Purchase("TEE", dt.date(2024, 6, 1), 2, 900, "cash", None, 0, 0, True),
            ],
        )
        await record_bill_payment(
            conn,
            tenant.company_id,
            BillPayment("", str(acme), dt.date(2024, 4, 1), 2000, reference="wire 1"),
        )
    await run_recost(pool, tenant.company_id, job.job_id)
    lines = {
        ln["accountKey"]: ln["amount"]["amount"]
        for ln in (await gql(SHEET))["data"]["balanceSheet"]["lines"]
    }
    assert lines["INVENTORY"] == "82.05"  # 43.05 + 21.00 + 18.00
    assert lines["ACCOUNTS_PAYABLE"] == "44.05"  # 43.05 + 21.00 - 20.00
    assert lines["BANK"] == "-38.00"  # 20.00 paid, 18.00 paid at once
    aging = await payables_aging(pool, tenant.company_id, dt.date(2024, 6, 30))
    [acme_owed] = aging
    # The March bill (121 days old) has 23.05 left; the May bill is 41 days old.
    assert acme_owed.name == "Acme Mugs"
    assert acme_owed.buckets == (0, 2100, 0, 2305)
    products = await gql('{ product(sku: "MUG") { onHand inventoryValue { amount } } }')
    assert products["data"]["product"] == {"onHand": 15, "inventoryValue": {"amount": "64.05"}}
    assert (await verify_company(pool, tenant.company_id)).clean


async def test_shrinkage_leaves_at_the_cost_of_the_day(
    gql: GraphQL, tenant: Tenant, pool: asyncpg.Pool
) -> None:
    async with pool.acquire() as conn, conn.transaction():
        await record_purchases(
            conn,
            tenant.company_id,
            [
                Purchase("MUG", dt.date(2024, 3, 1), 10, 400, "PO-1", None, 305),
                Purchase("MUG", dt.date(2024, 5, 20), 5, 420, "PO-2"),
            ],
        )
        await record_adjustment(
            conn,
            tenant.company_id,
            Adjustment("", "MUG", dt.date(2024, 6, 10), 2, "SHRINKAGE", "count of June"),
        )
        job = await request_recost(conn, tenant.company_id, ["MUG"])
    await run_recost(pool, tenant.company_id, job.job_id)
    sheet = {
        ln["accountKey"]: ln["amount"]["amount"]
        for ln in (await gql(SHEET))["data"]["balanceSheet"]["lines"]
    }
    # The average is 64.05 / 15 = 4.27: two mugs leave at 8.54.
    assert sheet["INVENTORY"] == "55.51"
    pl = await gql(
        '{ profitAndLoss(from: "2024-06-01", to: "2024-06-30") '
        "{ lines { accountKey amount { amount } } } }"
    )
    lines = {
        ln["accountKey"]: ln["amount"]["amount"] for ln in pl["data"]["profitAndLoss"]["lines"]
    }
    assert lines["INVENTORY_ADJUSTMENTS"] == "8.54"
    product = await gql('{ product(sku: "MUG") { onHand inventoryValue { amount } } }')
    assert product["data"]["product"] == {"onHand": 13, "inventoryValue": {"amount": "55.51"}}
    assert (await verify_company(pool, tenant.company_id)).clean
