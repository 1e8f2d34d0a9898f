"""Throughput and latency of POST /webhooks/shopify (uvicorn on loopback).

A real API server is started on a fresh database ``storebooks_bench_webhooks``
(no worker by default: events are stored and enqueued, which is all the
endpoint does). Every request is one orders/create delivery of a realistic
order (the body is the same, signed once; each request carries its own
X-Shopify-Webhook-Id, so each one is stored: the HMAC covers the body only).

Two loads, one after the other:

1. open loop at ``--rate`` requests/s for ``--seconds`` seconds (a small
   asyncio HTTP/1.1 client over ``--connections`` keep-alive connections;
   latency counted from the moment each request was due, so a server that
   falls behind shows it);
2. closed loop with ``wrk`` (if installed: ``apt-get install wrk``) at
   ``--wrk-connections`` connections for ``--seconds``: the most it serves.

    .venv/bin/python bench/webhook_throughput.py [--rate 1000] [--seconds 20]
        [--server-workers 1] [--access-log] [--with-worker] [--fast-http DIR]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import asyncpg
from webhook_servers import delivery, live_orders, percentile, stack


def raw_request(host: str, headers: dict[str, str], body: bytes) -> tuple[bytes, bytes]:
    """The request bytes before and after the webhook id value."""
    head = [f"POST /webhooks/shopify HTTP/1.1\r\nHost: {host}\r\n"]
    for k, v in headers.items():
        if k != "X-Shopify-Webhook-Id":
            head.append(f"{k}: {v}\r\n")
    head.append(f"Content-Length: {len(body)}\r\nX-Shopify-Webhook-Id: ")
    return "".join(head).encode(), b"\r\n\r\n" + body


async def open_loop(
    host: str, port: int, pre: bytes, post: bytes, rate: float, seconds: float, connections: int
) -> tuple[list[float], dict[int, int], float, int]:
    total = int(rate * seconds)
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    next_index = 0
    start = time.perf_counter() + 0.3
    run_tag = os.getpid()
    late_starts = 0

    async def conn_loop() -> None:
        nonlocal next_index, late_starts
        reader, writer = await asyncio.open_connection(host, port)
        try:
            while True:
                i = next_index
                if i >= total:
                    return
                next_index += 1
                due = start + i / rate
                delay = due - time.perf_counter()
                if delay > 0:
                    await asyncio.sleep(delay)
                elif delay < -0.005:
                    late_starts += 1
                writer.write(pre + f"tp-{run_tag}-{i}".encode() + post)
                status_line = await reader.readline()
                length = 0
                while True:
                    line = await reader.readline()
                    if line in (b"\r\n", b""):
                        break
                    if line[:15].lower() == b"content-length:":
                        length = int(line[15:])
                await reader.readexactly(length)
                latencies.append((time.perf_counter() - due) * 1000)
                code = int(status_line.split()[1])
                statuses[code] = statuses.get(code, 0) + 1
        finally:
            writer.close()

    t0 = time.perf_counter()
    await asyncio.gather(*(conn_loop() for _ in range(connections)))
    elapsed = time.perf_counter() - max(t0, start)
    return latencies, statuses, elapsed, late_starts


WRK_LUA = """
local body_file = io.open("{body}", "rb")
local body = body_file:read("*a")
body_file:close()
{headers}
local counter = 0
local tag = tostring(math.random(1, 1000000000))
request = function()
  counter = counter + 1
  wrk.headers["X-Shopify-Webhook-Id"] = "wrk-" .. tag .. "-" .. counter
  return wrk.format("POST", "/webhooks/shopify", nil, body)
end
"""


def run_wrk(url: str, headers: dict[str, str], body: bytes, conns: int, seconds: float) -> str:
    with tempfile.TemporaryDirectory() as tmp:
        body_path = Path(tmp) / "body.json"
        body_path.write_bytes(body)
        lua_headers = "\n".join(
            f'wrk.headers["{k}"] = "{v}"' for k, v in headers.items() if k != "X-Shopify-Webhook-Id"
        )
        script = Path(tmp) / "webhook.lua"
        script.write_text(WRK_LUA.format(body=body_path, headers=lua_headers))
        out = subprocess.run(
            ["wrk", "-t1", f"-c{conns}", f"-d{int(seconds)}s", "--latency", "-s", str(script), url],
            capture_output=True,
            text=True,
            check=True,
        )
        return out.stdout


async def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rate", type=float, default=1000.0)
    ap.add_argument("--seconds", type=float, default=20.0)
    ap.add_argument("--connections", type=int, default=64)
    ap.add_argument("--wrk-connections", default="16,64")
    ap.add_argument("--server-workers", type=int, default=1)
    ap.add_argument("--access-log", action="store_true")
    ap.add_argument("--with-worker", action="store_true")
    ap.add_argument(
        "--fast-http",
        metavar="DIR",
        help="run uvicorn with uvloop + httptools found in DIR (pip install --target DIR ...)",
    )
    ap.add_argument("--db", default="storebooks_bench_webhooks")
    args = ap.parse_args()
    order = live_orders(1, seed=8)[0]
    async with stack(
        args.db,
        worker=args.with_worker,
        access_log=args.access_log,
        server_workers=args.server_workers,
        fast_http=args.fast_http,
    ) as s:
        headers, body = delivery(order, s.shop_domain, "x")
        host, port = s.base_url.removeprefix("http://").split(":")
        pre, post = raw_request(f"{host}:{port}", headers, body)
        print(
            f"server: uvicorn x{args.server_workers}"
            f"{' uvloop+httptools' if args.fast_http else ' asyncio+h11'}, access log "
            f"{'on' if args.access_log else 'off'}, worker {'on' if args.with_worker else 'off'};"
            f" body {len(body):,} bytes"
        )
        lat, statuses, elapsed, late = await open_loop(
            host, int(port), pre, post, args.rate, args.seconds, args.connections
        )
        done = len(lat)
        print(
            f"open loop, target {args.rate:g}/s for {args.seconds:g} s over {args.connections} "
            f"connections: {done} responses in {elapsed:.1f} s = {done / elapsed:,.0f}/s, "
            f"statuses {statuses}, {late} requests started >5 ms late"
        )
        print(
            f"  latency from due time: median {statistics.median(lat):.1f} ms, "
            f"p90 {percentile(lat, 0.90):.1f}, p99 {percentile(lat, 0.99):.1f}, "
            f"p99.9 {percentile(lat, 0.999):.1f}, max {max(lat):.1f} ms"
        )
        if shutil.which("wrk"):
            for c in (int(x) for x in args.wrk_connections.split(",") if x):
                out = run_wrk(s.base_url, headers, body, c, args.seconds)
                rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
                dist = dict(re.findall(r"\s+(50|75|90|99)%\s+(\S+)", out))
                errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
                print(
                    f"wrk -c{c} closed loop: {float(rps[1]) if rps else 0:,.0f} req/s; latency "
                    + ", ".join(f"p{k} {v}" for k, v in dist.items())
                    + (f"; non-2xx {errors[1]}" if errors else "")
                )
        conn = await asyncpg.connect(s.db_url)
        stored = await conn.fetchval(
            "SELECT count(*) FROM raw_events WHERE company_id = $1", s.company.company_id
        )
        await conn.close()
        print(f"events stored in total: {stored:,}")


if __name__ == "__main__":
    asyncio.run(main())
