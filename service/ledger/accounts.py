"""A company's chart of accounts: the reserved accounts and its own.

Reserved keys (posting rules section 2) are a contract: they can be
renamed for people but never removed or retyped. A company adds accounts
of its own (rent, payroll, software, owner's draws...) with a key, a
name, a type and an optional parent, renames them and deactivates them;
an account is never deleted, so no balance ever loses its account.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from uuid import UUID

import asyncpg

from service.domain.accounts import ACCOUNTS_BY_KEY, Account, AccountType, Chart

KEY_PATTERN = re.compile(r"^[A-Z][A-Z0-9_]{1,47}$")


class AccountRefused(ValueError):
    def __init__(self, field: str, code: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.code = code


CHART_COLUMNS = "account_key, name, account_type, parent_key, active"
CHART_ORDER = "sort_order, account_key"


async def load_chart(conn: asyncpg.Connection | asyncpg.Pool, company_id: UUID) -> Chart:
    rows = await conn.fetch(
        f"SELECT {CHART_COLUMNS} FROM accounts WHERE company_id = $1 ORDER BY {CHART_ORDER}",
        company_id,
    )
    return chart_from_rows(rows)


def chart_from_rows(rows: list[asyncpg.Record]) -> Chart:
    """The chart from its accounts' rows (CHART_COLUMNS), in CHART_ORDER."""
    return Chart(
        tuple(
            Account(
                r["account_key"],
                r["name"],
                AccountType(r["account_type"]),
                r["parent_key"],
                r["active"],
            )
            for r in rows
        )
    )


@dataclass(frozen=True, slots=True)
class NewAccount:
    key: str
    name: str
    type: AccountType
    parent: str | None = None


def _check_name(name: str) -> str:
    name = name.strip()
    if not name or len(name) > 120:
        raise AccountRefused("input.name", "INVALID", "a name of 1 to 120 characters")
    return name


async def _check_parent(
    conn: asyncpg.Connection, company_id: UUID, key: str, parent: str | None, kind: AccountType
) -> None:
    """A parent is an account of the same type, and never the account itself
    nor one of its own children (no cycles in the statements' grouping)."""
    if parent is None:
        return
    chart = await load_chart(conn, company_id)
    found = chart.by_key.get(parent)
    if found is None:
        raise AccountRefused("input.parentKey", "NOT_FOUND", f"no account {parent!r}")
    if found.type is not kind:
        raise AccountRefused("input.parentKey", "INVALID", f"{parent} is {found.type}, not {kind}")
    seen = {key}
    at: str | None = parent
    while at is not None:
        if at in seen:
            raise AccountRefused(
                "input.parentKey", "INVALID", "an account cannot be its own parent"
            )
        seen.add(at)
        at = chart.by_key[at].parent if at in chart.by_key else None


async def create_account(conn: asyncpg.Connection, company_id: UUID, new: NewAccount) -> Account:
    if not KEY_PATTERN.match(new.key):
        raise AccountRefused(
            "input.key", "INVALID", "a key of 2 to 48 capitals, digits and underscores"
        )
    if new.key in ACCOUNTS_BY_KEY:
        raise AccountRefused("input.key", "CONFLICT", f"{new.key} is a reserved account")
    name = _check_name(new.name)
    await _check_parent(conn, company_id, new.key, new.parent, new.type)
    row = await conn.fetchrow(
        """
        INSERT INTO accounts (company_id, account_key, name, account_type, sort_order, parent_key)
        SELECT $1, $2, $3, $4, coalesce(max(sort_order), 0) + 1, $5
        FROM accounts WHERE company_id = $1
        ON CONFLICT (company_id, account_key) DO NOTHING
        RETURNING account_key
        """,
        company_id,
        new.key,
        name,
        new.type.value,
        new.parent,
    )
    if row is None:
        raise AccountRefused("input.key", "CONFLICT", f"the account {new.key} exists already")
    return Account(new.key, name, new.type, new.parent)


async def update_account(
    conn: asyncpg.Connection,
    company_id: UUID,
    key: str,
    *,
    name: str | None = None,
    parent: str | None = None,
    clear_parent: bool = False,
    active: bool | None = None,
) -> Account:
    """Rename, regroup or (de)activate an account; reserved accounts can
    only be renamed."""
    chart = await load_chart(conn, company_id)
    account = chart.by_key.get(key)
    if account is None:
        raise AccountRefused("input.key", "NOT_FOUND", f"no account {key!r}")
    if account.reserved and (parent is not None or clear_parent or active is not None):
        raise AccountRefused(
            "input.key", "NOT_APPLICABLE", f"{key} is reserved: it can only be renamed"
        )
    new_name = account.name if name is None else _check_name(name)
    new_parent = None if clear_parent else (parent if parent is not None else account.parent)
    if parent is not None:
        await _check_parent(conn, company_id, key, parent, account.type)
    new_active = account.active if active is None else active
    await conn.execute(
        "UPDATE accounts SET name = $3, parent_key = $4, active = $5 "
        "WHERE company_id = $1 AND account_key = $2",
        company_id,
        key,
        new_name,
        new_parent,
        new_active,
    )
    return Account(key, new_name, account.type, new_parent, new_active)
