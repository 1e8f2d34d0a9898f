"""The books and the chart read together are what they are read apart."""

from __future__ import annotations

from typing import Any

import asyncpg
from starlette.requests import Request

from service.api.context import Context
from service.api.loaders import load_books, load_books_and_chart, load_chart
from service.domain.accounts import AccountType
from service.ledger.accounts import NewAccount, create_account
from tests.conftest import Tenant


def _context(pool: asyncpg.Pool, tenant: Tenant) -> Context:
    scope: dict[str, Any] = {"type": "http", "headers": [], "method": "POST", "path": "/"}
    return Context(
        request=Request(scope),
        company_id=tenant.company_id,
        pool=pool,
        queue=None,  # type: ignore[arg-type]
    )


async def test_books_and_chart_in_one_read(pool: asyncpg.Pool, tenant: Tenant) -> None:
    async with pool.acquire() as conn:
        await create_account(
            conn, tenant.company_id, NewAccount("RENT", "Rent", AccountType.EXPENSE)
        )
        await create_account(
            conn,
            tenant.company_id,
            NewAccount("RENT_WAREHOUSE", "Warehouse", AccountType.EXPENSE, parent="RENT"),
        )
    together = _context(pool, tenant)
    version, currency, chart = await load_books_and_chart(together)
    apart = _context(pool, tenant)
    assert (version, currency) == await load_books(apart)
    assert chart.accounts == (await load_chart(apart)).accounts
    assert chart.by_key["RENT_WAREHOUSE"].parent == "RENT"
    # Cached for the rest of the request, as load_books and load_chart are.
    assert await load_books(together) == (version, currency)
    assert await load_chart(together) is chart
