"""Saved categorisation rules: a payee text (and optionally an exact amount)
puts future bank lines to an account.

Rules run on an import's new lines after payout matching, oldest rule
first; a line one rule has categorised is not looked at by the next.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from uuid import UUID

import asyncpg

from service.ledger.bank_explain import BankRefused, LineRow
from service.ledger.bank_match import check_category, open_lines
from service.ledger.bank_posting import post_line_rows

MAX_PAYEE = 200


@dataclass(frozen=True, slots=True)
class BankRule:
    id: UUID
    payee_contains: str
    amount: int | None
    account_key: str
    bank_account_id: UUID | None

    def applies(self, line: LineRow) -> bool:
        if self.bank_account_id is not None and self.bank_account_id != line.bank_account_id:
            return False
        if self.amount is not None and self.amount != line.amount:
            return False
        needle = self.payee_contains.lower()
        return needle in line.payee.lower() or needle in line.description.lower()


async def list_rules(conn: asyncpg.Connection | asyncpg.Pool, company_id: UUID) -> list[BankRule]:
    rows = await conn.fetch(
        "SELECT rule_id, payee_contains, amount, account_key, bank_account_id FROM bank_rules "
        "WHERE company_id = $1 ORDER BY created_at, rule_id",
        company_id,
    )
    return [
        BankRule(
            r["rule_id"], r["payee_contains"], r["amount"], r["account_key"], r["bank_account_id"]
        )
        for r in rows
    ]


async def create_rule(
    conn: asyncpg.Connection,
    company_id: UUID,
    payee_contains: str,
    amount: int | None,
    account_key: str,
    bank_account_id: UUID | None,
) -> BankRule:
    text = payee_contains.strip()
    if not text or len(text) > MAX_PAYEE:
        raise BankRefused("input.payeeContains", "INVALID", f"1 to {MAX_PAYEE} characters")
    await check_category(conn, company_id, account_key, "input.accountKey")
    rule_id: UUID = await conn.fetchval(
        "INSERT INTO bank_rules (company_id, payee_contains, amount, account_key, "
        "bank_account_id) VALUES ($1, $2, $3, $4, $5) RETURNING rule_id",
        company_id,
        text,
        amount,
        account_key,
        bank_account_id,
    )
    return BankRule(rule_id, text, amount, account_key, bank_account_id)


async def delete_rule(conn: asyncpg.Connection, company_id: UUID, rule_id: UUID) -> None:
    """A rule removed categorises no future line; lines it categorised stay."""
    done = await conn.execute(
        "DELETE FROM bank_rules WHERE company_id = $1 AND rule_id = $2", company_id, rule_id
    )
    if done.endswith(" 0"):
        raise BankRefused("input.ruleId", "NOT_FOUND", "no such rule")


async def apply_rules(conn: asyncpg.Connection, company_id: UUID, line_ids: list[UUID]) -> int:
    """Categorise the unexplained ones of these lines by the saved rules."""
    if not line_ids:
        return 0
    done = await rule_rows(conn, company_id, await open_lines(conn, company_id, line_ids))
    await post_line_rows(conn, company_id, done)
    return len(done)


async def rule_rows(
    conn: asyncpg.Connection, company_id: UUID, lines: list[LineRow]
) -> list[LineRow]:
    """Categorise these unexplained lines by the saved rules and record it;
    returns the lines categorised (not posted yet)."""
    rules = await list_rules(conn, company_id)
    if not rules or not lines:
        return []
    chosen: list[tuple[LineRow, BankRule]] = []
    for line in lines:
        rule = next((r for r in rules if r.applies(line)), None)
        if rule is not None:
            chosen.append((line, rule))
    if not chosen:
        return []
    await conn.execute(
        "INSERT INTO bank_explanations (company_id, line_id, kind, account_key, rule_id) "
        "SELECT $1, l, 'ACCOUNT', a, r FROM unnest($2::uuid[], $3::text[], $4::uuid[]) "
        "AS u(l, a, r)",
        company_id,
        [x.line_id for x, _ in chosen],
        [r.account_key for _, r in chosen],
        [r.id for _, r in chosen],
    )
    return [replace(x, kind="ACCOUNT", counter=r.account_key) for x, r in chosen]
