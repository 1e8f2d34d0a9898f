"""Statements read years, months and days of balances; they must equal the journal's lines."""

from __future__ import annotations

import datetime as dt
import random

import asyncpg

from service.connectors.shopify.assemble import flatten
from service.connectors.shopify.normalize_graphql import history_from_graphql
from service.ledger.codec import encode
from service.ledger.reposting import request_full_repost, run_full_repost
from service.ledger.statements import period_sums
from tests.conftest import Tenant
from tests.fakes.shopify.generate import generate_shop
from tests.fakes.shopify.graphql import graphql_order


async def test_any_period_sums_to_the_journal_lines(pool: asyncpg.Pool, tenant: Tenant) -> None:
    shop = generate_shop(400, seed=77)  # a little over a year of orders
    await pool.executemany(
        "INSERT INTO order_sources (company_id, store_id, order_id, history) "
        "VALUES ($1, $2, $3, $4)",
        [
            (
                tenant.company_id,
                tenant.store_id,
                str(o.id),
                encode(
                    history_from_graphql(
                        flatten(graphql_order(o)),
                        store_id=str(tenant.store_id),
                        timezone="America/New_York",
                    )
                ),
            )
            for o in shop.orders
        ],
    )
    async with pool.acquire() as conn:
        job = await request_full_repost(conn, tenant.company_id, 1, reason="test")
    assert await run_full_repost(pool, tenant.company_id, job.job_id) == "DONE"
    version = await pool.fetchval(
        "SELECT current_version FROM books WHERE company_id = $1", tenant.company_id
    )
    first, last = await pool.fetchrow(
        "SELECT min(entry_date), max(entry_date) FROM journal_lines WHERE company_id = $1",
        tenant.company_id,
    )
    assert (last - first).days > 366
    rng = random.Random(5)
    days = (last - first).days
    ranges: list[tuple[dt.date | None, dt.date]] = [(None, last), (None, dt.date(2024, 12, 31))]
    for _ in range(25):
        a = first + dt.timedelta(days=rng.randint(-10, days))
        b = a + dt.timedelta(days=rng.randint(0, days))
        ranges.append((a, b))
    ranges += [(dt.date(2024, 1, 1), dt.date(2024, 12, 31)), (dt.date(2024, 3, 1), last)]
    for start, end in ranges:
        want = {
            r["account_key"]: r["total"]
            for r in await pool.fetch(
                "SELECT account_key, sum(amount)::bigint AS total FROM journal_lines "
                "WHERE company_id = $1 AND journal_version = $2 "
                "AND ($3::date IS NULL OR entry_date >= $3) AND entry_date <= $4 "
                "GROUP BY 1 HAVING sum(amount) <> 0",
                tenant.company_id,
                version,
                start,
                end,
            )
        }
        for group in ("NONE", "MONTH"):
            got: dict[str, int] = {}
            for (_, account), amount in (
                await period_sums(pool, tenant.company_id, version, start, end, group=group)
            ).items():
                got[account] = got.get(account, 0) + amount
            assert {k: v for k, v in got.items() if v} == want, (start, end, group)
