"""The bank feed's queries: accounts, lines, what is left to explain, and
reconciliations."""

from __future__ import annotations

import datetime as dt
from uuid import UUID

import strawberry

from service.api.context import Info
from service.api.errors import ClientError
from service.api.ids import decode_uuid
from service.api.types.bank import (
    BankAccount,
    BankLine,
    BankReconciliation,
    BankRule,
    ClearingAccount,
    Payout,
    ProcessorDeposit,
)
from service.api.types.connection import Connection, check_first, decode_cursor, page
from service.ledger import bank_views as views
from service.ledger.bank_accounts import list_bank_accounts
from service.ledger.bank_explain import get_line
from service.ledger.bank_rules import list_rules


def _id(value: str, type_name: str, arg: str) -> UUID:
    found = decode_uuid(value, type_name)
    if found is None:
        raise ClientError(f"{arg}: {value[:100]!r} is not a {type_name} id", "BAD_USER_INPUT")
    return found


async def _currency(info: Info) -> str:
    currency: str = await info.context.pool.fetchval(
        "SELECT coalesce(min(currency_code), 'USD') FROM stores WHERE company_id = $1",
        info.context.company_id,
    )
    return currency


async def bank_accounts(info: Info) -> list[BankAccount]:
    rows = await list_bank_accounts(info.context.pool, info.context.company_id)
    return [BankAccount.of(a) for a in rows]


async def bank_lines(
    info: Info,
    first: int = 50,
    after: str | None = None,
    bank_account_id: strawberry.ID | None = None,
    unexplained_only: bool = False,
) -> Connection[BankLine]:
    """Lines by date; ``unexplainedOnly`` lists what is left to explain."""
    ctx = info.context
    check_first(first)
    account = _id(bank_account_id, "BankAccount", "bankAccountId") if bank_account_id else None
    position = None
    raw = decode_cursor(after)
    if raw is not None:
        try:
            position = (dt.date.fromisoformat(raw[0]), UUID(raw[1]))
        except (TypeError, ValueError, IndexError, KeyError) as exc:
            raise ClientError(
                f"after: {after!r} is not a bank line cursor", "BAD_USER_INPUT"
            ) from exc
    rows = await views.list_lines(
        ctx.pool,
        ctx.company_id,
        bank_account_id=account,
        unexplained_only=unexplained_only,
        after=position,
        limit=first + 1,
    )
    total: int = await ctx.pool.fetchval(
        "SELECT count(*) FROM bank_lines l LEFT JOIN bank_explanations x "
        "USING (company_id, line_id) WHERE l.company_id = $1 "
        "AND ($2::uuid IS NULL OR l.bank_account_id = $2) AND (NOT $3 OR x.kind IS NULL)",
        ctx.company_id,
        account,
        unexplained_only,
    )
    result: Connection[BankLine] = page(
        rows, first, lambda r: [r.date.isoformat(), str(r.line_id)], total, BankLine.of
    )
    return result


async def bank_line(info: Info, id: strawberry.ID) -> BankLine | None:
    line_id = decode_uuid(id, "BankLine")
    if line_id is None:
        return None
    found = await get_line(info.context.pool, info.context.company_id, line_id)
    return BankLine.of(found) if found else None


async def payouts_without_deposit(info: Info, as_of: dt.date) -> list[Payout]:
    """Payouts whose matching window ended by ``asOf`` with no bank line."""
    async with info.context.pool.acquire() as conn:
        rows = await views.payouts_without_deposit(conn, info.context.company_id, as_of)
    return [Payout.of(p) for p in rows]


async def processor_deposits_without_payout(info: Info) -> list[ProcessorDeposit]:
    async with info.context.pool.acquire() as conn:
        rows = await views.processor_deposits_without_payout(conn, info.context.company_id)
    return [ProcessorDeposit(processor=p, line=BankLine.of(line)) for line, p in rows]


async def bank_reconciliation(
    info: Info, bank_account_id: strawberry.ID, as_of: dt.date
) -> BankReconciliation | None:
    account = _id(bank_account_id, "BankAccount", "bankAccountId")
    async with info.context.pool.acquire() as conn:
        found = await views.bank_reconciliation(conn, info.context.company_id, account, as_of)
    return BankReconciliation.of(found) if found else None


async def clearing_accounts(info: Info, as_of: dt.date) -> list[ClearingAccount]:
    currency = await _currency(info)
    async with info.context.pool.acquire() as conn:
        rows = await views.clearing_balances(conn, info.context.company_id, as_of)
    return [ClearingAccount.of(c, currency) for c in rows]


async def bank_rules(info: Info) -> list[BankRule]:
    currency = await _currency(info)
    rows = await list_rules(info.context.pool, info.context.company_id)
    return [BankRule.of(r, currency) for r in rows]
