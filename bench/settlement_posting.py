"""Posting one marketplace settlement of 50,000 lines.

An Amazon flat file V2 settlement of N amount lines (FBA orders of five
lines each: principal, shipping, tax, marketplace facilitator tax,
commission) is read, posted by the pure engine, and then stored and
posted into the books of a fresh company in one transaction, as the
upload and the sync do (`save_settlement`: lines copied, entries
replaced, balances moved). Each step is timed over several rounds; the
figures are medians.

    .venv/bin/python bench/settlement_posting.py [--lines 50000] [--rounds 5] [--server URL]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.append(str(Path(__file__).resolve().parents[1]))

from books_generator import bench_database, drop_database

from service.connectors.amazon.settlement import parse_settlement
from service.db.connect import create_pool
from service.ledger.companies import create_company, create_store
from service.ledger.settlements import save_settlement
from service.posting.marketplace import post_settlement
from tests.fakes.amazon.settlements import large_settlement


async def stored(db_url: str, text: str, rounds: int) -> list[float]:
    """Parse, check, store and post the settlement into a fresh store, per round."""
    pool = await create_pool(db_url)
    times: list[float] = []
    try:
        for n in range(rounds):
            async with pool.acquire() as conn:
                company = await create_company(conn, f"bench settlement {n}")
                store = await create_store(
                    conn, company.company_id, "Amazon", platform="amazon", timezone="UTC"
                )
            t0 = time.perf_counter()
            settlement = parse_settlement(text)
            async with pool.acquire() as conn, conn.transaction():
                await save_settlement(
                    conn, company.company_id, store.store_id, settlement, "UPLOAD"
                )
            times.append(time.perf_counter() - t0)
    finally:
        await pool.close()
    return times


async def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--lines", type=int, default=50_000)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--db", default="storebooks_bench_settlement")
    ap.add_argument("--server", default=None, help="admin URL of another PostgreSQL")
    args = ap.parse_args()
    text = large_settlement(args.lines)
    parse_t, post_t = [], []
    for _ in range(args.rounds):
        t0 = time.perf_counter()
        settlement = parse_settlement(text)
        t1 = time.perf_counter()
        posted = post_settlement(settlement, "store", {f"SKU-{n}": 400 for n in range(500)})
        t2 = time.perf_counter()
        parse_t.append(t1 - t0)
        post_t.append(t2 - t1)
    lines = sum(len(e.lines) for e in posted.entries)
    print(
        f"{len(settlement.lines)} settlement lines -> {len(posted.entries)} entries, {lines} lines"
    )
    print(f"parse (median of {args.rounds}): {statistics.median(parse_t):.3f} s")
    print(f"post, pure engine (median): {statistics.median(post_t):.3f} s")
    db_url = await bench_database(args.db, fresh=True, url=args.server)
    try:
        total = await stored(db_url, text, args.rounds)
    finally:
        await drop_database(db_url)
    print(f"parse + store + post into the books (median): {statistics.median(total):.3f} s")


if __name__ == "__main__":
    asyncio.run(main())
