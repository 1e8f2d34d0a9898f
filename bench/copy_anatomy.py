"""What a COPY into journal_lines pays for: indexes, the foreign key, the balance trigger.

In a scratch database (``storebooks_bench_copy``, dropped at the end), the
same synthetic balanced entries (4 lines each) are COPied into
journal_entries + journal_lines in batches of ``--batch`` lines, first with
the schema as migrated, then with one of its costs removed at a time (on
this scratch database only). Each variant starts from empty tables.

    .venv/bin/python bench/copy_anatomy.py [--lines 400000] [--batch 8000]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import random
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import asyncpg
from books_generator import bench_database, drop_database

from service.ledger.journal import ENTRY_COLUMNS, LINE_COLUMNS

ACCOUNTS = [
    "AR",
    "SALES",
    "SALES_TAX_PAYABLE",
    "SHIPPING_INCOME",
    "PROCESSOR_CLEARING",
    "DISCOUNTS",
]

VARIANTS = [
    ("as migrated", []),
    (
        "without the FK lines -> entries",
        ["ALTER TABLE journal_lines DROP CONSTRAINT journal_lines_company_id_entry_id_fkey"],
    ),
    (
        "without the balance trigger",
        ["ALTER TABLE journal_lines DISABLE TRIGGER journal_lines_balanced_insert"],
    ),
    ("without index journal_lines_account", ["DROP INDEX journal_lines_account"]),
    (
        "lines: PK only (no FK, trigger, account index)",
        [
            "ALTER TABLE journal_lines DROP CONSTRAINT journal_lines_company_id_entry_id_fkey",
            "ALTER TABLE journal_lines DISABLE TRIGGER journal_lines_balanced_insert",
            "DROP INDEX journal_lines_account",
        ],
    ),
]


def make_rows(company: uuid.UUID, store: uuid.UUID, n_lines: int):  # type: ignore[no-untyped-def]
    rng = random.Random(3)
    entries, lines = [], []
    day0 = dt.date(2024, 1, 1)
    for e in range(n_lines // 4):
        eid = 1024 + e
        day = day0 + dt.timedelta(days=e * 1000 // max(n_lines // 4, 1))
        order = str(9_000_000_000 + e // 3)
        entries.append(
            (
                company,
                eid,
                1,
                f"k{e}",
                day,
                store,
                order,
                f"ev{e}",
                "sale",
                "",
                "USD",
                f"order:{store}:{order}",
            )
        )
        a = rng.randint(100, 90000)
        t = a // 10
        for n, (acct, amt) in enumerate(
            [("AR", a + t), ("SALES", -a), ("SALES_TAX_PAYABLE", -t), ("DISCOUNTS", 0)], 1
        ):
            lines.append((company, eid, n, acct, amt, day, store, "web", order, None, None, 1))
    return entries, lines


async def run_variant(db_url: str, ddl: list[str], n_lines: int, batch: int) -> float:
    conn = await asyncpg.connect(db_url)
    try:
        from books_generator import make_company

        company = await make_company(conn, "copy anatomy")
        cid, store = company.company_id, company.store_ids[0]
        for stmt in ddl:
            await conn.execute(stmt)
        entries, lines = make_rows(cid, store, n_lines)
        per_e = batch // 4
        await conn.execute("CHECKPOINT")
        t0 = time.perf_counter()
        for i in range(0, len(entries), per_e):
            async with conn.transaction():
                await conn.copy_records_to_table(
                    "journal_entries", records=entries[i : i + per_e], columns=ENTRY_COLUMNS
                )
                await conn.copy_records_to_table(
                    "journal_lines", records=lines[4 * i : 4 * (i + per_e)], columns=LINE_COLUMNS
                )
        return time.perf_counter() - t0
    finally:
        await conn.close()


async def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--lines", type=int, default=400_000)
    ap.add_argument("--batch", type=int, default=8000, help="lines per transaction")
    ap.add_argument("--db", default="storebooks_bench_copy")
    args = ap.parse_args()
    print(f"{args.lines:,} lines ({args.lines // 4:,} entries), {args.batch} lines per batch")
    for name, ddl in VARIANTS:
        db_url = await bench_database(args.db, fresh=True)
        wall = await run_variant(db_url, ddl, args.lines, args.batch)
        print(
            f"  {name:48} {wall:6.1f} s  {args.lines / wall:9,.0f} lines/s (entries + lines)",
            flush=True,
        )
        await drop_database(db_url)


if __name__ == "__main__":
    asyncio.run(main())
