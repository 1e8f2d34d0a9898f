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
        [--baseline DIR]

Every load tags its webhook ids with a fresh random tag, so no run replays
another's ids (a replayed id takes the cheaper duplicate path); at the end
the events stored are compared with the 200s answered.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
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
    run_tag = uuid.uuid4().hex  # never an id of another run
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
local tag = "{tag}"
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
        # A fresh tag per run: wrk's Lua random numbers are not seeded, so a
        # tag drawn inside the script repeats, and a second run would replay
        # the first run's ids (answered by the cheaper duplicate path).
        tag = f"{conns}-{uuid.uuid4().hex}"
        script.write_text(WRK_LUA.format(body=body_path, headers=lua_headers, tag=tag))
        out = subprocess.run(
            ["wrk", "-t1", f"-c{conns}", f"-d{int(seconds)}s", "--latency", "-s", str(script), url],
            capture_output=True,
            text=True,
            check=True,
        )
        return out.stdout


@dataclass
class Figures:
    label: str
    open_rate: float = 0.0
    open_p50: float = 0.0
    open_p99: float = 0.0
    wrk: dict[int, tuple[float, str, int]] = field(default_factory=dict)  # rps, p99, requests
    answered: int = 0
    stored: int = 0


def _ms(text: str) -> float:
    """wrk's latency text (e.g. 812.00us, 12.3ms, 1.2s) in milliseconds."""
    m = re.fullmatch(r"([\d.]+)(us|ms|s)", text)
    if not m:
        return float("nan")
    return float(m[1]) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[m[2]]


async def measure(args: argparse.Namespace, label: str, root: Path | None, plain: bool) -> Figures:
    fig = Figures(label)
    order = live_orders(1, seed=8)[0]
    async with stack(
        args.db,
        worker=args.with_worker,
        access_log=args.access_log,
        server_workers=args.server_workers,
        fast_http=args.fast_http,
        server_root=root,
        plain_http=plain,
    ) as s:
        headers, body = delivery(order, s.shop_domain, "x")
        host, port = s.base_url.removeprefix("http://").split(":")
        pre, post = raw_request(f"{host}:{port}", headers, body)
        print(
            f"[{label}] server: uvicorn x{args.server_workers}"
            f"{' asyncio+h11' if plain else ' auto (uvloop+httptools when installed)'}, "
            f"access log {'on' if args.access_log else 'off'}, "
            f"worker {'on' if args.with_worker else 'off'}; body {len(body):,} bytes",
            flush=True,
        )
        if args.rate > 0:
            lat, statuses, elapsed, late = await open_loop(
                host, int(port), pre, post, args.rate, args.seconds, args.connections
            )
            done = len(lat)
            fig.answered += statuses.get(200, 0)
            fig.open_rate = done / elapsed
            fig.open_p50 = statistics.median(lat)
            fig.open_p99 = percentile(lat, 0.99)
            print(
                f"  open loop, target {args.rate:g}/s for {args.seconds:g} s over "
                f"{args.connections} connections: {done} responses in {elapsed:.1f} s = "
                f"{fig.open_rate:,.0f}/s, statuses {statuses}, {late} requests started >5 ms late"
            )
            print(
                f"  latency from due time: median {fig.open_p50:.1f} ms, "
                f"p90 {percentile(lat, 0.90):.1f}, p99 {fig.open_p99:.1f}, "
                f"p99.9 {percentile(lat, 0.999):.1f}, max {max(lat):.1f} ms",
                flush=True,
            )
        if shutil.which("wrk"):
            for c in (int(x) for x in args.wrk_connections.split(",") if x):
                out = run_wrk(s.base_url, headers, body, c, args.seconds)
                rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
                total = re.search(r"(\d+) requests in", out)
                dist = dict(re.findall(r"\s+(50|75|90|99)%\s+(\S+)", out))
                errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
                n = int(total[1]) if total else 0
                fig.answered += n - (int(errors[1]) if errors else 0)
                fig.wrk[c] = (float(rps[1]) if rps else 0.0, dist.get("99", "?"), n)
                print(
                    f"  wrk -c{c} closed loop: {fig.wrk[c][0]:,.0f} req/s; latency "
                    + ", ".join(f"p{k} {v}" for k, v in dist.items())
                    + (f"; non-2xx {errors[1]}" if errors else ""),
                    flush=True,
                )
        else:
            print("  (wrk not installed: no closed-loop figures)")
        conn = await asyncpg.connect(s.db_url)
        fig.stored = await conn.fetchval(
            "SELECT count(*) FROM raw_events WHERE company_id = $1", s.company.company_id
        )
        await conn.close()
        # wrk counts requests still in flight at its end as done; allow those
        print(f"  answered 200: {fig.answered:,}; events stored: {fig.stored:,}", flush=True)
    return fig


def table(figs: list[Figures], conns: list[int]) -> None:
    head = "| Server | open loop req/s, p50 / p99 ms |"
    head += "".join(f" wrk -c{c}: req/s, p99 |" for c in conns) + " stored / answered |"
    print("\n" + head)
    print("|---|---|" + "---|" * len(conns) + "---:|")
    for f in figs:
        row = f"| {f.label} | {f.open_rate:,.0f}, {f.open_p50:.1f} / {f.open_p99:.1f} |"
        for c in conns:
            rps, p99, _ = f.wrk.get(c, (0.0, "?", 0))
            row += f" {rps:,.0f}, {p99} |"
        print(row + f" {f.stored:,} / {f.answered:,} |")


async def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rate", type=float, default=1000.0, help="0: no open loop")
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
    ap.add_argument(
        "--baseline",
        metavar="DIR",
        type=Path,
        help="first measure the service of another checkout (e.g. a git worktree of an older "
        "commit) on asyncio + h11, then this one, and print both side by side",
    )
    ap.add_argument("--db", default="storebooks_bench_webhooks")
    args = ap.parse_args()
    figs = []
    if args.baseline:
        figs.append(await measure(args, f"baseline {args.baseline.name}", args.baseline, True))
    figs.append(await measure(args, "this checkout", None, False))
    table(figs, [int(x) for x in args.wrk_connections.split(",") if x])


if __name__ == "__main__":
    asyncio.run(main())
