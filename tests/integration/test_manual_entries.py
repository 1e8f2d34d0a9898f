"""Manual journal entries, companies' own accounts and opening balances
(posting rules 14.3 and 15.1), in the ledger: checked, stored, posted, kept
by full re-posts and by verify, undone only by reversal."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable

import asyncpg
import pytest

from service.domain.accounts import AccountType
from service.domain.manual import ManualEntry, ManualLine, OpeningBalances, OpeningInventory
from service.ledger.accounts import AccountRefused, NewAccount, create_account, update_account
from service.ledger.closing import close_books
from service.ledger.manual_entries import (
    PeriodLocked,
    create_manual_entry,
    reverse_manual_entry,
    set_opening_balances,
)
from service.ledger.verify import verify_company
from service.posting.manual import ManualEntryError
from tests.conftest import GraphQL, Tenant

SHEET = """{ balanceSheet(asOf: "2024-12-31") { lines { accountKey amount { amount } }
  totalAssets { amount } totalLiabilities { amount } totalEquity { amount } } }"""
TRIAL = """{ trialBalance(from: "2024-05-01", to: "2024-05-31") {
  lines { accountKey debit { amount } credit { amount } } totalDebit { amount } } }"""
UPDATE = """mutation { updateBookkeepingSettings(input: {accountingBasis: ACCRUAL}) {
  userErrors { field } } }"""


RENT = NewAccount("RENT", "Rent", AccountType.EXPENSE)


def _rent(day: dt.date = dt.date(2024, 5, 1)) -> ManualEntry:
    return ManualEntry(
        "", day, "May rent", (ManualLine("RENT", 150000), ManualLine("BANK", -150000)), ("INV-5",)
    )


async def test_a_rent_entry_is_posted_kept_and_reversed(
    gql: GraphQL,
    tenant: Tenant,
    pool: asyncpg.Pool,
    run_worker: Callable[[], Awaitable[None]],
) -> None:
    async with pool.acquire() as conn, conn.transaction():
        await create_account(conn, tenant.company_id, RENT)
        entry = await create_manual_entry(conn, tenant.company_id, _rent())
    lines = {ln["accountKey"]: ln for ln in (await gql(TRIAL))["data"]["trialBalance"]["lines"]}
    assert lines["RENT"]["debit"]["amount"] == "1500.00"
    assert lines["BANK"]["credit"]["amount"] == "1500.00"
    # A full re-post (a basis switch) posts it again as it was entered.
    assert (await gql(UPDATE))["data"]["updateBookkeepingSettings"]["userErrors"] == []
    await run_worker()
    again = {ln["accountKey"]: ln for ln in (await gql(TRIAL))["data"]["trialBalance"]["lines"]}
    assert again["RENT"] == lines["RENT"]
    assert (await verify_company(pool, tenant.company_id)).clean

    async with pool.acquire() as conn, conn.transaction():
        await reverse_manual_entry(conn, tenant.company_id, _uuid(entry.id), dt.date(2024, 5, 2))
    undone = {ln["accountKey"]: ln for ln in (await gql(TRIAL))["data"]["trialBalance"]["lines"]}
    assert undone["RENT"]["debit"]["amount"] == "0.00"
    with pytest.raises(ManualEntryError, match="reversed already"):
        async with pool.acquire() as conn, conn.transaction():
            later = dt.date(2024, 5, 3)
            await reverse_manual_entry(conn, tenant.company_id, _uuid(entry.id), later)
    assert (await verify_company(pool, tenant.company_id)).clean


def _uuid(value: str) -> object:
    from uuid import UUID

    return UUID(value)


@pytest.mark.parametrize(
    ("lines", "field", "words"),
    [
        ((ManualLine("RENT", 100), ManualLine("BANK", -90)), "input.lines", "differ by 10"),
        ((ManualLine("AR", 100), ManualLine("BANK", -100)), "input.lines[0].accountKey", "orders"),
        ((ManualLine("NOPE", 1), ManualLine("BANK", -1)), "input.lines[0].accountKey", "no open"),
        ((ManualLine("BANK", 100),), "input.lines", "2 to"),
    ],
)
async def test_bad_manual_entries_change_nothing(
    tenant: Tenant, pool: asyncpg.Pool, lines: tuple[ManualLine, ...], field: str, words: str
) -> None:
    async with pool.acquire() as conn, conn.transaction():
        await create_account(conn, tenant.company_id, RENT)
    with pytest.raises(ManualEntryError, match=words) as info:
        async with pool.acquire() as conn, conn.transaction():
            await create_manual_entry(
                conn, tenant.company_id, ManualEntry("", dt.date(2024, 5, 1), "x", lines)
            )
    assert info.value.field == field
    assert (
        await pool.fetchval(
            "SELECT count(*) FROM manual_entries WHERE company_id = $1", tenant.company_id
        )
        == 0
    )


async def test_no_entry_in_a_closed_period(tenant: Tenant, pool: asyncpg.Pool) -> None:
    async with pool.acquire() as conn, conn.transaction():
        await create_account(conn, tenant.company_id, RENT)
        await close_books(conn, tenant.company_id, dt.date(2024, 5, 31), dt.date(2026, 12, 1))
    with pytest.raises(PeriodLocked):
        async with pool.acquire() as conn, conn.transaction():
            await create_manual_entry(conn, tenant.company_id, _rent())


async def test_opening_balances_balance_the_sheet(
    gql: GraphQL, tenant: Tenant, pool: asyncpg.Pool
) -> None:
    opening = OpeningBalances(
        dt.date(2024, 1, 1),
        (ManualLine("BANK", 100000), ManualLine("SALES_TAX_PAYABLE", -12000)),
        (OpeningInventory("MUG", 10, 500), OpeningInventory("TEE", 4, 1250)),
    )
    async with pool.acquire() as conn, conn.transaction():
        await set_opening_balances(conn, tenant.company_id, opening)
    sheet = (await gql(SHEET))["data"]["balanceSheet"]
    lines = {ln["accountKey"]: ln["amount"]["amount"] for ln in sheet["lines"]}
    assert lines["INVENTORY"] == "100.00"
    assert lines["BANK"] == "1000.00"
    assert lines["OPENING_BALANCE_EQUITY"] == "980.00"
    assert sheet["totalAssets"]["amount"] == "1100.00"
    assert sheet["totalLiabilities"]["amount"] == "120.00"
    assert sheet["totalEquity"]["amount"] == "980.00"
    assert (await verify_company(pool, tenant.company_id)).clean


async def test_own_accounts_group_under_parents(
    gql: GraphQL, tenant: Tenant, pool: asyncpg.Pool
) -> None:
    async with pool.acquire() as conn, conn.transaction():
        occupancy = NewAccount("OCCUPANCY", "Occupancy", AccountType.EXPENSE)
        await create_account(conn, tenant.company_id, occupancy)
        await create_account(
            conn, tenant.company_id, NewAccount("RENT", "Rent", AccountType.EXPENSE, "OCCUPANCY")
        )
        with pytest.raises(AccountRefused, match="reserved"):
            bank = NewAccount("BANK", "x", AccountType.ASSET)
            await create_account(conn, tenant.company_id, bank)
        with pytest.raises(AccountRefused, match="own parent"):
            await update_account(conn, tenant.company_id, "OCCUPANCY", parent="RENT")
        await update_account(conn, tenant.company_id, "RENT", name="Warehouse rent")
    chart = (await gql("{ chartOfAccounts { key name parentKey reserved active } }"))["data"]
    keys = [a["key"] for a in chart["chartOfAccounts"]]
    assert keys.index("RENT") == keys.index("OCCUPANCY") + 1
    rent = next(a for a in chart["chartOfAccounts"] if a["key"] == "RENT")
    assert rent == {"key": "RENT", "name": "Warehouse rent", "parentKey": "OCCUPANCY",
                    "reserved": False, "active": True}  # fmt: skip


async def test_cash_flow_adds_up_to_the_bank(
    gql: GraphQL, tenant: Tenant, pool: asyncpg.Pool
) -> None:
    """Opening balances, then rent paid: the statement explains the bank."""
    opening = OpeningBalances(dt.date(2024, 1, 1), (ManualLine("BANK", 500000),))
    async with pool.acquire() as conn, conn.transaction():
        await set_opening_balances(conn, tenant.company_id, opening)
        await create_account(conn, tenant.company_id, RENT)
        await create_manual_entry(conn, tenant.company_id, _rent())
    body = await gql(
        """{ cashFlowStatement(from: "2024-01-01", to: "2024-12-31") {
          netIncome { amount } operating { total { amount } }
          financing { lines { accountKey amount { amount } } total { amount } }
          netChangeInCash { amount } cashAtStart { amount } cashAtEnd { amount } } }"""
    )
    cf = body["data"]["cashFlowStatement"]
    assert cf["netIncome"]["amount"] == "-1500.00"
    assert cf["operating"]["total"]["amount"] == "-1500.00"
    assert cf["financing"]["lines"] == [
        {"accountKey": "OPENING_BALANCE_EQUITY", "amount": {"amount": "5000.00"}}
    ]
    assert cf["netChangeInCash"]["amount"] == "3500.00"
    assert (cf["cashAtStart"]["amount"], cf["cashAtEnd"]["amount"]) == ("0.00", "3500.00")
