"""Statement latencies at 1 million and 10 million journal lines.

For each size a company is built in the database ``storebooks_bench_statements``
(kept between runs; --rebuild makes it again):

1. a template of ``--template-orders`` synthetic orders over one year
   (bench/books_generator.py, two stores) is posted on the ACCRUAL basis
   with the real engine and ``copy_postings`` into journal version 1;
2. its entries and lines are replicated in SQL (INSERT ... SELECT, entry
   ids shifted, dates moved back by whole years plus a day or two, order
   ids and subjects suffixed) until the company holds the wanted number of
   lines over the wanted number of years;
3. ``build_balances`` builds the daily and monthly balances.

Then, against that company, each statement is timed ``--runs`` times (after
5 warm-up runs), one request at a time:

- "SQL": the ``service.ledger.statements.period_sums`` calls the resolver
  makes, on the service's own pool (for the trial balance, both of them);
- "(baseline)": ``{ __typename }`` through the same app: HTTP, authentication
  (one SQL query) and Strawberry with no resolver;
- "GraphQL": the whole request through ``create_app`` (httpx ASGITransport,
  a valid API token): authentication, ``load_books``, resolvers, Strawberry.

    .venv/bin/python bench/statements_latency.py [--sizes 1000000:2,10000000:6]
        [--runs 100] [--rebuild] [--server URL] [--doc-cache]

``--sizes`` lists lines:years pairs. P&L by month is for 2025 (a whole
calendar year); the balance sheet is as of 2026-10-15; the trial balance
runs from 2026-01-01 to 2026-10-15.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any
from uuid import UUID

sys.path.insert(0, str(Path(__file__).resolve().parent))

import asyncpg
from books_generator import (
    bench_database,
    build_templates,
    iter_histories,
    make_company,
    redis_url,
)

OFFSET = 1 << 40  # entry id shift per replica (template ids are far below)
PL_FROM, PL_TO = dt.date(2025, 1, 1), dt.date(2025, 12, 31)
BS_AS_OF = dt.date(2026, 10, 15)
TB_FROM, TB_TO = dt.date(2026, 1, 1), dt.date(2026, 10, 15)

PL_QUERY = """query($from: Date!, $to: Date!) {
  profitAndLoss(from: $from, to: $to, columnsBy: MONTH) {
    netSales { amount } grossProfit { amount } netIncome { amount }
    lines { accountKey amount { amount } }
    columns { key netSales { amount } netIncome { amount } lines { accountKey amount { amount } } }
  }
}"""
BS_QUERY = """query($asOf: Date!) {
  balanceSheet(asOf: $asOf) {
    totalAssets { amount } totalLiabilities { amount } totalEquity { amount }
    lines { accountKey name amount { amount currencyCode } }
  }
}"""
PL_FULL_QUERY = """query($from: Date!, $to: Date!) {
  profitAndLoss(from: $from, to: $to, columnsBy: MONTH) {
    from to netSales { amount currencyCode } grossProfit { amount currencyCode }
    netIncome { amount currencyCode } missingCostLines
    lines { accountKey name parentKey depth amount { amount currencyCode } }
    columns { key netSales { amount currencyCode } grossProfit { amount currencyCode }
      netIncome { amount currencyCode }
      lines { accountKey name parentKey depth amount { amount currencyCode } } }
  }
}"""
TB_QUERY = """query($from: Date!, $to: Date!) {
  trialBalance(from: $from, to: $to) {
    totalDebit { amount } totalCredit { amount }
    lines { accountKey name debit { amount } credit { amount } }
  }
}"""


def company_name(lines: int, years: int) -> str:
    return f"Bench statements {lines} lines over {years} years"


async def build_company(db_url: str, lines: int, years: int, template_orders: int) -> UUID:
    import json

    from service.domain.settings import AccountingBasis
    from service.ledger.codec import decode_record
    from service.ledger.journal import Posting, build_balances, copy_postings, order_subject
    from service.ledger.order_posting import post_history
    from service.ledger.posting_inputs import load_inputs

    t0 = time.perf_counter()
    conn = await asyncpg.connect(db_url)
    try:
        company = await make_company(conn, company_name(lines, years), stores=2)
        cid = company.company_id
        await conn.execute(
            "UPDATE bookkeeping_settings SET accounting_basis = 'ACCRUAL' WHERE company_id = $1",
            cid,
        )
        inputs = await load_inputs(conn, cid)
        assert inputs.basis is AccountingBasis.ACCRUAL
        templates = build_templates(3000)
        postings = []
        for store, order_id, text in iter_histories(
            templates, template_orders, company.store_ids, years=1.0
        ):
            history = decode_record(json.loads(text))
            posted = post_history(history, inputs.context(store, order_id))
            entries = posted.run.entries if posted.run else ()
            postings.append(Posting(order_subject(store, order_id), store, "USD", entries))
        async with conn.transaction():
            template_lines = await copy_postings(conn, cid, 1, postings)
        replicas = max(1, round(lines / template_lines))
        print(
            f"  template: {template_orders:,} orders -> {template_lines:,} lines; "
            f"{replicas} replicas over {years} years",
            flush=True,
        )
        max_id = await conn.fetchval(
            "SELECT max(entry_id) FROM journal_entries WHERE company_id = $1", cid
        )
        assert max_id < OFFSET
        for k in range(1, replicas):
            shift = (k % years) * 365 + (k // years) % 3  # days back
            async with conn.transaction():
                await conn.execute(
                    """
                    INSERT INTO journal_entries (company_id, entry_id, journal_version, entry_key,
                        entry_date, store_id, order_id, event_id, rule, memo, currency_code,
                        subject)
                    SELECT company_id, entry_id + $2::bigint * $3::bigint, 1, entry_key,
                        entry_date - $4::int, store_id, order_id || '-' || $2::bigint::text,
                        event_id, rule, memo, currency_code, subject || '-' || $2::bigint::text
                    FROM journal_entries
                    WHERE company_id = $1 AND journal_version = 1 AND entry_id < $3
                    """,
                    cid,
                    k,
                    OFFSET,
                    shift,
                )
                await conn.execute(
                    """
                    INSERT INTO journal_lines (company_id, entry_id, line_no, account_key, amount,
                        entry_date, store_id, channel, order_id, sku, processor, journal_version)
                    SELECT company_id, entry_id + $2::bigint * $3::bigint, line_no, account_key,
                        amount, entry_date - $4::int, store_id, channel,
                        order_id || '-' || $2::bigint::text, sku, processor, 1
                    FROM journal_lines
                    WHERE company_id = $1 AND journal_version = 1 AND entry_id < $3
                    """,
                    cid,
                    k,
                    OFFSET,
                    shift,
                )
        async with conn.transaction():
            await build_balances(conn, cid, 1)
        await conn.execute("VACUUM ANALYZE journal_entries")
        await conn.execute("VACUUM ANALYZE journal_lines")
        await conn.execute("VACUUM ANALYZE daily_balances")
        await conn.execute("VACUUM ANALYZE monthly_balances")
    finally:
        await conn.close()
    print(f"  built in {time.perf_counter() - t0:.0f} s", flush=True)
    return cid


async def find_or_build(
    db_url: str, lines: int, years: int, template_orders: int
) -> tuple[UUID, str]:
    from service.ledger.tokens import issue_token

    conn = await asyncpg.connect(db_url)
    try:
        cid = await conn.fetchval(
            "SELECT company_id FROM companies WHERE name = $1", company_name(lines, years)
        )
        if cid is not None and not await conn.fetchval(
            "SELECT EXISTS (SELECT 1 FROM monthly_balances WHERE company_id = $1)", cid
        ):
            await conn.execute("DELETE FROM companies WHERE company_id = $1", cid)  # half built
            cid = None
    finally:
        await conn.close()
    if cid is None:
        cid = await build_company(db_url, lines, years, template_orders)
    await seed_missing_costs(db_url, cid)
    conn = await asyncpg.connect(db_url)
    try:
        token = (await issue_token(conn, cid, "bench")).token
    finally:
        await conn.close()
    return cid, token


MISSING_PER_ORDER = 3


async def seed_missing_costs(db_url: str, cid: UUID) -> None:
    """Every order of the company misses the cost of three lines (once).

    The rows go in by SQL, as a company whose products have no costs would
    have them; the per-day counters are then recounted from them when this
    version of the service keeps counters."""
    conn = await asyncpg.connect(db_url)
    try:
        if await conn.fetchval(
            "SELECT EXISTS (SELECT 1 FROM missing_costs WHERE company_id = $1)", cid
        ):
            return
        t0 = time.perf_counter()
        async with conn.transaction():
            await conn.execute(
                """
                INSERT INTO missing_costs (company_id, journal_version, store_id, order_id,
                    line_id, sku, order_name, day, channel, quantity)
                SELECT $1, 1, o.store_id, o.order_id, 'line-' || n, 'SKU-' || n,
                    '#' || o.order_id, o.day, 'web', 1
                FROM (SELECT store_id, order_id, min(entry_date) AS day FROM journal_entries
                      WHERE company_id = $1 AND journal_version = 1 AND order_id IS NOT NULL
                      GROUP BY 1, 2) o, generate_series(1, $2::int) AS n
                """,
                cid,
                MISSING_PER_ORDER,
            )
            try:
                from service.ledger.costs import rebuild_missing_days
            except ImportError:  # a version of the service that counts the rows per request
                pass
            else:
                await rebuild_missing_days(conn, cid, 1)
        await conn.execute("VACUUM ANALYZE missing_costs")
        n = await conn.fetchval("SELECT count(*) FROM missing_costs WHERE company_id = $1", cid)
        print(f"  seeded {n:,} missing-cost rows in {time.perf_counter() - t0:.0f} s", flush=True)
    finally:
        await conn.close()


def pct(samples: list[float], q: float) -> float:
    s = sorted(samples)
    return s[min(len(s) - 1, round(q * (len(s) - 1)))]


async def time_it(fn: Any, runs: int) -> list[float]:
    for _ in range(5):
        await fn()
    out = []
    for _ in range(runs):
        t = time.perf_counter()
        await fn()
        out.append((time.perf_counter() - t) * 1000)
    return out


async def measure(db_url: str, cid: UUID, token: str, runs: int) -> dict[str, list[float]]:
    import httpx

    from service.api.app import create_app
    from service.config import Settings
    from service.db.connect import create_pool
    from service.ledger import statements as st

    results: dict[str, list[float]] = {}
    pool = await create_pool(db_url)
    try:
        version = await pool.fetchval(
            "SELECT current_version FROM books WHERE company_id = $1", cid
        )

        async def pl_sql() -> None:
            await st.period_sums(pool, cid, version, PL_FROM, PL_TO, group="MONTH")

        async def bs_sql() -> None:
            await st.period_sums(pool, cid, version, None, BS_AS_OF)

        async def tb_sql() -> None:
            await st.period_sums(pool, cid, version, None, TB_TO)
            await st.period_sums(pool, cid, version, TB_FROM, TB_TO)

        async def missing_scan() -> None:  # what the resolver did on every request before
            await pool.fetchval(
                "SELECT count(*) FROM missing_costs WHERE company_id = $1 "
                "AND journal_version = $2 AND day BETWEEN $3 AND $4 "
                "AND ($5::uuid IS NULL OR store_id = $5)",
                cid,
                version,
                PL_FROM,
                PL_TO,
                None,
            )

        async def missing_counters() -> None:
            await pool.fetchval(
                "SELECT coalesce(sum(lines), 0) FROM missing_cost_days WHERE company_id = $1 "
                "AND journal_version = $2 AND day BETWEEN $3 AND $4",
                cid,
                version,
                PL_FROM,
                PL_TO,
            )

        results["P&L by month, 1 year: SQL"] = await time_it(pl_sql, runs)
        results["Missing-cost lines, 1 year: SQL count of rows"] = await time_it(missing_scan, runs)
        if await pool.fetchval("SELECT to_regclass('missing_cost_days') IS NOT NULL"):
            results["Missing-cost lines, 1 year: SQL counters"] = await time_it(
                missing_counters, runs
            )
        results["Balance sheet: SQL"] = await time_it(bs_sql, runs)
        results["Trial balance: SQL (2 queries)"] = await time_it(tb_sql, runs)
        await explain(pool, cid, version)
    finally:
        await pool.close()

    settings = Settings(
        DATABASE_URL=db_url,
        REDIS_URL=await redis_url(),
        STOREBOOKS_QUEUE="storebooks:bench:statements",
        STOREBOOKS_GRAPHIQL=False,
    )
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport,
            base_url="http://bench",
            headers={"Authorization": f"Bearer {token}"},
        ) as client:

            def gql(query: str, variables: dict[str, str]) -> Any:
                async def call() -> None:
                    r = await client.post("/graphql", json={"query": query, "variables": variables})
                    body = r.json()
                    assert r.status_code == 200 and "errors" not in body, body

                return call

            results["(baseline: { __typename } GraphQL)"] = await time_it(
                gql("{ __typename }", {}), runs
            )
            results["P&L by month, 1 year: GraphQL"] = await time_it(
                gql(PL_QUERY, {"from": str(PL_FROM), "to": str(PL_TO)}), runs
            )
            results["P&L by month, every field: GraphQL"] = await time_it(
                gql(PL_FULL_QUERY, {"from": str(PL_FROM), "to": str(PL_TO)}), runs
            )
            results["Balance sheet: GraphQL"] = await time_it(
                gql(BS_QUERY, {"asOf": str(BS_AS_OF)}), runs
            )
            results["Trial balance: GraphQL"] = await time_it(
                gql(TB_QUERY, {"from": str(TB_FROM), "to": str(TB_TO)}), runs
            )
    return results


async def explain(pool: asyncpg.Pool, cid: UUID, version: int) -> None:
    """Rows each statement's SQL reads (EXPLAIN ANALYZE of the balance sheet's query)."""
    counts = await pool.fetchrow(
        "SELECT (SELECT count(*) FROM daily_balances WHERE company_id = $1) AS daily, "
        "(SELECT count(*) FROM monthly_balances WHERE company_id = $1) AS monthly",
        cid,
    )
    print(f"  balances: {counts['daily']:,} daily rows, {counts['monthly']:,} monthly rows")


async def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="1000000:2,10000000:6", help="lines:years,...")
    ap.add_argument("--runs", type=int, default=100)
    ap.add_argument("--template-orders", type=int, default=20_000)
    ap.add_argument("--db", default="storebooks_bench_statements")
    ap.add_argument("--server", default=None, help="admin URL of another PostgreSQL")
    ap.add_argument("--rebuild", action="store_true")
    ap.add_argument(
        "--doc-cache",
        action="store_true",
        help="proposed fix: add Strawberry's ParserCache and ValidationCache to the schema",
    )
    args = ap.parse_args()
    if args.doc_cache:
        from strawberry.extensions import ParserCache, ValidationCache

        from service.api.schema import schema

        schema.extensions = (
            *schema.extensions,
            lambda: ParserCache(maxsize=256),
            lambda: ValidationCache(maxsize=256),
        )
        print("patched: ParserCache + ValidationCache (module-level LRU caches)")
    os.environ.setdefault("STOREBOOKS_QUEUE", "storebooks:bench:statements")
    db_url = await bench_database(args.db, fresh=args.rebuild, url=args.server)
    table = []
    for spec in args.sizes.split(","):
        lines, years = (int(x) for x in spec.split(":"))
        print(f"company with ~{lines:,} lines over {years} years", flush=True)
        cid, token = await find_or_build(db_url, lines, years, args.template_orders)
        n = await asyncpg.connect(db_url)
        try:
            real = await n.fetchval("SELECT count(*) FROM journal_lines WHERE company_id = $1", cid)
        finally:
            await n.close()
        res = await measure(db_url, cid, token, args.runs)
        for name, samples in res.items():
            row = (
                f"{real:,}",
                years,
                name,
                statistics.median(samples),
                pct(samples, 0.95),
                max(samples),
            )
            table.append(row)
            print(
                f"  {name:34} median {row[3]:6.2f} ms  p95 {row[4]:6.2f} ms  max {row[5]:6.2f} ms"
                f"  ({len(samples)} runs)",
                flush=True,
            )
    print("\n| Lines | Years | Statement | Median ms | p95 ms | Max ms |")
    print("|---:|---:|---|---:|---:|---:|")
    for r in table:
        print(f"| {r[0]} | {r[1]} | {r[2]} | {r[3]:.2f} | {r[4]:.2f} | {r[5]:.2f} |")


if __name__ == "__main__":
    asyncio.run(main())
