"""Webhook-to-statement latency under a steady stream of webhooks.

A real API server (uvicorn, 127.0.0.1) and a real worker process
(``storebooks worker``, arq over the embedded Valkey; or, with
--poll-delay/--max-jobs, the same worker with those arq settings) are
started on a fresh database ``storebooks_bench_webhooks``. ``--rate``
webhooks per second are sent: for each of a series of fake Shopify orders
placed within the last hour (so they all post to today's balances), its
orders/create and then its transactions as order_transactions/create (a
CASH-basis company: the sale posts when a payment arrives). They are sent on a fixed
schedule (open loop) for ``--seconds`` seconds, signed as Shopify signs
them, as raw requests prepared beforehand on ``--connections`` keep-alive
connections (so that the sender's CPU does not decide the figure). A
poller reads, every ``--poll-ms``, which of the outstanding deliveries
are no longer PENDING: the worker marks the event in the same
transaction as the order's journal entries and daily/monthly balances, so
that commit is the moment the webhook shows in the statements. Latency is
measured from the moment the request was due to be sent.

    .venv/bin/python bench/webhook_latency.py [--rate 30] [--seconds 40]
        [--poll-delay 0.02 --max-jobs 16]

At the end one P&L for yesterday and today is read through GraphQL as a sanity check.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import itertools
import statistics
import sys
import time
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))

import asyncpg
import httpx
from webhook_servers import (
    delivery,
    live_orders,
    order_stream,
    percentile,
    stack,
)
from webhook_throughput import raw_request


def signed_requests(
    base_url: str, shop_domain: str, stream: list[tuple[str, Any, Any]], prefix: str
) -> tuple[str, int, list[tuple[str, bytes]]]:
    """Host, port and (webhook id, request bytes) for each webhook of the
    stream, signed as Shopify signs them, ready for ``send_on_schedule``."""
    url = urlsplit(base_url)
    host, port = url.hostname or "127.0.0.1", url.port or 80
    wire = []
    for topic, o, payload in stream:
        wid = f"{prefix}-{uuid.uuid4()}"
        headers, body = delivery(o, shop_domain, wid, topic, payload)
        pre, post = raw_request(f"{host}:{port}", headers, body)
        wire.append((wid, pre + wid.encode() + post))
    return host, port, wire


async def send_on_schedule(
    host: str,
    port: int,
    wire: list[tuple[str, bytes]],
    rate: float,
    start: float,
    connections: int,
    due: dict[str, float],
    answered: dict[str, float],
    statuses: dict[int, int],
) -> float:
    """Send each prepared request when it is due (open loop), over keep-alive
    connections, as raw bytes: signing and encoding are done beforehand, so
    the sender spends a few microseconds of CPU per request and the cores go
    to the API, the workers and PostgreSQL, which is what is measured."""
    next_index = 0

    async def conn_loop() -> None:
        nonlocal next_index
        reader, writer = await asyncio.open_connection(host, port)
        try:
            while next_index < len(wire):
                i = next_index
                next_index += 1
                wid, data = wire[i]
                at = start + i / rate
                delay = at - time.perf_counter()
                if delay > 0:
                    await asyncio.sleep(delay)
                due[wid] = at
                writer.write(data)
                status_line = await reader.readline()
                length = 0
                while (line := await reader.readline()) not in (b"\r\n", b""):
                    if line[:15].lower() == b"content-length:":
                        length = int(line[15:])
                await reader.readexactly(length)
                answered[wid] = time.perf_counter()
                code = int(status_line.split()[1])
                statuses[code] = statuses.get(code, 0) + 1
        finally:
            writer.close()

    await asyncio.gather(*(conn_loop() for _ in range(connections)))
    return time.perf_counter()


async def warm_up(s: Any, stream: list[Any], rate: float, connections: int) -> None:
    """Webhooks of the first seconds, processed, then ANALYZE, before the measured run.

    In a new database, or for a company the statistics have not seen yet,
    the planner takes the company for empty: some per-order statements then
    walk the whole company for every webhook, until autovacuum's ANALYZE
    (within a minute or so of a busy start). The measured minute is the
    steady state that follows (`--warmup-seconds 0` measures the first one)."""
    t0 = time.perf_counter()
    host, port, wire = signed_requests(s.base_url, s.shop_domain, stream, "warm")
    await send_on_schedule(
        host, port, wire, rate, time.perf_counter() + 0.2, connections, {}, {}, {}
    )
    conn = await asyncpg.connect(s.db_url)
    try:
        pending = "SELECT count(*) FROM raw_events WHERE status = 'PENDING'"
        while await conn.fetchval(pending):  # noqa: ASYNC110
            await asyncio.sleep(0.2)
        await conn.execute("ANALYZE")
    finally:
        await conn.close()
    print(
        f"warm-up: {len(stream):,} webhooks processed, then ANALYZE, in "
        f"{time.perf_counter() - t0:.1f} s"
    )


async def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rate", type=float, default=30.0, help="webhooks per second")
    ap.add_argument("--seconds", type=float, default=40.0)
    ap.add_argument("--poll-ms", type=float, default=10.0)
    ap.add_argument("--drain-seconds", type=float, default=60.0)
    ap.add_argument("--db", default="storebooks_bench_webhooks")
    ap.add_argument(
        "--poll-delay",
        type=float,
        default=None,
        help="run bench/bench_worker.py with this arq poll_delay (default: storebooks worker)",
    )
    ap.add_argument("--max-jobs", type=int, default=None, help="likewise, arq max_jobs")
    ap.add_argument("--workers", type=int, default=1, help="worker processes")
    ap.add_argument(
        "--connections", type=int, default=32, help="keep-alive connections the sender uses"
    )
    ap.add_argument(
        "--server-root",
        type=Path,
        default=None,
        help="run the API server of another checkout (asyncio + h11), e.g. an older commit",
    )
    ap.add_argument(
        "--warmup-seconds",
        type=float,
        default=10.0,
        help="seconds of webhooks at the same rate, processed and analysed before the measure",
    )
    args = ap.parse_args()
    n = int(args.rate * args.seconds)
    warm = int(args.rate * args.warmup_seconds)
    stream = order_stream(live_orders(n + warm))[: n + warm]  # about 2.2 webhooks per order
    stream, warm_stream = stream[warm:], stream[:warm]
    topics: dict[str, int] = {}
    for topic, _, _ in stream:
        topics[topic] = topics.get(topic, 0) + 1
    worker_args = None
    if args.poll_delay is not None or args.max_jobs is not None:
        worker_args = []
        if args.poll_delay is not None:
            worker_args += ["--poll-delay", str(args.poll_delay)]
        if args.max_jobs is not None:
            worker_args += ["--max-jobs", str(args.max_jobs)]
    async with stack(
        args.db,
        worker=True,
        worker_args=worker_args,
        workers=args.workers,
        server_root=args.server_root,
        plain_http=args.server_root is not None,
    ) as s:
        if warm_stream:
            await warm_up(s, warm_stream, args.rate, args.connections)
        # the shop domain is known only now: sign with it
        host, port, wire = signed_requests(s.base_url, s.shop_domain, stream, "bench")
        pool = await asyncpg.create_pool(s.db_url, min_size=1, max_size=2)
        assert pool is not None
        due: dict[str, float] = {}
        http_ms: list[float] = []
        statuses: dict[int, int] = {}
        visible: dict[str, float] = {}
        answered: dict[str, float] = {}
        sending_done = asyncio.Event()

        async def poll() -> None:
            """Marks each answered webhook visible once it is no longer PENDING.

            Reads only the pending rows (a partial index): asking for every
            waiting id each time cost the database a comparison per row and
            id, which grew with the backlog and slowed the run it measured.
            Only webhooks answered before the read are judged by it."""
            unseen: set[str] = set()
            taken = 0
            while True:
                fresh = list(itertools.islice(answered, taken, None))
                taken += len(fresh)
                unseen.update(fresh)
                if unseen:
                    rows = await pool.fetch(
                        "SELECT external_id FROM raw_events WHERE status = 'PENDING'"
                    )
                    now = time.perf_counter()
                    pending = {r["external_id"] for r in rows}
                    for w in unseen - pending:
                        visible[w] = now
                    unseen &= pending
                elif sending_done.is_set():
                    return
                await asyncio.sleep(args.poll_ms / 1000)

        poller = asyncio.create_task(poll())
        start = time.perf_counter() + 0.5
        sent = await send_on_schedule(
            host, port, wire, args.rate, start, args.connections, due, answered, statuses
        )
        http_ms.extend((answered[w] - due[w]) * 1000 for w in answered)
        sent_for = sent - start
        drain_deadline = time.perf_counter() + args.drain_seconds
        while len(visible) < len(due) and time.perf_counter() < drain_deadline:  # noqa: ASYNC110
            await asyncio.sleep(0.1)
        sending_done.set()
        poller.cancel()
        async with httpx.AsyncClient(base_url=s.base_url, timeout=30) as client:
            # sanity: today's P&L through the API sees the sales
            token = s.company.api_token
            today = dt.date.today()  # the store's day (New York) may still be yesterday
            q = (
                "query($f: Date!, $t: Date!) { profitAndLoss(from: $f, to: $t) "
                "{ netSales { amount } } }"
            )
            r = await client.post(
                "/graphql",
                json={
                    "query": q,
                    "variables": {"f": str(today - dt.timedelta(days=1)), "t": str(today)},
                },
                headers={"Authorization": f"Bearer {token}"},
            )
            pl = r.json()
        counts = await pool.fetch(
            "SELECT status, count(*) AS n FROM raw_events WHERE company_id = $1 GROUP BY 1",
            s.company.company_id,
        )
        lines = await pool.fetchval(
            "SELECT count(*) FROM journal_lines WHERE company_id = $1", s.company.company_id
        )
        await pool.close()
    lat = [(visible[w] - due[w]) * 1000 for w in due if w in visible]
    answered = {w: t for w, t in answered.items() if w in visible}
    worker = (
        "storebooks worker (as configured in worker/settings.py)"
        if worker_args is None
        else f"bench_worker.py {' '.join(worker_args)}"
    )
    print(f"worker: {args.workers} x {worker}; topics {topics}")
    print(
        f"{len(wire)} webhooks at {args.rate:g}/s "
        f"(sent in {sent_for:.1f} s); HTTP statuses {statuses}"
    )
    print(
        f"HTTP response (from due time): median {statistics.median(http_ms):.1f} ms, "
        f"p95 {percentile(http_ms, 0.95):.1f} ms, p99 {percentile(http_ms, 0.99):.1f} ms"
    )
    print(f"events: {dict((r['status'], r['n']) for r in counts)}; journal lines {lines:,}")
    if lat:
        print(
            f"webhook -> visible in the books ({len(lat)} of {len(due)}): "
            f"median {statistics.median(lat):.0f} ms, p95 {percentile(lat, 0.95):.0f} ms, "
            f"p99 {percentile(lat, 0.99):.0f} ms, max {max(lat):.0f} ms "
            f"(poll every {args.poll_ms:g} ms)"
        )
        # from the 200 on: the worker's part alone (the load generator and the
        # API share the cores; when they fall behind, the first figure says so)
        after = [max(0.0, (visible[w] - answered[w]) * 1000) for w in due if w in answered]
        if after:
            print(
                f"200 answered -> visible in the books: median {statistics.median(after):.0f} ms,"
                f" p95 {percentile(after, 0.95):.0f} ms, p99 {percentile(after, 0.99):.0f} ms"
            )
        # latency over time: is the worker keeping up?
        order = sorted((due[w], (visible[w] - due[w]) * 1000) for w in due if w in visible)
        tenth = max(1, len(order) // 10)
        trend = [
            statistics.median(x for _, x in order[i : i + tenth])
            for i in range(0, len(order), tenth)
        ]
        print("median latency by tenth of the run (ms): " + ", ".join(f"{x:.0f}" for x in trend))
    print(f"P&L yesterday+today via GraphQL: {pl}")


if __name__ == "__main__":
    asyncio.run(main())
