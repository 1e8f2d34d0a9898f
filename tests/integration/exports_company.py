"""A small company with real activity for the export tests: the demo
store's orders and purchases, posted."""

from __future__ import annotations

import datetime as dt
from uuid import UUID

import asyncpg

from service.ledger.demo import load_demo_activity
from service.ledger.exports.reading import Books, read_books
from tests.conftest import Tenant


async def demo_books(pool: asyncpg.Pool, tenant: Tenant) -> Books:
    await load_demo_activity(pool, tenant.company_id, tenant.store_id)
    return await read_books(pool, tenant.company_id)


def far_end() -> dt.date:
    return dt.date.today() + dt.timedelta(days=60)


async def first_day(pool: asyncpg.Pool, company_id: UUID) -> dt.date:
    day: dt.date = await pool.fetchval(
        "SELECT min(entry_date) FROM journal_entries WHERE company_id = $1", company_id
    )
    return day
