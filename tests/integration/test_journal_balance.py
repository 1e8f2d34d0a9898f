"""The database itself refuses a journal entry that does not balance."""

from __future__ import annotations

from datetime import date
from uuid import UUID

import asyncpg
import pytest

from tests.conftest import Tenant


async def _entry(conn: asyncpg.Connection, company_id: UUID, key: str) -> int:
    entry_id: int = await conn.fetchval(
        "INSERT INTO journal_entries (company_id, entry_key, entry_date, rule, currency_code) "
        "VALUES ($1, $2, '2026-01-07', 'test', 'USD') RETURNING entry_id",
        company_id,
        key,
    )
    return entry_id


async def _lines(
    conn: asyncpg.Connection, company_id: UUID, entry_id: int, amounts: list[tuple[str, int]]
) -> None:
    await conn.copy_records_to_table(
        "journal_lines",
        records=[
            (company_id, entry_id, n, account, amount, date(2026, 1, 7))
            for n, (account, amount) in enumerate(amounts, start=1)
        ],
        columns=["company_id", "entry_id", "line_no", "account_key", "amount", "entry_date"],
    )


async def test_balanced_entry_is_accepted(pool: asyncpg.Pool, tenant: Tenant) -> None:
    async with pool.acquire() as conn, conn.transaction():
        entry = await _entry(conn, tenant.company_id, "ok")
        await _lines(
            conn,
            tenant.company_id,
            entry,
            [("RIP", 2150), ("GROSS_SALES", -2000), ("SALES_TAX_PAYABLE", -150)],
        )
    total = await pool.fetchval(
        "SELECT sum(amount) FROM journal_lines WHERE company_id = $1", tenant.company_id
    )
    assert total == 0


async def test_unbalanced_entry_is_refused_and_nothing_is_written(
    pool: asyncpg.Pool, tenant: Tenant
) -> None:
    with pytest.raises(asyncpg.CheckViolationError, match="does not balance"):
        async with pool.acquire() as conn, conn.transaction():
            entry = await _entry(conn, tenant.company_id, "bad")
            await _lines(conn, tenant.company_id, entry, [("RIP", 2150), ("GROSS_SALES", -2000)])
    count = await pool.fetchval(
        "SELECT count(*) FROM journal_entries WHERE company_id = $1 AND entry_key = 'bad'",
        tenant.company_id,
    )
    assert count == 0


async def test_lines_are_immutable(pool: asyncpg.Pool, tenant: Tenant) -> None:
    async with pool.acquire() as conn, conn.transaction():
        entry = await _entry(conn, tenant.company_id, "frozen")
        await _lines(conn, tenant.company_id, entry, [("RIP", 100), ("GROSS_SALES", -100)])
    with pytest.raises(asyncpg.CheckViolationError, match="immutable"):
        await pool.execute(
            "UPDATE journal_lines SET amount = 5 WHERE company_id = $1", tenant.company_id
        )


async def test_removing_one_line_is_refused_but_whole_entries_can_go(
    pool: asyncpg.Pool, tenant: Tenant
) -> None:
    async with pool.acquire() as conn, conn.transaction():
        entry = await _entry(conn, tenant.company_id, "whole")
        await _lines(conn, tenant.company_id, entry, [("RIP", 100), ("GROSS_SALES", -100)])
    with pytest.raises(asyncpg.CheckViolationError, match="does not balance"):
        await pool.execute(
            "DELETE FROM journal_lines WHERE company_id = $1 AND entry_id = $2 AND line_no = 1",
            tenant.company_id,
            entry,
        )
    await pool.execute(
        "DELETE FROM journal_entries WHERE company_id = $1 AND entry_id = $2",
        tenant.company_id,
        entry,
    )
    assert (
        await pool.fetchval(
            "SELECT count(*) FROM journal_lines WHERE company_id = $1 AND entry_id = $2",
            tenant.company_id,
            entry,
        )
        == 0
    )
