"""Processor records posted a batch at a time give the books posting each
alone would: unchanged records write nothing, changed ones replace their
entries, and a closed period keeps its own."""

from __future__ import annotations

import datetime as dt

import asyncpg

from service.domain.processor import BalanceTransaction, Payout
from service.ledger.closing import close_books
from service.ledger.processor_records import store_processor_records
from service.ledger.verify import verify_company
from tests.conftest import Tenant

AT = dt.datetime(2025, 3, 2, 15, tzinfo=dt.UTC)


def _sale(n: int, amount: int, fee: int, at: dt.datetime = AT) -> BalanceTransaction:
    return BalanceTransaction(f"paypal:S{n}", "paypal", "payment", at, amount, fee, "USD")


async def _lines(pool: asyncpg.Pool, tenant: Tenant) -> dict[tuple[str, str], int]:
    rows = await pool.fetch(
        "SELECT l.account_key, min(e.entry_date)::text AS day, sum(l.amount) AS total "
        "FROM journal_lines l JOIN journal_entries e USING (company_id, entry_id) "
        "WHERE l.company_id = $1 GROUP BY l.account_key",
        tenant.company_id,
    )
    return {(r["account_key"], r["day"]): int(r["total"]) for r in rows}


async def test_batches_post_like_single_records_and_respect_a_closed_period(
    pool: asyncpg.Pool, tenant: Tenant
) -> None:
    first = [(_sale(n, 1000 * n, 59), f"#{n}") for n in range(1, 6)]
    payout = Payout("paypal:W1", "paypal", dt.date(2025, 3, 5), 14705, currency="USD")
    async with pool.acquire() as conn, conn.transaction():
        done = await store_processor_records(
            conn, tenant.company_id, tenant.store_id, [*first, (payout, None)]
        )
    assert (done.balance_transactions, done.payouts, done.needs_review) == (5, 1, 0)
    assert await _lines(pool, tenant) == {
        ("UNDEPOSITED_FUNDS", "2025-03-02"): 0,
        ("RIP", "2025-03-02"): -15000,
        ("PAYMENT_PROCESSING_FEES", "2025-03-02"): 295,
        ("BANK", "2025-03-05"): 14705,
    }
    async with pool.acquire() as conn, conn.transaction():
        await close_books(conn, tenant.company_id, dt.date(2025, 3, 31), dt.date(2025, 6, 1))
    # Read again: four unchanged, one whose fee PayPal corrected inside the closed period.
    again = [*first[:4], (_sale(5, 5000, 80), "#5")]
    async with pool.acquire() as conn, conn.transaction():
        before = await conn.fetchval(
            "SELECT count(*) FROM journal_entries WHERE company_id = $1", tenant.company_id
        )
        await store_processor_records(conn, tenant.company_id, tenant.store_id, again)
        days = await conn.fetch(
            "SELECT entry_date FROM journal_entries WHERE company_id = $1 "
            "AND entry_date > '2025-03-31'",
            tenant.company_id,
        )
    assert before == 6 and [r["entry_date"] for r in days] == [dt.date(2025, 4, 1)]
    assert (await verify_company(pool, tenant.company_id)).problems == []
