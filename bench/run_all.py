"""`make bench`: every benchmark at a small size, one table of figures and targets.

Each benchmark runs as its own process (the scripts of this directory,
with the arguments below), one after the other; their output is kept in
bench/out/ and the figures the targets speak of are read from it. The
ratio is measured / target for "at least" targets and target / measured
for "under" targets, so 1.00 or more meets the target either way.

    .venv/bin/python bench/run_all.py              # small sizes: a few minutes
    .venv/bin/python bench/run_all.py --large      # the sizes the targets are stated at
    .venv/bin/python bench/run_all.py --only posting,statements

Small sizes measure the same code paths, but some figures depend on size
(statements should not; a re-post's ratio to COPY and the posting rate
hardly do); the targets are met only when the large run meets them.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
PYTHON = sys.executable


@dataclass(frozen=True)
class Figure:
    name: str
    pattern: str  # one group: the number
    target: float
    at_least: bool
    unit: str


@dataclass(frozen=True)
class Bench:
    key: str
    script: str
    small: list[str]
    large: list[str]
    figures: list[Figure]


GQL = r"\s+median\s+([\d.]+) ms"
BENCHES = [
    Bench(
        "posting",
        "posting_throughput.py",
        ["--orders", "4000", "--rounds", "3"],
        ["--orders", "20000", "--rounds", "7"],
        [
            Figure(
                "posting engine, orders/s per core",
                r"median over the four settings: ([\d,]+)",
                25_000,
                True,
                "orders/s",
            )
        ],
    ),
    Bench(
        "statements",
        "statements_latency.py",
        [
            "--sizes",
            "200000:1",
            "--runs",
            "30",
            "--template-orders",
            "2000",
            "--db",
            "storebooks_bench_statements_small",
        ],
        ["--sizes", "1000000:2,10000000:6", "--runs", "100"],
        [
            Figure(
                "P&L by month (GraphQL)", r"P&L by month, 1 year: GraphQL" + GQL, 10, False, "ms"
            ),
            Figure(
                "P&L, every field (GraphQL)",
                r"P&L by month, every field: GraphQL" + GQL,
                10,
                False,
                "ms",
            ),
            Figure("balance sheet (GraphQL)", r"Balance sheet: GraphQL" + GQL, 10, False, "ms"),
            Figure("trial balance (GraphQL)", r"Trial balance: GraphQL" + GQL, 10, False, "ms"),
        ],
    ),
    Bench(
        "repost",
        "full_repost.py",
        ["--orders", "5000", "--db", "storebooks_bench_repost_small"],
        ["--orders", "200000"],
        [
            Figure(
                "full re-post / bare COPY", r"ratio re-post / COPY speed: ([\d.]+)", 0.6, True, "x"
            )
        ],
    ),
    Bench(
        "webhooks",
        "webhook_throughput.py",
        ["--rate", "1500", "--seconds", "5", "--wrk-connections", "64"],
        ["--rate", "1500", "--seconds", "20", "--wrk-connections", "16,64"],
        [
            Figure(
                "webhook endpoint, open loop at 1,500/s: req/s",
                r"= ([\d,]+)/s, statuses",
                1500,
                True,
                "req/s",
            ),
            Figure("webhook endpoint, open loop: p99", r"p99 ([\d.]+), p99\.9", 50, False, "ms"),
            Figure(
                "webhook endpoint, wrk -c64: req/s",
                r"wrk -c64 closed loop: ([\d,]+) req/s",
                1500,
                True,
                "req/s",
            ),
            Figure(
                "webhook endpoint, wrk -c64: p99",
                r"wrk -c64 closed loop: .*p99 ([\d.]+)ms",
                50,
                False,
                "ms",
            ),
        ],
    ),
    Bench(
        "latency",
        "webhook_latency.py",
        ["--rate", "200", "--seconds", "10", "--workers", "2"],
        ["--rate", "200", "--seconds", "60", "--workers", "2"],
        [
            Figure(
                "webhook -> statements at 200/s, 2 workers: p95",
                r"visible in the books .*p95 ([\d.]+) ms",
                1000,
                False,
                "ms",
            ),
            Figure(
                "same, from the 200 on (the worker's part)",
                r"200 answered -> visible in the books: .*p95 ([\d.]+) ms",
                1000,
                False,
                "ms",
            ),
        ],
    ),
]


def number(text: str) -> float:
    return float(text.replace(",", ""))


def run(bench: Bench, args: list[str], out_dir: Path) -> tuple[str, float]:
    log = out_dir / f"{bench.key}.log"
    t0 = time.perf_counter()
    with log.open("w") as f:
        code = subprocess.run(
            [PYTHON, str(HERE / bench.script), *args],
            stdout=f,
            stderr=subprocess.STDOUT,
            check=False,
        ).returncode
    if code != 0:
        print(f"  {bench.script} exited {code}; see {log}", flush=True)
    return log.read_text(), time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--large", action="store_true", help="the sizes the targets are stated at")
    ap.add_argument(
        "--only", default="", help="comma-separated: " + ",".join(b.key for b in BENCHES)
    )
    args = ap.parse_args()
    wanted = {k for k in args.only.split(",") if k}
    out_dir = HERE / "out"
    out_dir.mkdir(exist_ok=True)
    rows: list[tuple[str, str, str, str, str]] = []
    for bench in BENCHES:
        if wanted and bench.key not in wanted:
            continue
        size = bench.large if args.large else bench.small
        print(f"{bench.script} {' '.join(size)}", flush=True)
        text, took = run(bench, size, out_dir)
        print(f"  {took:.0f} s", flush=True)
        for fig in bench.figures:
            found = re.findall(fig.pattern, text)
            if not found:
                rows.append((fig.name, "not measured", _target(fig), "", bench.script))
                continue
            # the last match: a script measuring several sizes prints the largest last
            value = number(found[-1])
            if not value:
                r = float("inf")
            else:
                r = value / fig.target if fig.at_least else fig.target / value
            rows.append(
                (fig.name, f"{value:,.2f} {fig.unit}", _target(fig), f"{r:.2f}", bench.script)
            )
    print("\n| Figure | Measured | Target | Ratio (>= 1 meets) | Script |")
    print("|---|---:|---:|---:|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")


def _target(fig: Figure) -> str:
    return f"{'>=' if fig.at_least else '<'} {fig.target:,g} {fig.unit}"


if __name__ == "__main__":
    main()
