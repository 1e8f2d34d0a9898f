"""Per-request cost of each step of POST /webhooks/shopify, in process, one at a time.

Times, ``--n`` times each and sequentially (no concurrency): the shop
lookup (``connection_for_domain``: one SELECT + Fernet decryption of the
credentials), ``verify_hmac`` over a realistic body, ``store_event`` (one
INSERT, one commit with fsync), the arq ``enqueue``, and the whole request
through the ASGI app (httpx ASGITransport, no sockets). A fresh database
``storebooks_bench_webhooks`` and a queue of its own are used and cleaned.

    .venv/bin/python bench/webhook_breakdown.py [--n 2000]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import httpx
from books_generator import bench_database, make_company, redis_url
from webhook_servers import SECRET, _clean_queue, delivery, live_orders


async def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=2000)
    ap.add_argument("--db", default="storebooks_bench_webhooks")
    args = ap.parse_args()
    import asyncpg

    from service.api.app import create_app
    from service.config import Settings
    from service.connectors.shopify.webhook import verify_hmac
    from service.db.connect import create_pool
    from service.db.queue import enqueue, open_queue
    from service.ledger.ingest import WEBHOOK, store_event
    from service.sync.shopify_stores import connection_for_domain

    db_url = await bench_database(args.db, fresh=True)
    domain = f"breakdown-{uuid.uuid4().hex[:8]}.myshopify.com"
    conn = await asyncpg.connect(db_url)
    company = await make_company(conn, "Bench breakdown", shop_domains=[domain])
    await conn.close()
    settings = Settings(DATABASE_URL=db_url, REDIS_URL=await redis_url())
    secret_key = settings.resolved_secret_key()
    queue_name = f"storebooks:bench:breakdown:{uuid.uuid4().hex[:8]}"
    order = live_orders(1, seed=8)[0]
    headers, body = delivery(order, domain, "x")
    pool = await create_pool(db_url)
    queue = await open_queue(await redis_url(), queue_name)
    results: dict[str, list[float]] = {}

    async def measure(name: str, fn) -> None:  # type: ignore[no-untyped-def]
        samples = []
        for i in range(args.n):
            t = time.perf_counter()
            await fn(i)
            samples.append((time.perf_counter() - t) * 1e6)
        results[name] = samples

    async def lookup(i: int) -> None:
        await connection_for_domain(pool, secret_key, domain)

    async def hmac_check(i: int) -> None:
        assert verify_hmac(body, SECRET, headers["X-Shopify-Hmac-Sha256"])

    async def store(i: int) -> None:
        await store_event(
            pool,
            company.company_id,
            company.store_ids[0],
            source=WEBHOOK,
            topic="orders/create",
            external_id=f"bd-{i}",
            body=body,
        )

    async def enq(i: int) -> None:
        await enqueue(queue, "process_shopify_event", f"bd-job-{i}", "x", i)

    from service.ledger.secrets import unseal

    sealed = await pool.fetchval("SELECT credentials FROM stores WHERE shop_domain = $1", domain)

    async def fernet(i: int) -> None:
        unseal(secret_key, sealed)

    await measure("connection_for_domain (SELECT + Fernet)", lookup)
    await measure("  of which Fernet unseal alone", fernet)
    await measure("verify_hmac (3.9 kB body)", hmac_check)
    await measure("store_event (INSERT + commit)", store)
    await measure("enqueue (arq: WATCH/EXISTS/MULTI...)", enq)
    await queue.aclose()
    await pool.close()

    settings_app = Settings(
        DATABASE_URL=db_url, REDIS_URL=await redis_url(), STOREBOOKS_QUEUE=queue_name
    )
    app = create_app(settings_app)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://bench"
        ) as client,
    ):

        async def whole(i: int) -> None:
            h = dict(headers)
            h["X-Shopify-Webhook-Id"] = f"bd-whole-{i}"
            r = await client.post("/webhooks/shopify", content=body, headers=h)
            assert r.status_code == 200

        await measure("whole request via ASGI (no sockets)", whole)
    await _clean_queue(await redis_url(), queue_name)
    print(f"{args.n} sequential calls each; microseconds")
    for name, s in results.items():
        p99 = sorted(s)[int(0.99 * (len(s) - 1))]
        print(f"  {name:44} median {statistics.median(s):7.0f}  p99 {p99:7.0f}")


if __name__ == "__main__":
    asyncio.run(main())
