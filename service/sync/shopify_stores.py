"""Connecting a Shopify store, and finding it again when its webhooks arrive."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from uuid import UUID

import asyncpg
import httpx

from service.connectors.retry import CONNECTION_TEST_SECONDS
from service.connectors.shopify.client import ShopifyClient
from service.connectors.shopify.errors import ShopifyError
from service.connectors.shopify.scopes import Scope, granted_scopes, missing_scopes
from service.ledger.companies import STORE_COLUMNS, Store
from service.ledger.secrets import seal, unseal


@dataclass(frozen=True, slots=True)
class ShopifyConnection:
    company_id: UUID
    store: Store
    shop_domain: str
    access_token: str
    webhook_secret: str
    api_base_url: str | None


class ShopAlreadyConnected(Exception):
    """The shop belongs to another company's books."""


@dataclass(frozen=True, slots=True)
class ScopeCheck:
    """The scopes storebooks needs that the shop did not grant; ``checked``
    is False (and ``problem`` says why) when Shopify could not be asked."""

    checked: bool
    missing: tuple[Scope, ...] = ()
    problem: str | None = None

    @property
    def refused(self) -> tuple[Scope, ...]:
        """Missing scopes without which nothing can be synced."""
        return tuple(s for s in self.missing if s.required)


async def check_scopes(
    shop_domain: str,
    access_token: str,
    api_base_url: str | None,
    *,
    http: httpx.AsyncClient | None = None,
) -> ScopeCheck:
    """Ask the shop once (no retries: a person is waiting) which scopes it
    granted the app, and compare with what the sync reads."""
    client = ShopifyClient(shop_domain, access_token, api_base_url, http=http, max_retries=0)
    try:
        async with asyncio.timeout(CONNECTION_TEST_SECONDS):
            granted = await granted_scopes(client)
    except TimeoutError:
        return ScopeCheck(False, problem=f"no answer within {CONNECTION_TEST_SECONDS:.0f} s")
    except (ShopifyError, httpx.HTTPError) as exc:
        return ScopeCheck(False, problem=str(exc) or type(exc).__name__)
    finally:
        await client.aclose()
    return ScopeCheck(True, missing_scopes(granted))


async def connect_store(
    conn: asyncpg.Connection,
    company_id: UUID,
    secret_key: str,
    *,
    shop_domain: str,
    access_token: str,
    webhook_secret: str,
    api_base_url: str | None,
    timezone: str,
    currency_code: str,
) -> Store:
    """Create the store, or refresh the credentials of one already connected.

    Runs in the caller's transaction. The lock on the domain keeps two
    companies from connecting the same shop at once (the unique index holds
    the company too, so that tables can be distributed by company)."""
    await conn.execute(
        "SELECT pg_advisory_xact_lock(hashtextextended($1, 18))", f"shop:{shop_domain}"
    )
    owner = await conn.fetchval(
        "SELECT company_id FROM stores WHERE shop_domain = $1 FOR UPDATE", shop_domain
    )
    if owner is not None and owner != company_id:
        raise ShopAlreadyConnected(shop_domain)
    credentials = seal(secret_key, {"accessToken": access_token, "webhookSecret": webhook_secret})
    row = await conn.fetchrow(
        f"""
        INSERT INTO stores (company_id, name, platform, shop_domain, timezone, currency_code,
                            api_base_url, credentials, connected_at)
        VALUES ($1, $2, 'shopify', $2, $3, $4, $5, $6, now())
        ON CONFLICT (company_id, shop_domain) WHERE shop_domain IS NOT NULL DO UPDATE
            SET timezone = excluded.timezone, currency_code = excluded.currency_code,
                api_base_url = excluded.api_base_url, credentials = excluded.credentials,
                connected_at = now()
            WHERE stores.company_id = excluded.company_id
        RETURNING {STORE_COLUMNS}
        """,
        company_id,
        shop_domain,
        timezone,
        currency_code,
        api_base_url,
        credentials,
    )
    if row is None:
        # Another company connected the shop between the check and the insert:
        # its store is never touched (the update is limited to our own row).
        raise ShopAlreadyConnected(shop_domain)
    return Store(**dict(row))


async def connection_for_domain(
    conn: asyncpg.Connection | asyncpg.Pool, secret_key: str, shop_domain: str
) -> ShopifyConnection | None:
    row = await conn.fetchrow(
        f"SELECT company_id, api_base_url, credentials, {STORE_COLUMNS} FROM stores "
        "WHERE shop_domain = $1 AND credentials IS NOT NULL",
        shop_domain,
    )
    return _connection(row, secret_key) if row else None


async def connection_for_store(
    conn: asyncpg.Connection | asyncpg.Pool, secret_key: str, company_id: UUID, store_id: UUID
) -> ShopifyConnection | None:
    row = await conn.fetchrow(
        f"SELECT company_id, api_base_url, credentials, {STORE_COLUMNS} FROM stores "
        "WHERE company_id = $1 AND store_id = $2 AND credentials IS NOT NULL",
        company_id,
        store_id,
    )
    return _connection(row, secret_key) if row else None


def _connection(row: asyncpg.Record, secret_key: str) -> ShopifyConnection:
    data = dict(row)
    company_id = data.pop("company_id")
    api_base_url = data.pop("api_base_url")
    credentials = unseal(secret_key, data.pop("credentials"))
    store = Store(**data)
    return ShopifyConnection(
        company_id=company_id,
        store=store,
        shop_domain=store.shop_domain or "",
        access_token=credentials["accessToken"],
        webhook_secret=credentials["webhookSecret"],
        api_base_url=api_base_url,
    )


async def update_shop_details(
    conn: asyncpg.Connection | asyncpg.Pool,
    company_id: UUID,
    store_id: UUID,
    *,
    name: str | None,
    timezone: str,
    currency_code: str,
) -> None:
    """Keep the shop's own time zone and currency: entry dates and amounts depend on them."""
    await conn.execute(
        "UPDATE stores SET timezone = $3, currency_code = $4, name = coalesce($5, name) "
        "WHERE company_id = $1 AND store_id = $2",
        company_id,
        store_id,
        timezone,
        currency_code,
        name,
    )
