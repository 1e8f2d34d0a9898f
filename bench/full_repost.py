"""Full re-post of a company's history vs a bare COPY of the same journal rows.

A company of N synthetic orders (bench/books_generator.py) on the CASH
basis is switched to ACCRUAL, which asks for a full re-post; the re-post is
run end to end with the real ``run_full_repost`` (one long step, batches of
``--batch`` orders) and timed. Its functions are wrapped with timers
(wall time inside the step) to say where the re-posting process's time
goes; posting itself happens in posting processes (``--processes``, 0
posts in the re-posting process), whose CPU time is reported as a total. Then the journal
rows it produced are read back and COPied again, unchanged but for a
scratch journal version and shifted entry ids, into the same tables in
batches of the same size (one transaction each, triggers and indexes
live): that is the bare COPY the re-post is measured against.

    .venv/bin/python bench/full_repost.py [--orders 200000] [--batch 2000]
        [--server URL] [--keep] [--processes N]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import functools
import json
import os
import resource
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any
from uuid import UUID

sys.path.insert(0, str(Path(__file__).resolve().parent))

import asyncpg
from books_generator import bench_database, drop_database, generate_company

import service.ledger.journal as journal
import service.ledger.posting_pool as posting_pool
import service.ledger.repost_batches as repost_batches
import service.ledger.reposting as reposting

TIMES: dict[str, float] = defaultdict(float)
COUNTS: dict[str, int] = defaultdict(int)


def timed_sync(name: str, fn: Any) -> Any:
    @functools.wraps(fn)
    def wrapper(*a: Any, **k: Any) -> Any:
        t = time.perf_counter()
        try:
            return fn(*a, **k)
        finally:
            TIMES[name] += time.perf_counter() - t
            COUNTS[name] += 1

    return wrapper


def timed_async(name: str, fn: Any) -> Any:
    @functools.wraps(fn)
    async def wrapper(*a: Any, **k: Any) -> Any:
        t = time.perf_counter()
        try:
            return await fn(*a, **k)
        finally:
            TIMES[name] += time.perf_counter() - t
            COUNTS[name] += 1

    return wrapper


async def instrumented_copy_numbered_rows(conn: asyncpg.Connection, batches: Any) -> int:
    """journal.copy_numbered_rows, step by step with timers (same statements)."""
    t0 = time.perf_counter()
    ids = await journal.reserve_entry_ids(conn, sum(len(e) for e, _ in batches))
    t1 = time.perf_counter()
    entry_rows: list[Any] = []
    line_rows: list[Any] = []
    offset = 0
    for entries, lines in batches:
        entry_rows += journal._numbered(entries, ids, offset)
        line_rows += journal._numbered(lines, ids, offset)
        offset += len(entries)
    t2 = time.perf_counter()
    await conn.copy_records_to_table(
        "journal_entries", records=entry_rows, columns=journal.ENTRY_COLUMNS
    )
    t3 = time.perf_counter()
    await conn.copy_records_to_table(
        "journal_lines", records=line_rows, columns=journal.LINE_COLUMNS
    )
    t4 = time.perf_counter()
    TIMES["write: reserve ids"] += t1 - t0
    TIMES["write: entry ids into rows"] += t2 - t1
    TIMES["write: COPY journal_entries"] += t3 - t2
    TIMES["write: COPY journal_lines (+trigger)"] += t4 - t3
    COUNTS["lines"] += len(line_rows)
    COUNTS["entries"] += len(entry_rows)
    return len(line_rows)


def _wrap(module: Any, name: str, label: str) -> None:
    """Time module.name if the service still has it (the service evolves)."""
    fn = getattr(module, name, None)
    if fn is None:
        return
    wrap = timed_async if asyncio.iscoroutinefunction(fn) else timed_sync
    setattr(module, name, wrap(label, fn))


def instrument(in_process: bool) -> None:
    """Timers on the re-posting process (wall time inside the step). With
    posting processes, their posting is not seen here, only the time the
    writer waits for a batch's rows ("orders: waiting for posting"). Lines
    marked "side:" run on the second connection while the batch is written
    (the next batch's read, then the written batch's products, order SKUs
    and recost requests): they overlap the "write:" lines."""
    if in_process:
        _wrap(posting_pool, "post_order_batch", "post: post_order_batch (in-process)")
    repost_batches.copy_numbered_rows = instrumented_copy_numbered_rows
    _wrap(reposting, "read_batch", "side: read_batch (whole; the first not beside)")
    for name, label in (
        ("load_input_rows", "side: read inputs"),
        ("load_cost_rows", "side: read line costs"),
        ("_fallback_costs", "side: read SKU fallback costs"),
        ("_locked_entries", "side: read closed-period entries"),
    ):
        _wrap(repost_batches, name, label)
    _wrap(repost_batches, "copy_summaries", "write: order_summaries COPY")
    for name in ("replace_missing", "copy_missing_rows", "replace_cogs"):
        _wrap(repost_batches, name, f"write: {name}")
    for name in ("remember_titles", "remember_sku_orders", "queue_recost"):
        _wrap(repost_batches, name, f"side: {name}")
    _wrap(reposting, "remember_facts", "side: remember_facts (whole)")
    _wrap(reposting, "_read_ahead", "side: _read_ahead (whole)")
    _wrap(reposting, "write_batch", "write: write_batch (whole)")
    _wrap(reposting, "_posted", "orders: waiting for posting")
    _wrap(reposting, "_build_orders", "orders: _build_orders (whole)")
    _wrap(reposting, "_build_processor_records", "processor records")
    _wrap(reposting, "build_balances", "build_balances")
    _wrap(reposting, "rebuild_missing_days", "missing-cost counters")
    _wrap(reposting, "_switch", "_switch")
    _wrap(reposting, "_begin", "_begin")


async def timing_init(conn: asyncpg.Connection) -> None:
    """The pool's own codecs, with json.loads timed: a jsonb column the
    re-post reads as JSON (not as text) shows up here."""

    def loads(text: str) -> Any:
        t = time.perf_counter()
        try:
            return json.loads(text)
        finally:
            TIMES["read: json.loads in the re-posting process"] += time.perf_counter() - t

    await conn.set_type_codec("jsonb", encoder=json.dumps, decoder=loads, schema="pg_catalog")
    await conn.set_type_codec("json", encoder=json.dumps, decoder=json.loads, schema="pg_catalog")


async def run_repost(db_url: str, company_id: UUID, batch: int) -> tuple[float, float, int]:
    from service.ledger.reposting import request_full_repost, run_full_repost
    from service.ledger.settings import update_settings

    pool = await asyncpg.create_pool(db_url, init=timing_init, min_size=2, max_size=4)
    assert pool is not None
    try:
        async with pool.acquire() as conn, conn.transaction():
            change = await update_settings(
                conn,
                company_id,
                accounting_basis="ACCRUAL",
                fulfillment_tracking=None,
                store_ids=[],
            )
            job = await request_full_repost(
                conn, company_id, change.settings.version, "bench: CASH -> ACCRUAL"
            )
        cpu0 = time.process_time()
        t0 = time.perf_counter()
        steps = 0
        while True:
            steps += 1
            outcome = await run_full_repost(
                pool, company_id, job.job_id, step_seconds=1e9, batch_orders=batch
            )
            if outcome == "DONE":
                break
            assert outcome == "CONTINUE", outcome
        wall = time.perf_counter() - t0
        cpu = time.process_time() - cpu0
        version = await pool.fetchval(
            "SELECT current_version FROM books WHERE company_id = $1", company_id
        )
        return wall, cpu, version
    finally:
        await pool.close()


async def bare_copy(
    db_url: str, company_id: UUID, version: int, batches: int
) -> tuple[float, int, int]:
    """COPY the version's entries and lines again under a scratch version, in `batches` batches."""
    conn = await asyncpg.connect(db_url)
    try:
        ecols = ", ".join(journal.ENTRY_COLUMNS)
        lcols = ", ".join(journal.LINE_COLUMNS)
        entries = await conn.fetch(
            f"SELECT {ecols} FROM journal_entries WHERE company_id = $1 AND journal_version = $2 "
            "ORDER BY entry_id",
            company_id,
            version,
        )
        lines = await conn.fetch(
            f"SELECT {lcols} FROM journal_lines WHERE company_id = $1 AND journal_version = $2 "
            "ORDER BY entry_id, line_no",
            company_id,
            version,
        )
        scratch = version + 1000
        offset = 1 << 42
        e_rows = [(r[0], r[1] + offset, scratch, *tuple(r)[3:]) for r in entries]
        l_rows = [(*tuple(r)[:1], r[1] + offset, *tuple(r)[2:11], scratch) for r in lines]
        del entries, lines
        # cut into `batches` chunks of whole entries, like the re-post's batches
        per = -(-len(e_rows) // max(batches, 1))
        chunks = []
        li = 0
        for ei in range(0, len(e_rows), per):
            es = e_rows[ei : ei + per]
            last_id = es[-1][1]
            lj = li
            while lj < len(l_rows) and l_rows[lj][1] <= last_id:
                lj += 1
            chunks.append((es, l_rows[li:lj]))
            li = lj
        assert li == len(l_rows)
        await conn.execute("CHECKPOINT")
        t0 = time.perf_counter()
        for es, ls in chunks:
            async with conn.transaction():
                await conn.copy_records_to_table(
                    "journal_entries", records=es, columns=journal.ENTRY_COLUMNS
                )
                await conn.copy_records_to_table(
                    "journal_lines", records=ls, columns=journal.LINE_COLUMNS
                )
        wall = time.perf_counter() - t0
        return wall, len(e_rows), len(l_rows)
    finally:
        await conn.close()


_LINES = """
    FROM order_sources o, jsonb_array_elements(o.history -> 'order' -> 'lines') l
    WHERE o.company_id = $1 AND coalesce(l ->> 'sku', '') <> ''
      AND NOT coalesce((l ->> 'gift_card')::boolean, false)
"""


async def known_catalog(conn: asyncpg.Connection, company_id: UUID, costed: bool) -> None:
    """The products, order SKUs and last good histories a company has once
    its books were posted, as they are when a merchant switches basis: a
    re-post then finds them known (`--new-catalog` times a first posting,
    with their first insert). Each product has its own cost, 40% of its
    price, as a merchant's catalog does once costs are set up, unless
    `costed` is false: then every line is a missing cost (`--missing-costs`)."""
    cost = "(l ->> 'unit_price')::bigint * 2 / 5" if costed else "NULL::bigint"
    await conn.execute(
        "INSERT INTO products (company_id, sku, title, average_cost) "
        "SELECT DISTINCT ON (l ->> 'sku') $1::uuid, "
        f"l ->> 'sku', coalesce(l ->> 'title', ''), {cost} {_LINES} ON CONFLICT DO NOTHING",
        company_id,
    )
    await conn.execute(
        "INSERT INTO order_skus (company_id, sku, store_id, order_id) "
        f"SELECT DISTINCT $1::uuid, l ->> 'sku', o.store_id, o.order_id {_LINES} "
        "ON CONFLICT DO NOTHING",
        company_id,
    )
    # Every order posted once, as webhooks and syncs post them: its history
    # is also its last good one.
    await conn.execute(
        "UPDATE order_sources SET good_history = history, history_posted = true "
        "WHERE company_id = $1",
        company_id,
    )
    await conn.execute("ANALYZE products")
    await conn.execute("ANALYZE order_skus")


async def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--orders", type=int, default=200_000)
    ap.add_argument("--batch", type=int, default=reposting.BATCH_ORDERS)
    ap.add_argument("--stores", type=int, default=2)
    ap.add_argument("--years", type=float, default=3.0)
    ap.add_argument("--db", default="storebooks_bench_repost")
    ap.add_argument("--server", default=None, help="admin URL of another PostgreSQL")
    ap.add_argument("--keep", action="store_true", help="keep the database afterwards")
    ap.add_argument("--processes", type=int, default=None, help="posting processes (0: in-process)")
    ap.add_argument(
        "--new-catalog",
        action="store_true",
        help="no products or order SKUs known before the re-post (a first posting)",
    )
    ap.add_argument(
        "--missing-costs",
        action="store_true",
        help="products without costs: every order line is a missing cost",
    )
    args = ap.parse_args()
    db_url = await bench_database(args.db, fresh=True, url=args.server)
    print(f"database {args.db} on {db_url.split('@')[-1]}; pid {os.getpid()}", flush=True)
    company = await generate_company(db_url, args.orders, stores=args.stores, years=args.years)
    conn = await asyncpg.connect(db_url)
    if not args.new_catalog:
        await known_catalog(conn, company.company_id, costed=not args.missing_costs)
    await conn.execute("VACUUM ANALYZE order_sources")
    await conn.execute("CHECKPOINT")
    await conn.close()
    if args.processes is not None:
        os.environ["STOREBOOKS_POSTING_PROCESSES"] = str(args.processes)
    processes = posting_pool.posting_processes()
    instrument(in_process=processes == 0)
    wall, cpu, version = await run_repost(db_url, company.company_id, args.batch)
    posting_pool.close_posting_pool()  # so that their CPU time and memory are counted
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    parent = resource.getrusage(resource.RUSAGE_SELF)
    lines, entries = COUNTS["lines"], COUNTS["entries"]
    batches = COUNTS["write: write_batch (whole)"]
    copy_wall, _c_entries, c_lines = await bare_copy(
        db_url, company.company_id, version, max(batches, 1)
    )
    assert c_lines == lines, (c_lines, lines)
    repost_rate = lines / wall
    copy_rate = c_lines / copy_wall
    print(
        f"\n{args.orders:,} orders -> {entries:,} entries, {lines:,} lines (ACCRUAL); "
        f"batches of {args.batch} orders; {processes} posting process(es)"
    )
    print(
        f"full re-post: {wall:7.1f} s  {repost_rate:10,.0f} lines/s  "
        f"{args.orders / wall:8,.0f} orders/s  (re-posting process CPU {cpu:.1f} s = "
        f"{100 * cpu / wall:.0f}% of wall; posting processes CPU "
        f"{children.ru_utime + children.ru_stime:.1f} s)"
    )
    print(
        f"bare COPY:    {copy_wall:7.1f} s  {copy_rate:10,.0f} lines/s  (same rows, same batches)"
    )
    print(f"ratio re-post / COPY speed: {repost_rate / copy_rate:.2f} (target >= 0.60)")
    print(
        f"peak memory: re-posting process {parent.ru_maxrss / 1024:.0f} MiB (generator "
        f"included), largest posting process {children.ru_maxrss / 1024:.0f} MiB"
    )
    print("\nwhere the re-posting process's wall time goes:")
    for k, v in sorted(TIMES.items(), key=lambda kv: kv[0]):
        print(f"  {k:52} {v:7.2f} s  {100 * v / wall:5.1f}%")
    if not args.keep:
        await drop_database(db_url)
    print(f"finished {dt.datetime.now().isoformat(timespec='seconds')}")


if __name__ == "__main__":
    asyncio.run(main())
