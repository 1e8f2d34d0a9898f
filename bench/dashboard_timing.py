"""How long the dashboard's overview and order pages take to be interactive.

A real `storebooks serve` over a benchmark database, a real Chromium
(/usr/bin/chromium, driven by Playwright). For each company, each page is
loaded from scratch ``--runs`` times (a new document each time, the token
already in the tab's session storage) and timed with the browser's own
clock: the `storebooks:ready` performance mark the dashboard sets when a
page has rendered its data (all its GraphQL requests answered, the DOM
built), counted from the navigation's start. The browser's
domContentLoaded and the slowest GraphQL request of the load are shown
beside it.

Companies: the demo company (the one `storebooks dev` makes), and a
generated one of ``--orders`` orders (bench/books_generator.py, three
years, then posted by a full re-post to ACCRUAL).

    .venv/bin/python bench/dashboard_timing.py [--orders 100000] [--runs 7] [--fresh]

The databases (storebooks_bench_dashboard_*) are kept; --fresh makes them again.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from uuid import UUID

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.append(str(ROOT))

import asyncpg  # noqa: E402
from books_generator import bench_database, generate_company, redis_url  # noqa: E402

CHROMIUM = os.environ.get("STOREBOOKS_CHROMIUM", "/usr/bin/chromium")


async def demo_company(db_url: str) -> str:
    from service.db.connect import create_pool
    from service.ledger.companies import create_company, create_store
    from service.ledger.demo import load_demo_activity

    conn = await asyncpg.connect(db_url)
    try:
        created = await create_company(conn, "Demo Company")
        store = await create_store(conn, created.company_id, "Demo store", timezone="UTC")
    finally:
        await conn.close()
    pool = await create_pool(db_url)
    try:
        await load_demo_activity(pool, created.company_id, store.store_id)
    finally:
        await pool.close()
    return created.api_token


async def big_company(db_url: str, orders: int) -> str:
    from service.db.connect import create_pool
    from service.ledger.reposting import request_full_repost, run_full_repost
    from service.ledger.settings import update_settings

    company = await generate_company(db_url, orders, years=3.0)
    pool = await create_pool(db_url)
    try:
        async with pool.acquire() as conn, conn.transaction():
            change = await update_settings(
                conn,
                company.company_id,
                accounting_basis="ACCRUAL",
                fulfillment_tracking=None,
                store_ids=[],
            )
            job = await request_full_repost(
                conn, company.company_id, change.settings.version, "bench: post the books"
            )
        t0 = time.perf_counter()
        while await run_full_repost(pool, company.company_id, job.job_id) != "DONE":
            pass
        print(f"posted {orders:,} orders in {time.perf_counter() - t0:.0f} s", flush=True)
    finally:
        await pool.close()
    return company.api_token


async def company_token(name: str, orders: int, fresh: bool) -> str:
    """The token of the benchmark company of a database, made when missing."""
    db_url = await bench_database(name, fresh=fresh)
    saved = ROOT / "bench" / "out" / f"{name}.json"
    if saved.exists() and not fresh:
        token = json.loads(saved.read_text())["apiToken"]
        conn = await asyncpg.connect(db_url)
        try:
            from service.ledger.tokens import company_for_token

            found: UUID | None = await company_for_token(conn, token)
        finally:
            await conn.close()
        if found is not None:
            return str(token)
    token = await (big_company(db_url, orders) if orders else demo_company(db_url))
    saved.parent.mkdir(parents=True, exist_ok=True)
    saved.write_text(json.dumps({"apiToken": token}))
    return token


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def serve(db_name: str, base_db: str, redis: str) -> tuple[subprocess.Popen[bytes], str]:
    from service.db.connect import with_database

    port = free_port()
    env = dict(os.environ)
    env.update(
        DATABASE_URL=with_database(base_db, db_name),
        REDIS_URL=redis,
        STOREBOOKS_QUEUE="storebooks:bench:dashboard",
    )
    proc = subprocess.Popen(
        [sys.executable, "-m", "service.cli", "serve", "--port", str(port)],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    import httpx

    base = f"http://127.0.0.1:{port}"
    for _ in range(600):
        try:
            if httpx.get(f"{base}/readyz").status_code == 200:
                return proc, base
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    proc.kill()
    raise SystemExit("the server did not start")


async def _server_url() -> str:
    from books_generator import server_url

    return await server_url()


TIMING = """() => {
  const ready = performance.getEntriesByName("storebooks:ready").at(-1);
  const complete = performance.getEntriesByName("storebooks:complete").at(-1) || ready;
  const nav = performance.getEntriesByType("navigation")[0];
  const gql = performance.getEntriesByType("resource").filter((r) => r.name.endsWith("/graphql"));
  return { ready: ready.startTime, complete: complete.startTime, dcl: nav.domContentLoadedEventEnd,
           slowestGraphql: Math.max(0, ...gql.map((r) => r.duration)), requests: gql.length };
}"""


def time_page(browser: Any, base: str, token: str, path: str, runs: int) -> dict[str, float]:
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    context.add_init_script(f"sessionStorage.setItem('storebooks.token', {json.dumps(token)})")
    page = context.new_page()
    samples: list[dict[str, float]] = []
    for n in range(runs + 1):  # the first load warms the server's caches and is left out
        page.goto("about:blank")
        page.goto(f"{base}/#/{path}")
        page.wait_for_function("h => document.body.dataset.ready === h", arg=f"#/{path}")
        if path == "overview":
            page.wait_for_function(
                "() => performance.getEntriesByName('storebooks:complete').length > 0"
            )
        if n:
            samples.append(page.evaluate(TIMING))
    context.close()
    return {k: statistics.median(s[k] for s in samples) for k in samples[0]}


def first_order(base: str, token: str) -> str:
    import httpx

    answer = httpx.post(
        f"{base}/graphql",
        json={"query": "{ orders(first: 1) { nodes { id } } }"},
        headers={"Authorization": f"Bearer {token}"},
    ).json()
    return str(answer["data"]["orders"]["nodes"][0]["id"])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--orders", type=int, default=100_000, help="0: the demo company only")
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--fresh", action="store_true")
    args = ap.parse_args()
    from playwright.sync_api import sync_playwright

    companies = [("storebooks_bench_dashboard_demo", 0)]
    if args.orders:
        companies.append((f"storebooks_bench_dashboard_{args.orders}", args.orders))
    redis = asyncio.run(redis_url())
    base_db = asyncio.run(_server_url())
    # Made before the browser starts: Playwright's sync API holds this thread's loop.
    tokens = [asyncio.run(company_token(db, orders, args.fresh)) for db, orders in companies]
    rows = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        for (db_name, orders), token in zip(companies, tokens, strict=True):
            proc, base = serve(db_name, base_db, redis)
            try:
                order_path = f"order?id={first_order(base, token)}"
                for label, path in (("overview", "overview"), ("order page", order_path)):
                    t = time_page(browser, base, token, path, args.runs)
                    who = "demo" if not orders else f"{orders:,} orders"
                    rows.append((who, label, t))
                    print(
                        f"{who:>16} {label:<10} interactive {t['ready']:6.0f} ms  "
                        f"complete {t['complete']:6.0f} ms  "
                        f"DOMContentLoaded {t['dcl']:5.0f} ms  slowest GraphQL "
                        f"{t['slowestGraphql']:6.0f} ms ({t['requests']:.0f} requests)",
                        flush=True,
                    )
            finally:
                proc.terminate()
                proc.wait(timeout=10)
        browser.close()


if __name__ == "__main__":
    main()
