"""Exporting a year of a large company: a summary hledger journal and a
detailed beancount ledger.

A company of ``--orders`` orders over one year (bench/books_generator.py,
two stores, ACCRUAL basis) is posted with the real engine into journal
version 1 and its balances built (kept in the database
``storebooks_bench_exports`` between runs; --rebuild makes it again).
Then, ``--runs`` times each, the file is written to /dev/null-like
storage through ``write_ledger`` (the code behind ``storebooks export``
and ``/exports/``), timing the whole export: reading the journal a page
at a time, the month-end balances, formatting. With --check the files
are also handed to ``hledger check`` / ``bean-check`` once, timed apart.

    .venv/bin/python bench/exports.py [--orders 200000] [--runs 3] [--check] [--rebuild]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from uuid import UUID

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.append(str(ROOT))

import asyncpg  # noqa: E402

from bench.books_generator import (  # noqa: E402
    END,
    bench_database,
    build_templates,
    iter_histories,
    make_company,
)
from service.ledger.exports.plaintext import TextFormat, write_ledger  # noqa: E402
from service.ledger.exports.reading import read_books  # noqa: E402
from service.ledger.exports.summary import SummaryKind  # noqa: E402

CHUNK = 5000


def company_name(orders: int) -> str:
    return f"Exports bench {orders}"


async def build_company(db_url: str, orders: int) -> UUID:
    from service.ledger.codec import decode_record
    from service.ledger.journal import Posting, build_balances, copy_postings, order_subject
    from service.ledger.order_posting import post_history
    from service.ledger.posting_inputs import load_inputs

    t0 = time.perf_counter()
    conn = await asyncpg.connect(db_url)
    try:
        company = await make_company(conn, company_name(orders), stores=2)
        cid = company.company_id
        await conn.execute(
            "UPDATE bookkeeping_settings SET accounting_basis = 'ACCRUAL' WHERE company_id = $1",
            cid,
        )
        inputs = await load_inputs(conn, cid)
        templates = build_templates(3000)
        postings: list[Posting] = []
        lines = 0
        for store, order_id, text in iter_histories(
            templates, orders, company.store_ids, years=1.0
        ):
            history = decode_record(json.loads(text))
            posted = post_history(history, inputs.context(store, order_id))
            entries = posted.run.entries if posted.run else ()
            postings.append(Posting(order_subject(store, order_id), store, "USD", entries))
            if len(postings) == CHUNK:
                async with conn.transaction():
                    lines += await copy_postings(conn, cid, 1, postings)
                postings = []
        async with conn.transaction():
            lines += await copy_postings(conn, cid, 1, postings)
            await build_balances(conn, cid, 1)
        await conn.execute("VACUUM ANALYZE journal_entries")
        await conn.execute("VACUUM ANALYZE journal_lines")
    finally:
        await conn.close()
    print(f"built {orders:,} orders ({lines:,} lines) in {time.perf_counter() - t0:.0f} s")
    return cid


async def find_or_build(db_url: str, orders: int) -> UUID:
    conn = await asyncpg.connect(db_url)
    try:
        cid = await conn.fetchval(
            "SELECT company_id FROM companies WHERE name = $1 AND EXISTS (SELECT 1 FROM "
            "monthly_balances m WHERE m.company_id = companies.company_id)",
            company_name(orders),
        )
    finally:
        await conn.close()
    return cid if cid is not None else await build_company(db_url, orders)


async def export_once(
    pool: asyncpg.Pool, cid: UUID, fmt: TextFormat, summary: SummaryKind | None, path: Path
) -> tuple[float, float, int]:
    books = await read_books(pool, cid)
    end = END.date()
    start = end - dt.timedelta(days=365)
    t0, c0 = time.perf_counter(), time.process_time()
    with path.open("w") as f:
        written = 0

        def write(text: str) -> None:
            nonlocal written
            written += f.write(text)

        await write_ledger(pool, books, fmt, write, start=start, end=end, summary=summary)
    return time.perf_counter() - t0, time.process_time() - c0, written


def check(fmt: TextFormat, path: Path) -> float | None:
    tool = (
        shutil.which("hledger")
        if fmt is TextFormat.HLEDGER
        else str(Path(sys.executable).with_name("bean-check"))
    )
    if tool is None:
        print("  hledger is not installed: not checked")
        return None
    argv = [tool, "-f", str(path), "check"] if fmt is TextFormat.HLEDGER else [tool, str(path)]
    t0 = time.perf_counter()
    done = subprocess.run(argv, capture_output=True, text=True)
    took = time.perf_counter() - t0
    print(
        f"  {Path(argv[0]).name}: {'accepted' if done.returncode == 0 else 'REFUSED'}"
        f" in {took:.1f} s {done.stderr[:500]}"
    )
    return took


async def push_to_fakes(pool: asyncpg.Pool, cid: UUID) -> None:
    """Push the year's DAY summaries to the fake QuickBooks and Xero servers
    (tests/fakes), check each holds storebooks' balances, push again."""
    from decimal import Decimal

    from service.domain.accounts import DEFAULT_CHART
    from service.ledger.exports.pushes import set_account_map
    from service.sync import qbo_push, xero_push
    from tests.fakes.qbo.server import FakeQbo
    from tests.fakes.xero.server import FakeXero

    secret = "b" * 44
    codes = {a.key: str(100 + i) for i, a in enumerate(DEFAULT_CHART.accounts)}
    end = END.date()
    start = end - dt.timedelta(days=365)
    ours = {
        r["account_key"]: Decimal(r["amount"]) / 100
        for r in await pool.fetch(
            "SELECT account_key, sum(amount)::bigint AS amount FROM daily_balances "
            "WHERE company_id = $1 AND journal_version = 1 AND day BETWEEN $2 AND $3 "
            "GROUP BY 1",
            cid,
            start,
            end,
        )
        if r["amount"]
    }
    async with (
        FakeQbo(accounts={v: k for k, v in codes.items()}) as qbo,
        FakeXero(set(codes.values())) as xero,
    ):
        async with pool.acquire() as conn:
            await conn.execute("DELETE FROM summary_journals WHERE company_id = $1", cid)
            for target in ("QBO", "XERO"):
                await set_account_map(conn, cid, target, {k: (v, k) for k, v in codes.items()})
            await qbo_push.connect_qbo(
                conn,
                cid,
                secret,
                realm_id=qbo.realm,
                base_url=qbo.base_url,
                token_url=f"{qbo.base_url}/oauth2/v1/tokens/bearer",
                client_id=qbo.client[0],
                client_secret=qbo.client[1],
                tokens={"access_token": qbo.access_token, "refresh_token": qbo.refresh_token},
            )
            await xero_push.connect_xero(
                conn,
                cid,
                secret,
                tenant_id=xero.tenant_id,
                base_url=xero.base_url,
                token_url=f"{xero.base_url}/connect/token",
                client_id=xero.client[0],
                client_secret=xero.client[1],
                tokens={"access_token": xero.access_token, "refresh_token": xero.refresh_token},
            )
        for name, module, fake in (("QBO", qbo_push, qbo), ("Xero", xero_push, xero)):
            make = qbo_push.qbo_client if module is qbo_push else xero_push.xero_client
            client = await make(pool, cid, secret)
            try:
                for attempt in ("first push", "push again"):
                    t0 = time.perf_counter()
                    report = await module.push_summaries(
                        pool, cid, client, kind=SummaryKind.DAY, start=start, end=end
                    )
                    print(
                        f"{name} {attempt}: sent {report.sent}, unchanged {report.unchanged},"
                        f" failed {len(report.failed)} in {time.perf_counter() - t0:.1f} s"
                    )
            finally:
                await client.aclose()
            theirs = {codes_back: v for codes_back, v in fake.balances().items() if v}
            back = {v: k for k, v in codes.items()}
            same = {back[k]: v for k, v in theirs.items()} == ours
            print(f"  {name} holds storebooks' balances account by account: {same}")


async def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--orders", type=int, default=200_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--check", action="store_true")
    ap.add_argument("--rebuild", action="store_true")
    ap.add_argument("--push", action="store_true", help="also push to the fake QBO and Xero")
    ap.add_argument("--only-push", action="store_true", help="push only, no file exports")
    args = ap.parse_args()
    db_url = await bench_database("storebooks_bench_exports", fresh=args.rebuild)
    cid = await find_or_build(db_url, args.orders)
    pool = await asyncpg.create_pool(db_url, min_size=1, max_size=4)
    out = Path(tempfile.mkdtemp(prefix="sb-exports-"))
    try:
        if args.push or args.only_push:
            await push_to_fakes(pool, cid)
        for fmt, summary in (
            ()
            if args.only_push
            else (
                (TextFormat.HLEDGER, SummaryKind.DAY),
                (TextFormat.HLEDGER, SummaryKind.MONTH),
                (TextFormat.BEANCOUNT, None),
            )
        ):
            path = out / f"books.{fmt.value}"
            times, cpu, size = [], [], 0
            for _ in range(args.runs):
                took, used, size = await export_once(pool, cid, fmt, summary, path)
                times.append(took)
                cpu.append(used)
            print(
                f"{fmt.value} {summary or 'detail'}: median {statistics.median(times):.2f} s "
                f"wall, {statistics.median(cpu):.2f} s CPU of this process, "
                f"over {args.runs} runs, {size / 1e6:.1f} MB "
                f"(runs: {', '.join(f'{t:.2f}' for t in times)})",
                flush=True,
            )
            if args.check:
                check(fmt, path)
    finally:
        await pool.close()
        shutil.rmtree(out, ignore_errors=True)


if __name__ == "__main__":
    asyncio.run(main())
