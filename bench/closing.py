"""Closing the books, then a basis switch: what folding into a closed period costs.

A company of N synthetic orders (bench/books_generator.py) is posted on
the CASH basis, its books are closed through the day two thirds into its
history, and it is switched to ACCRUAL: the full re-post keeps every entry
of the closed period and posts the difference as adjustments on the first
open day. The same company is then reopened and posted again on ACCRUAL
with no period closed, in the same run, for comparison.

    .venv/bin/python bench/closing.py [--orders 200000] [--batch 2000] [--server URL]

Prints the time of each re-post, the adjustments posted, and whether the
closed period's statements stayed identical (they must).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import sys
import time
from pathlib import Path
from uuid import UUID

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.append(str(Path(__file__).resolve().parents[1]))

import asyncpg
from books_generator import bench_database, drop_database, generate_company

from service.db.connect import create_pool
from service.ledger.closing import close_books
from service.ledger.reposting import BATCH_ORDERS, request_full_repost, run_full_repost
from service.ledger.statements import period_sums


async def repost(pool: asyncpg.Pool, company_id: UUID, basis: str, batch: int) -> float:
    """Switch the basis (or just bump the settings) and run the full re-post."""
    async with pool.acquire() as conn, conn.transaction():
        version = await conn.fetchval(
            "UPDATE bookkeeping_settings SET accounting_basis = $2, version = version + 1 "
            "WHERE company_id = $1 RETURNING version",
            company_id,
            basis,
        )
        job = await request_full_repost(conn, company_id, version, f"bench: {basis}")
    t0 = time.perf_counter()
    while (
        await run_full_repost(pool, company_id, job.job_id, step_seconds=1e9, batch_orders=batch)
        != "DONE"
    ):
        pass
    return time.perf_counter() - t0


async def closed_statement(
    pool: asyncpg.Pool, company_id: UUID, through: dt.date
) -> dict[tuple[str, str], int]:
    version = await pool.fetchval(
        "SELECT current_version FROM books WHERE company_id = $1", company_id
    )
    return await period_sums(pool, company_id, version, None, through, group="MONTH")


async def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--orders", type=int, default=200_000)
    ap.add_argument("--batch", type=int, default=BATCH_ORDERS)
    ap.add_argument("--years", type=float, default=3.0)
    ap.add_argument("--db", default="storebooks_bench_closing")
    ap.add_argument("--server", default=None, help="admin URL of another PostgreSQL")
    args = ap.parse_args()
    db_url = await bench_database(args.db, fresh=True, url=args.server)
    company = await generate_company(db_url, args.orders, years=args.years)
    cid = company.company_id
    pool = await create_pool(db_url)
    try:
        cash = await repost(pool, cid, "CASH", args.batch)
        first, last = await pool.fetchrow(
            "SELECT min(entry_date), max(entry_date) FROM journal_entries WHERE company_id = $1",
            cid,
        )
        through = first + (last - first) * 2 // 3
        before = await closed_statement(pool, cid, through)
        t0 = time.perf_counter()
        async with pool.acquire() as conn, conn.transaction():
            await close_books(conn, cid, through, dt.date.today())
        close = time.perf_counter() - t0
        folded = await repost(pool, cid, "ACCRUAL", args.batch)
        after = await closed_statement(pool, cid, through)
        adjustments = await pool.fetchval(
            "SELECT count(*) FROM journal_entries e JOIN books b USING (company_id) "
            "WHERE e.company_id = $1 AND e.journal_version = b.current_version "
            "AND e.rule = 'period.adjustment'",
            cid,
        )
        await pool.execute("UPDATE books SET closed_through = NULL WHERE company_id = $1", cid)
        plain = await repost(pool, cid, "ACCRUAL", args.batch)
    finally:
        await pool.close()
    await drop_database(db_url)
    print(f"\n{args.orders:,} orders over {args.years} years; closed through {through}")
    print(f"full re-post on CASH, nothing closed (first posting): {cash:8.1f} s")
    print(f"close the books:                                      {close * 1000:8.1f} ms")
    print(f"switch to ACCRUAL with the period closed (folded):    {folded:8.1f} s")
    print(f"  adjustment entries posted on {through + dt.timedelta(days=1)}: {adjustments:,}")
    print(f"  closed period's statements unchanged: {before == after}")
    print(f"the same ACCRUAL re-post with nothing closed:         {plain:8.1f} s")


if __name__ == "__main__":
    asyncio.run(main())
