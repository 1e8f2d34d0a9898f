"""Where a GraphQL statement request spends its time (cProfile, in process).

Uses the company bench/statements_latency.py built (``--lines``/``--years``
name it) and profiles ``--runs`` P&L-by-month requests through create_app
(httpx ASGITransport), then prints the top functions by cumulative time and
then times P&L requests alternating without / with Strawberry's ParserCache
and ValidationCache (the proposed fix), in interleaved rounds.

    .venv/bin/python bench/statements_profile.py [--lines 1000000 --years 2] [--runs 50]
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

import httpx
from books_generator import bench_database, redis_url
from statements_latency import PL_FROM, PL_QUERY, PL_TO, find_or_build


def stable_rule_extensions() -> tuple:
    """Proposed service/api/limits.py: the same limits, but the depth and alias
    rule classes are made once (QueryDepthLimiter and MaxAliasesLimiter make a
    new rule class per instance, so ValidationCache, keyed by the rules, never
    hits), followed by ParserCache and ValidationCache."""
    from strawberry.extensions import (
        AddValidationRules,
        MaskErrors,
        MaxTokensLimiter,
        ParserCache,
        ValidationCache,
        max_aliases,
        query_depth_limiter,
    )

    from service.api import limits
    from service.api.errors import should_mask

    depth = query_depth_limiter.create_validator(limits.MAX_DEPTH, None, None)
    aliases = max_aliases.create_validator(limits.MAX_ALIASES)
    rules = [depth, aliases, limits.CostLimitRule]
    return (
        lambda: AddValidationRules(rules),
        lambda: MaxTokensLimiter(max_token_count=limits.MAX_TOKENS),
        lambda: MaskErrors(should_mask_error=should_mask),
        lambda: ParserCache(maxsize=256),
        lambda: ValidationCache(maxsize=256),
    )


async def doc_cache_ab(client: httpx.AsyncClient, payload: dict) -> dict[str, list[float]]:
    """P&L requests alternating without / with ParserCache + ValidationCache,
    in rounds of 20, so both see the same background load."""
    from strawberry.extensions import ParserCache, ValidationCache

    from service.api.schema import schema

    plain = schema.extensions
    cached = (*plain, lambda: ParserCache(maxsize=256), lambda: ValidationCache(maxsize=256))
    stable = stable_rule_extensions()
    out: dict[str, list[float]] = {"without": [], "with": [], "with stable rules and": []}
    variants = (("without", plain), ("with", cached), ("with stable rules and", stable))
    for _ in range(8):
        for name, exts in variants:
            schema.extensions = exts
            for _ in range(20):
                t = time.perf_counter()
                await client.post("/graphql", json=payload)
                out[name].append((time.perf_counter() - t) * 1000)
    schema.extensions = plain
    return out


async def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--lines", type=int, default=1_000_000)
    ap.add_argument("--years", type=int, default=2)
    ap.add_argument("--runs", type=int, default=50)
    ap.add_argument("--db", default="storebooks_bench_statements")
    args = ap.parse_args()
    from service.api.app import create_app
    from service.config import Settings

    db_url = await bench_database(args.db, fresh=False)
    _, token = await find_or_build(db_url, args.lines, args.years, 20_000)
    settings = Settings(
        DATABASE_URL=db_url,
        REDIS_URL=await redis_url(),
        STOREBOOKS_QUEUE="storebooks:bench:statements",
        STOREBOOKS_GRAPHIQL=False,
    )
    app = create_app(settings)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app),
            base_url="http://bench",
            headers={"Authorization": f"Bearer {token}"},
        ) as client,
    ):
        payload = {"query": PL_QUERY, "variables": {"from": str(PL_FROM), "to": str(PL_TO)}}
        for _ in range(5):
            await client.post("/graphql", json=payload)
        prof = cProfile.Profile()
        t0 = time.perf_counter()
        prof.enable()
        for _ in range(args.runs):
            r = await client.post("/graphql", json=payload)
        prof.disable()
        wall = (time.perf_counter() - t0) / args.runs * 1000
        body = r.json()["data"]["profitAndLoss"]
        cells = len(body["lines"]) + sum(len(c["lines"]) for c in body["columns"])
        ab = await doc_cache_ab(client, payload)
    out = io.StringIO()
    stats = pstats.Stats(prof, stream=out).sort_stats("cumulative")
    stats.print_stats(r"(strawberry|graphql|service)/", 40)
    stats.sort_stats("tottime").print_stats(15)
    print(out.getvalue())
    print(
        f"{args.runs} P&L-by-month requests under cProfile: {wall:.1f} ms each; "
        f"{len(body['columns'])} columns, {cells} statement lines in the response"
    )
    import statistics

    for name, samples in ab.items():
        s = sorted(samples)
        print(
            f"P&L by month {name} parser+validation cache: median {statistics.median(s):.2f} ms, "
            f"p95 {s[int(0.95 * (len(s) - 1))]:.2f} ms ({len(s)} requests, interleaved)"
        )


if __name__ == "__main__":
    asyncio.run(main())
