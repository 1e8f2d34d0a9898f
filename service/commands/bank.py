"""The bank feed's changes, each a command: one transaction, replayed by its
idempotency key, refusals naming the field and changing nothing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from typing import Any
from uuid import UUID

import asyncpg
from arq.connections import ArqRedis

from service.commands.runner import Outcome, run_command
from service.domain.bank_files import CsvMapping
from service.ledger import bank_match as match
from service.ledger.bank_accounts import create_bank_account, set_csv_mapping
from service.ledger.bank_explain import BankRefused, get_line
from service.ledger.bank_feed import import_and_explain
from service.ledger.bank_rules import apply_rules, create_rule, delete_rule

Change = Callable[[asyncpg.Connection], Awaitable[dict[str, Any]]]


async def _run(
    pool: asyncpg.Pool,
    queue: ArqRedis | None,
    company_id: UUID,
    operation: str,
    key: str | None,
    change: Change,
) -> Outcome:
    async def body(conn: asyncpg.Connection) -> Outcome:
        try:
            # A savepoint: a refusal found halfway (a rule saved, then the
            # line found explained already) leaves nothing behind.
            async with conn.transaction():
                return Outcome(result=await change(conn))
        except BankRefused as exc:
            return Outcome(refusals=[(exc.field, exc.code, str(exc))])

    return await run_command(pool, queue, company_id, operation, key, body)


async def create_account(
    pool: asyncpg.Pool,
    queue: ArqRedis | None,
    company_id: UUID,
    key: str | None,
    account: tuple[str, str, str, dt.date, int],
) -> Outcome:
    async def change(conn: asyncpg.Connection) -> dict[str, Any]:
        created = await create_bank_account(conn, company_id, *account)
        return {"bankAccountId": str(created.id)}

    return await _run(pool, queue, company_id, "createBankAccount", key, change)


async def save_csv_mapping(
    pool: asyncpg.Pool,
    queue: ArqRedis | None,
    company_id: UUID,
    key: str | None,
    bank_account_id: UUID,
    mapping: CsvMapping,
) -> Outcome:
    async def change(conn: asyncpg.Connection) -> dict[str, Any]:
        await set_csv_mapping(conn, company_id, bank_account_id, mapping)
        return {"bankAccountId": str(bank_account_id)}

    return await _run(pool, queue, company_id, "setBankCsvMapping", key, change)


async def import_file(
    pool: asyncpg.Pool,
    queue: ArqRedis | None,
    company_id: UUID,
    key: str | None,
    bank_account_id: UUID,
    data: bytes,
) -> Outcome:
    async def change(conn: asyncpg.Connection) -> dict[str, Any]:
        report = await import_and_explain(conn, company_id, bank_account_id, data)
        r = report.result
        return {
            "importId": str(r.import_id),
            "format": r.format,
            "linesRead": r.lines_read,
            "linesNew": r.lines_new,
            "duplicates": r.duplicates,
            "matched": report.matched,
            "categorised": report.categorised,
        }

    return await _run(pool, queue, company_id, "importBankStatement", key, change)


async def match_all(
    pool: asyncpg.Pool, queue: ArqRedis | None, company_id: UUID, key: str | None
) -> Outcome:
    """Match every unexplained line (payouts synced after the lines came in)."""

    async def change(conn: asyncpg.Connection) -> dict[str, Any]:
        return {"matched": await match.match_payouts(conn, company_id)}

    return await _run(pool, queue, company_id, "matchBankLines", key, change)


async def match_one(
    pool: asyncpg.Pool,
    queue: ArqRedis | None,
    company_id: UUID,
    key: str | None,
    line_id: UUID,
    processor: str,
    payout_id: str,
) -> Outcome:
    async def change(conn: asyncpg.Connection) -> dict[str, Any]:
        await match.match_line_to_payout(conn, company_id, line_id, processor, payout_id)
        return {"bankLineId": str(line_id)}

    return await _run(pool, queue, company_id, "matchBankLineToPayout", key, change)


async def link(
    pool: asyncpg.Pool,
    queue: ArqRedis | None,
    company_id: UUID,
    key: str | None,
    line_id: UUID,
    orders: dict[int, tuple[UUID, str]],
    difference_account: str | None,
) -> Outcome:
    async def change(conn: asyncpg.Connection) -> dict[str, Any]:
        await match.link_deposit(conn, company_id, line_id, orders, difference_account)
        return {"bankLineId": str(line_id)}

    return await _run(pool, queue, company_id, "applyOrderAction", key, change)


async def categorise(
    pool: asyncpg.Pool,
    queue: ArqRedis | None,
    company_id: UUID,
    key: str | None,
    line_id: UUID,
    how: dict[str, Any],
) -> Outcome:
    """``how``: kind STORE_CASH (storeId), TRANSFER (otherBankAccountId,
    otherLineId) or ACCOUNT (accountKey, saveRule)."""

    async def change(conn: asyncpg.Connection) -> dict[str, Any]:
        kind = how["kind"]
        result: dict[str, Any] = {"bankLineId": str(line_id)}
        if kind == "STORE_CASH":
            await match.categorise_store_cash(conn, company_id, line_id, how.get("storeId"))
        elif kind == "TRANSFER":
            other = how.get("otherBankAccountId")
            if other is None:
                raise BankRefused("input.otherBankAccountId", "REQUIRED", "name the other account")
            await match.categorise_transfer(
                conn, company_id, line_id, other, how.get("otherLineId")
            )
        else:
            account = how.get("accountKey")
            if not account:
                raise BankRefused("input.accountKey", "REQUIRED", "name the account")
            rule_id = None
            if how.get("saveRule"):
                line = await get_line(conn, company_id, line_id)
                if line is None:
                    raise BankRefused("input.bankLineId", "NOT_FOUND", "no such bank line")
                rule = await create_rule(
                    conn,
                    company_id,
                    line.payee or line.description,
                    line.amount if how.get("ruleMatchesAmount") else None,
                    account,
                    line.bank_account_id,
                )
                rule_id = rule.id
                result["ruleId"] = str(rule.id)
            await match.categorise_to_account(conn, company_id, line_id, account, rule_id)
        return result

    return await _run(pool, queue, company_id, "categoriseBankLine", key, change)


async def unlink_orders(
    pool: asyncpg.Pool,
    queue: ArqRedis | None,
    company_id: UUID,
    key: str | None,
    orders: dict[int, tuple[UUID, str]],
) -> Outcome:
    """Order action UNLINK_PAYMENT: every deposit linked to these orders is
    unlinked (from all of its orders, which are re-posted)."""

    async def change(conn: asyncpg.Connection) -> dict[str, Any]:
        lines: set[UUID] = set()
        for i, (store_id, order_id) in orders.items():
            rows = await conn.fetch(
                "SELECT DISTINCT line_id FROM deposit_links WHERE company_id = $1 "
                "AND store_id = $2 AND order_id = $3",
                company_id,
                store_id,
                order_id,
            )
            if not rows:
                raise BankRefused(
                    f"input.orderIds.{i}", "NOT_APPLICABLE", "no deposit is linked to this order"
                )
            lines.update(r["line_id"] for r in rows)
        for line_id in sorted(lines):
            await match.unexplain(conn, company_id, line_id)
        return {"unlinked": [str(x) for x in sorted(lines)]}

    return await _run(pool, queue, company_id, "applyOrderAction", key, change)


async def unexplain(
    pool: asyncpg.Pool, queue: ArqRedis | None, company_id: UUID, key: str | None, line_id: UUID
) -> Outcome:
    async def change(conn: asyncpg.Connection) -> dict[str, Any]:
        await match.unexplain(conn, company_id, line_id)
        return {"bankLineId": str(line_id)}

    return await _run(pool, queue, company_id, "unexplainBankLine", key, change)


async def add_rule(
    pool: asyncpg.Pool,
    queue: ArqRedis | None,
    company_id: UUID,
    key: str | None,
    rule: tuple[str, int | None, str, UUID | None],
    apply_now: bool,
) -> Outcome:
    async def change(conn: asyncpg.Connection) -> dict[str, Any]:
        created = await create_rule(conn, company_id, *rule)
        applied = 0
        if apply_now:
            ids = await conn.fetch(
                "SELECT l.line_id FROM bank_lines l LEFT JOIN bank_explanations x "
                "USING (company_id, line_id) WHERE l.company_id = $1 AND x.line_id IS NULL",
                company_id,
            )
            applied = await apply_rules(conn, company_id, [r["line_id"] for r in ids])
        return {"ruleId": str(created.id), "applied": applied}

    return await _run(pool, queue, company_id, "createBankRule", key, change)


async def remove_rule(
    pool: asyncpg.Pool, queue: ArqRedis | None, company_id: UUID, key: str | None, rule_id: UUID
) -> Outcome:
    async def change(conn: asyncpg.Connection) -> dict[str, Any]:
        await delete_rule(conn, company_id, rule_id)
        return {"ruleId": str(rule_id)}

    return await _run(pool, queue, company_id, "deleteBankRule", key, change)
