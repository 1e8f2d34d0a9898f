"""Where a worker's time goes per webhook (cProfile, in process).

Starts the API on a fresh database ``storebooks_bench_events_profile`` (no
worker), sends ``--events`` webhooks of fake orders (each order's
orders/create, then its transactions), then processes every stored event
in this process, in arrival order, under cProfile, and prints the CPU per
event and the top functions.

    .venv/bin/python bench/events_profile.py [--events 1500]
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import pstats
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from webhook_latency import send_on_schedule, signed_requests
from webhook_servers import live_orders, order_stream, stack


async def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--events", type=int, default=1500)
    args = ap.parse_args()
    stream = order_stream(live_orders(args.events))[: args.events]
    async with stack("storebooks_bench_events_profile", worker=False) as s:
        host, port, wire = signed_requests(s.base_url, s.shop_domain, stream, "profile")
        due: dict[str, float] = {}
        answered: dict[str, float] = {}
        statuses: dict[int, int] = {}
        start = time.perf_counter() + 0.2
        await send_on_schedule(host, port, wire, 500, start, 16, due, answered, statuses)
        from service.db.connect import create_pool
        from service.sync.shopify_events import process_event

        pool = await create_pool(s.db_url)
        company = s.company.company_id
        rows = await pool.fetch(
            "SELECT event_id FROM raw_events WHERE company_id = $1 AND status = 'PENDING' "
            "ORDER BY event_id",
            company,
        )
        prof = cProfile.Profile()
        t0, c0 = time.perf_counter(), time.process_time()
        prof.enable()
        for r in rows:
            await process_event(pool, company, r["event_id"])
        prof.disable()
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
        await pool.close()
    out = io.StringIO()
    stats = pstats.Stats(prof, stream=out)
    stats.sort_stats("tottime").print_stats(25)
    stats.sort_stats("cumulative").print_stats(r"service/", 40)
    print(out.getvalue())
    print(f"HTTP statuses {statuses}")
    print(
        f"{len(rows)} events processed one after the other under cProfile: wall {wall:.2f} s, "
        f"CPU {cpu:.2f} s ({cpu / max(1, len(rows)) * 1000:.2f} ms per event)"
    )


if __name__ == "__main__":
    asyncio.run(main())
