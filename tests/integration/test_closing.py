"""Closing the books (posting rule 15.2): once March is closed, a basis
switch, a late webhook and a full re-post leave March's statements exactly
as they were and post their difference on April 1, explained; reopening
re-posts March as the inputs say today."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from typing import Any

import asyncpg
import httpx
from arq.connections import ArqRedis

from service.db.queue import enqueue
from service.ledger.closing import close_books, reopen_books
from service.ledger.reposting import REPOST_FUNCTION
from service.ledger.verify import verify_company
from tests.conftest import GraphQL, Tenant
from tests.integration.shopify_helpers import connect, post_webhook, process_pending
from tests.unit.shopify.payloads import rest_order, rest_refund, rest_txn

MARCH = {"from": "2024-03-01", "to": "2024-03-31"}
STATEMENTS = """query($from: Date!, $to: Date!) {
  profitAndLoss(from: $from, to: $to) { lines { accountKey amount { amount } } }
  trialBalance(from: $from, to: $to) { lines { accountKey debit { amount } credit { amount } } }
}"""
ADJUSTMENTS = """{ journalEntries(first: 20, filter: {from: "2024-04-01", to: "2024-04-01"}) {
  nodes { date rule memo } } }"""
SETTINGS = """mutation($basis: AccountingBasis!) {
  updateBookkeepingSettings(input: {accountingBasis: $basis}) { userErrors { field } } }"""


async def _march(gql: GraphQL) -> dict[str, Any]:
    body = await gql(STATEMENTS, MARCH)
    assert "errors" not in body, body
    data: dict[str, Any] = body["data"]
    return data


async def _close(pool: asyncpg.Pool, company_id: Any, through: dt.date) -> None:
    async with pool.acquire() as conn, conn.transaction():
        await close_books(conn, company_id, through, dt.date(2026, 12, 1))


async def test_a_closed_month_never_changes(
    gql: GraphQL,
    tenant: Tenant,
    client: httpx.AsyncClient,
    pool: asyncpg.Pool,
    run_worker: Callable[[], Awaitable[None]],
    queue: ArqRedis,
    empty_shopify: str,
) -> None:
    domain = f"close-{tenant.company_id.hex[:8]}.myshopify.com"
    await connect(gql, domain, empty_shopify)
    await post_webhook(client, domain, "orders/create", rest_order("75.00", tax="6.00"), "w1")
    sale = rest_txn(9001, "sale", "81.00", "shopify_payments", "2024-03-01T10:05:00-05:00")
    await post_webhook(client, domain, "order_transactions/create", sale, "w2")
    await process_pending(pool, tenant.company_id)
    before = await _march(gql)
    assert before["profitAndLoss"]["lines"]

    await _close(pool, tenant.company_id, dt.date(2024, 3, 31))
    # A basis switch re-posts everything into a new version...
    assert (await gql(SETTINGS, {"basis": "ACCRUAL"}))["data"]["updateBookkeepingSettings"][
        "userErrors"
    ] == []
    await run_worker()
    assert await _march(gql) == before
    # ...and a refund dated in March arrives late, after the close.
    refund = rest_refund("81.00", "shopify_payments")
    refund["created_at"] = "2024-03-10T12:00:00-05:00"
    refund["transactions"][0]["processed_at"] = "2024-03-10T12:00:00-05:00"
    await post_webhook(client, domain, "refunds/create", refund, "w3")
    await process_pending(pool, tenant.company_id)
    assert await _march(gql) == before

    entries = (await gql(ADJUSTMENTS))["data"]["journalEntries"]["nodes"]
    assert [e["rule"] for e in entries] == ["period.adjustment"]
    assert "closed through 2024-03-31" in entries[0]["memo"]
    assert (await verify_company(pool, tenant.company_id)).clean

    async with pool.acquire() as conn, conn.transaction():
        closing = await reopen_books(conn, tenant.company_id, dt.date(2024, 3, 1))
    assert closing.repost_job is not None
    job_id = closing.repost_job.job_id
    await enqueue(queue, REPOST_FUNCTION, job_id, str(tenant.company_id), job_id)
    await run_worker()
    after = await _march(gql)
    assert after != before  # March now shows accrual and the refund
    assert (await gql(ADJUSTMENTS))["data"]["journalEntries"]["nodes"] == []
    assert (await verify_company(pool, tenant.company_id)).clean
