"""Checksums of a company's books, to tell whether two databases hold the same books.

For the current journal version of each company in the database: one md5
per table (journal entries with their lines, daily balances, order
summaries, missing costs, COGS details; products and order SKUs, which
are not per version), over every column but the ids
and versions that differ from one build to another. Stores are named by
their name, not their id, so that two runs of a generator with the same
seed compare equal (bench/full_repost.py --keep, old code and new).

    .venv/bin/python bench/books_checksum.py postgresql://.../db_a [postgresql://.../db_b]
"""

from __future__ import annotations

import asyncio
import hashlib
import sys

import asyncpg

TABLES = {
    "journal": (
        "SELECT e.subject, e.store_id, e.entry_key, e.entry_date, e.order_id, e.event_id, "
        "e.rule, e.memo, e.currency_code, l.line_no, l.account_key, l.amount, l.store_id, "
        "l.channel, l.order_id, l.sku, l.processor "
        "FROM journal_entries e JOIN journal_lines l ON l.company_id = e.company_id "
        "AND l.entry_id = e.entry_id "
        "WHERE e.company_id = $1 AND e.journal_version = $2 AND l.journal_version = $2"
    ),
    "daily_balances": (
        "SELECT day, account_key, store_id, channel, amount FROM daily_balances "
        "WHERE company_id = $1 AND journal_version = $2"
    ),
    "order_summaries": (
        "SELECT store_id, order_id, name, placed_at, source, currency_code, total, "
        "open_balance, payment_status, fulfillment_status, books_status, refunded, "
        "missing_costs, posting_error, recognized_on FROM order_summaries "
        "WHERE company_id = $1 AND journal_version = $2"
    ),
    "missing_costs": (
        "SELECT store_id, order_id, line_id, sku, order_name, day, channel, quantity "
        "FROM missing_costs WHERE company_id = $1 AND journal_version = $2"
    ),
    "cogs_details": (
        "SELECT store_id, order_id, entry_key, sku, day, channel, order_name, quantity, "
        "unit_cost, amount, cost_source FROM cogs_details "
        "WHERE company_id = $1 AND journal_version = $2"
    ),
    # Not per version: what the histories say (products, which orders sell a SKU).
    "products": "SELECT sku, title FROM products WHERE company_id = $1 AND $2::int IS NOT NULL",
    "order_skus": (
        "SELECT sku, store_id, order_id FROM order_skus WHERE company_id = $1 "
        "AND $2::int IS NOT NULL"
    ),
}


def _named(value: object, stores: dict[str, str]) -> str:
    text = str(value)
    for store_id, name in stores.items():
        text = text.replace(store_id, name)
    return text


async def checksums(url: str) -> dict[str, str]:
    conn = await asyncpg.connect(url)
    # Right after a bench, statistics still say the tables are empty: a
    # nested loop over the journal would take hours.
    await conn.execute("SET enable_nestloop = off")
    try:
        out: dict[str, str] = {}
        for company_id, version, name in await conn.fetch(
            "SELECT b.company_id, b.current_version, c.name FROM books b "
            "JOIN companies c USING (company_id) ORDER BY c.name"
        ):
            stores = {
                str(r["store_id"]): r["name"]
                for r in await conn.fetch(
                    "SELECT store_id, name FROM stores WHERE company_id = $1", company_id
                )
            }
            for table, query in TABLES.items():
                rows = await conn.fetch(query, company_id, version)
                lines = sorted("|".join(_named(v, stores) for v in r) for r in rows)
                digest = hashlib.md5("\n".join(lines).encode()).hexdigest()
                out[f"{name}: {table}"] = f"{len(rows):>9,} rows  {digest}"
        return out
    finally:
        await conn.close()


async def main() -> None:
    results = [await checksums(url) for url in sys.argv[1:]]
    for key in results[0]:
        values = [r.get(key, "-") for r in results]
        same = "" if len(set(values)) == 1 else "   DIFFERENT"
        print(f"{key:36} " + "   ".join(values) + same)


if __name__ == "__main__":
    asyncio.run(main())
