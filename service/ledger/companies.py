"""Companies and their stores: the tenants every other row belongs to."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

import asyncpg

from service.domain.accounts import CHART_OF_ACCOUNTS
from service.ledger.tokens import issue_token


@dataclass(frozen=True, slots=True)
class CreatedCompany:
    company_id: UUID
    api_token: str


@dataclass(frozen=True, slots=True)
class Store:
    store_id: UUID
    name: str
    platform: str
    shop_domain: str | None
    timezone: str
    currency_code: str
    fulfillment_tracking: str


STORE_COLUMNS = (
    "store_id, name, platform, shop_domain, timezone, currency_code, fulfillment_tracking"
)


async def create_company(conn: asyncpg.Connection, name: str) -> CreatedCompany:
    """A company with its chart of accounts, default settings and a first API token."""
    name = name.strip()
    if not name:
        raise ValueError("company name must not be empty")
    async with conn.transaction():
        company_id: UUID = await conn.fetchval(
            "INSERT INTO companies (name) VALUES ($1) RETURNING company_id", name
        )
        await conn.executemany(
            "INSERT INTO accounts (company_id, account_key, name, account_type, sort_order) "
            "VALUES ($1, $2, $3, $4, $5)",
            [(company_id, a.key, a.name, a.type.value, i) for i, a in enumerate(CHART_OF_ACCOUNTS)],
        )
        await conn.execute("INSERT INTO bookkeeping_settings (company_id) VALUES ($1)", company_id)
        await conn.execute("INSERT INTO books (company_id) VALUES ($1)", company_id)
        issued = await issue_token(conn, company_id, label="created with the company")
    return CreatedCompany(company_id=company_id, api_token=issued.token)


async def create_store(
    conn: asyncpg.Connection,
    company_id: UUID,
    name: str,
    *,
    platform: str = "shopify",
    shop_domain: str | None = None,
    timezone: str = "UTC",
    currency_code: str = "USD",
) -> Store:
    row = await conn.fetchrow(
        f"""
        INSERT INTO stores (company_id, name, platform, shop_domain, timezone, currency_code)
        VALUES ($1, $2, $3, $4, $5, $6)
        RETURNING {STORE_COLUMNS}
        """,
        company_id,
        name,
        platform,
        shop_domain,
        timezone,
        currency_code,
    )
    return Store(**dict(row))


async def list_stores(conn: asyncpg.Connection | asyncpg.Pool, company_id: UUID) -> list[Store]:
    rows = await conn.fetch(
        f"SELECT {STORE_COLUMNS} FROM stores WHERE company_id = $1 ORDER BY created_at, store_id",
        company_id,
    )
    return [Store(**dict(r)) for r in rows]


async def get_store(
    conn: asyncpg.Connection | asyncpg.Pool, company_id: UUID, store_id: UUID
) -> Store | None:
    row = await conn.fetchrow(
        f"SELECT {STORE_COLUMNS} FROM stores WHERE company_id = $1 AND store_id = $2",
        company_id,
        store_id,
    )
    return Store(**dict(row)) if row else None


async def company_by_name(conn: asyncpg.Connection, name: str) -> UUID | None:
    company_id: UUID | None = await conn.fetchval(
        "SELECT company_id FROM companies WHERE name = $1 ORDER BY created_at LIMIT 1", name
    )
    return company_id


async def books_store(
    conn: asyncpg.Connection | asyncpg.Pool, company_id: UUID
) -> tuple[UUID, str] | None:
    """The store company-wide entries (manual entries, opening balances,
    purchases, adjustments) are kept under: the company's first, whose
    currency the books are kept in. None for a company with no store."""
    row = await conn.fetchrow(
        "SELECT store_id, currency_code FROM stores WHERE company_id = $1 "
        "ORDER BY created_at, store_id LIMIT 1",
        company_id,
    )
    return None if row is None else (row["store_id"], row["currency_code"])
