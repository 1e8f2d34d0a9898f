"""A TikTok shop's sync: statements, their transactions, payments and orders.

Each statement is fetched with its transactions and the orders they name
(for units per SKU and who fulfils them, FBT or the merchant), read into a
neutral settlement and stored once; a statement still waiting for its
payment is fetched again on later syncs until the payment is made. A
refreshed access token is kept, sealed.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from uuid import UUID

import asyncpg

from service.connectors.tiktok.client import API_URL, AUTH_URL, ShopCredentials, TikTokClient
from service.connectors.tiktok.statements import (
    OrderFacts,
    order_units,
    sku_units,
    statement_settlement,
)
from service.domain.marketplace import Fulfillment, SettlementError
from service.ledger.marketplace_accounts import MarketplaceAccount, save_credentials, save_orders
from service.ledger.settlements import oldest_unpaid, save_settlement

LOOKBACK = dt.timedelta(days=3)


def client_for(account: MarketplaceAccount) -> TikTokClient:
    s, c = account.settings, account.credentials
    return TikTokClient(
        ShopCredentials(
            c["appKey"], c["appSecret"], c["accessToken"], c["refreshToken"], s["shopCipher"]
        ),
        api_url=s.get("apiBaseUrl") or API_URL,
        auth_url=s.get("authBaseUrl") or AUTH_URL,
    )


async def _since(pool: asyncpg.Pool, company_id: UUID, account: MarketplaceAccount) -> int | None:
    if account.last_synced_at is None:
        return None
    start = account.last_synced_at - LOOKBACK
    unpaid = await oldest_unpaid(pool, company_id, account.store_id)
    if unpaid is not None:
        start = min(start, dt.datetime.combine(unpaid, dt.time(), dt.UTC))
    return int(start.timestamp())


async def _orders(client: TikTokClient, order_ids: list[str]) -> dict[str, OrderFacts]:
    """Each order's facts from its details; an order whose details are not
    available gets its units from its own statement transactions."""
    found = {str(o["id"]): order_units(o) for o in await client.orders(order_ids)}
    for oid in order_ids:
        if oid not in found:
            rows = await client.order_statement_transactions(oid)
            found[oid] = OrderFacts(Fulfillment.UNKNOWN, sku_units(rows))
    return found


async def sync_tiktok(
    pool: asyncpg.Pool, secret_key: str, company_id: UUID, account: MarketplaceAccount
) -> list[str]:
    client = client_for(account)
    problems: list[str] = []
    seen: dict[str, OrderFacts] = {}
    try:
        since = await _since(pool, company_id, account)
        payments: dict[str, dict[str, Any]] = {
            str(p["id"]): p for p in await client.payments(since)
        }
        for st in await client.statements(since):
            txs = await client.statement_transactions(str(st["id"]))
            ids = sorted(
                {str(t["order_id"]) for t in txs if t.get("type") == "ORDER" and t.get("order_id")}
            )
            orders = await _orders(client, ids) if ids else {}
            seen.update(orders)
            try:
                settlement = statement_settlement(
                    st, txs, orders, payments.get(str(st.get("payment_id")))
                )
                async with pool.acquire() as conn, conn.transaction():
                    await save_settlement(conn, company_id, account.store_id, settlement, "API")
            except SettlementError as exc:
                problems.append(str(exc))
        async with pool.acquire() as conn, conn.transaction():
            rows = [
                (oid, f.fulfillment.value, "", str(f.shipped or ""), f.units)
                for oid, f in sorted(seen.items())
            ]
            await save_orders(conn, company_id, account.store_id, rows)
            if client.refreshed:
                c = client.credentials
                await save_credentials(
                    conn,
                    company_id,
                    account.store_id,
                    secret_key,
                    {
                        "appKey": c.app_key,
                        "appSecret": c.app_secret,
                        "accessToken": c.access_token,
                        "refreshToken": c.refresh_token,
                    },
                )
    finally:
        await client.aclose()
    return problems
