"""Marketplace accounts: an Amazon seller account or a TikTok shop as a store.

A marketplace account is a store of its own (its platform is the
marketplace's name), so its books, restocks and channel statuses work as
any store's. Its credentials are sealed with the deployment's key, like a
Shopify store's access token; its settings (region, marketplace ids, shop
id, API addresses) are plain.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import asyncpg

from service.ledger.jobs import JobRecord, record_job
from service.ledger.secrets import seal, unseal

MARKETPLACE_SYNC = "marketplace_sync"
MARKETPLACE_FUNCTION = "sync_marketplace"


@dataclass(frozen=True, slots=True)
class MarketplaceAccount:
    store_id: UUID
    marketplace: str
    name: str
    settings: dict[str, Any]
    credentials: dict[str, Any]
    last_synced_at: dt.datetime | None


class AccountAlreadyConnected(ValueError):
    """The same seller account or shop is already a store of the company."""


def account_key(marketplace: str, identity: str) -> str:
    """Who the account is, without keeping its secret in the clear."""
    return hashlib.sha256(f"{marketplace}\x00{identity}".encode()).hexdigest()


async def connect_account(
    conn: asyncpg.Connection,
    company_id: UUID,
    secret_key: str,
    marketplace: str,
    name: str,
    timezone: str,
    currency: str,
    settings: dict[str, Any],
    credentials: dict[str, Any],
) -> UUID:
    """A new store for the account; the same account twice would count its
    settlements twice, so it is refused (``settings["accountKey"]``)."""
    if await conn.fetchval(
        "SELECT 1 FROM marketplace_accounts WHERE company_id = $1 AND marketplace = $2 "
        "AND settings->>'accountKey' = $3",
        company_id,
        marketplace,
        settings.get("accountKey"),
    ):
        raise AccountAlreadyConnected(f"this {marketplace} account is already connected")
    store_id: UUID = await conn.fetchval(
        "INSERT INTO stores (company_id, name, platform, timezone, currency_code) "
        "VALUES ($1, $2, $3, $4, $5) RETURNING store_id",
        company_id,
        name,
        marketplace,
        timezone,
        currency,
    )
    await conn.execute(
        "INSERT INTO marketplace_accounts (company_id, store_id, marketplace, settings, "
        "credentials) VALUES ($1, $2, $3, $4, $5)",
        company_id,
        store_id,
        marketplace,
        settings,
        seal(secret_key, credentials),
    )
    return store_id


async def load_account(
    conn: asyncpg.Connection | asyncpg.Pool, company_id: UUID, store_id: UUID, secret_key: str
) -> MarketplaceAccount | None:
    row = await conn.fetchrow(
        "SELECT a.*, s.name FROM marketplace_accounts a JOIN stores s USING (company_id, store_id) "
        "WHERE a.company_id = $1 AND a.store_id = $2",
        company_id,
        store_id,
    )
    if row is None:
        return None
    settings = row["settings"]
    return MarketplaceAccount(
        row["store_id"],
        row["marketplace"],
        row["name"],
        json.loads(settings) if isinstance(settings, str) else dict(settings),
        unseal(secret_key, bytes(row["credentials"])),
        row["last_synced_at"],
    )


async def save_credentials(
    conn: asyncpg.Connection,
    company_id: UUID,
    store_id: UUID,
    secret_key: str,
    credentials: dict[str, Any],
) -> None:
    """Keep a refreshed token (TikTok Shop rotates them)."""
    await conn.execute(
        "UPDATE marketplace_accounts SET credentials = $3 WHERE company_id = $1 AND store_id = $2",
        company_id,
        store_id,
        seal(secret_key, credentials),
    )


async def request_sync(conn: asyncpg.Connection, company_id: UUID, store_id: UUID) -> JobRecord:
    stamp = await conn.fetchval("SELECT clock_timestamp()")
    job_id = f"marketplace:{company_id}:{store_id}:{int(stamp.timestamp() * 1_000_000)}"
    return await record_job(conn, company_id, job_id, MARKETPLACE_SYNC, {"storeId": str(store_id)})


async def mark_synced(
    conn: asyncpg.Connection | asyncpg.Pool, company_id: UUID, store_id: UUID, error: str | None
) -> None:
    await conn.execute(
        "UPDATE marketplace_accounts SET last_synced_at = now(), last_error = $3 "
        "WHERE company_id = $1 AND store_id = $2",
        company_id,
        store_id,
        error,
    )


async def save_orders(
    conn: asyncpg.Connection,
    company_id: UUID,
    store_id: UUID,
    orders: list[tuple[str, str, str, str, list[tuple[str, int]]]],
) -> None:
    """(order id, fulfilment MARKETPLACE|MERCHANT, status, placed, units per SKU)."""
    await conn.executemany(
        """
        INSERT INTO marketplace_orders (company_id, store_id, order_id, fulfillment, status,
            placed_at, units)
        VALUES ($1, $2, $3, $4, $5, $6, $7)
        ON CONFLICT (company_id, store_id, order_id) DO UPDATE
            SET fulfillment = excluded.fulfillment,
            status = excluded.status, placed_at = excluded.placed_at, units = excluded.units,
            updated_at = now()
        """,
        [
            (company_id, store_id, oid, ful, status, placed, units)
            for oid, ful, status, placed, units in orders
        ],
    )
