"""A year of PayPal and Stripe records read, stored and posted by one sync.

For each processor a local fake (tests/fakes/paypal, tests/fakes/stripe,
real HTTP on loopback, in the same process) holds a year of a busy
store's records: N payments with their fees, one in ten refunded, and a
withdrawal or payout every week. A fresh company connects the account and
one sync runs to its end (every 31-day span, every page, each record
linked, stored and posted into the live books). The figure is the median
of the rounds; the fake's own time is inside it.

    .venv/bin/python bench/processor_sync.py [--records 20000] [--rounds 3] [--server URL]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.append(str(Path(__file__).resolve().parents[1]))

import asyncpg
from books_generator import bench_database, drop_database, make_company

from service.config import get_settings
from service.db.connect import create_pool
from service.ledger.processor_accounts import connect_account, request_run, save_cursor
from service.sync.processors import OVERLAP, run_processor_sync
from tests.fakes.paypal import FakePayPal, PayPalAccount
from tests.fakes.stripe import FakeStripe, StripeAccount

END = dt.datetime.now(dt.UTC).replace(microsecond=0)
START = END - dt.timedelta(days=365)


def paypal_year(n: int) -> PayPalAccount:
    account = PayPalAccount()
    step = (END - START) / n
    for i in range(n):
        at = START + step * i
        tid = account.sale(at, Decimal(2500 + i % 5000) / 100, Decimal("1.02"), f"#{i}")
        if i % 10 == 9:
            account.refund(at + dt.timedelta(hours=5), tid, Decimal("10.00"), Decimal("0.30"))
        if i and i % max(1, n // 52) == 0:
            account.withdraw(at + dt.timedelta(hours=1))
    return account


def stripe_year(n: int) -> StripeAccount:
    account = StripeAccount()
    step = (END - START) / n
    for i in range(n):
        at = START + step * i
        charge = account.charge(at, 2500 + i % 5000, 103, str(i))
        if i % 10 == 9:
            account.refund(at + dt.timedelta(hours=5), charge, 1000)
        if i and i % max(1, n // 52) == 0:
            account.payout(at + dt.timedelta(hours=1))
    return account


async def one_sync(
    pool: asyncpg.Pool, processor: str, base_url: str, creds: dict[str, str]
) -> tuple[float, int]:
    secret = get_settings().resolved_secret_key()
    async with pool.acquire() as conn:
        company = await make_company(conn, f"Bench {processor}")
        account = await connect_account(
            conn,
            company.company_id,
            secret,
            processor,
            company.store_ids[0],
            {"baseUrl": base_url},
            creds,
        )
        await save_cursor(
            conn,
            company.company_id,
            account.account_id,
            {"through": (START - dt.timedelta(hours=1) + OVERLAP).isoformat()},
        )
        run = await request_run(conn, company.company_id, account.account_id)
    t0 = time.perf_counter()
    status = await run_processor_sync(
        pool, secret, company.company_id, run.run_id, step_seconds=1e9
    )
    seconds = time.perf_counter() - t0
    assert status == "SUCCEEDED", status
    stored = await pool.fetchval(
        "SELECT count(*) FROM processor_records WHERE company_id = $1", company.company_id
    )
    return seconds, int(stored)


async def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--records", type=int, default=20_000, help="payments in the year")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--db", default="storebooks_bench_processors")
    ap.add_argument("--server", default=None, help="admin URL of another PostgreSQL")
    args = ap.parse_args()
    db_url = await bench_database(args.db, fresh=True, url=args.server)
    pool = await create_pool(db_url)
    try:
        fakes = (
            (
                "paypal",
                FakePayPal(paypal_year(args.records)),
                {"clientId": "CLIENT", "clientSecret": "SECRET"},
            ),
            ("stripe", FakeStripe(stripe_year(args.records)), {"secretKey": "sk_test_KEY"}),
        )
        for processor, fake, creds in fakes:
            async with fake:
                times = []
                for _ in range(args.rounds):
                    seconds, stored = await one_sync(pool, processor, fake.base_url, creds)
                    times.append(seconds)
                median = statistics.median(times)
                print(
                    f"{processor}: {stored:,} records in {median:.1f} s (median of "
                    f"{args.rounds}; {stored / median:,.0f} records/s)",
                    flush=True,
                )
    finally:
        await pool.close()
        await drop_database(db_url)


if __name__ == "__main__":
    asyncio.run(main())
