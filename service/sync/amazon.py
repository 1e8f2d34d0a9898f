"""An Amazon seller account's sync: orders, then settlement reports.

Settlement reports are listed and downloaded through the Reports API,
read by the flat file V2 parser and stored once each (the same settlement
uploaded by hand before is the same settlement). A settlement refused
(its lines do not add up to its total) is named in the account's last
error; the others are kept.
"""

from __future__ import annotations

import datetime as dt
from uuid import UUID

import asyncpg

from service.connectors.amazon.client import (
    LWA_URL,
    REGION_URLS,
    AmazonClient,
    Credentials,
    OrderFacts,
)
from service.connectors.amazon.enrich import with_fulfillment
from service.connectors.amazon.kinds import fulfillment_of
from service.connectors.amazon.settlement import parse_settlement
from service.domain.marketplace import SettlementError
from service.ledger.marketplace_accounts import MarketplaceAccount, save_orders
from service.ledger.settlements import save_settlement

ORDERS_LOOKBACK = dt.timedelta(days=30)


def client_for(account: MarketplaceAccount) -> AmazonClient:
    s, c = account.settings, account.credentials
    base = s.get("apiBaseUrl") or REGION_URLS[s.get("region", "na")]
    return AmazonClient(
        base,
        Credentials(c["clientId"], c["clientSecret"], c["refreshToken"]),
        lwa_url=s.get("lwaUrl") or LWA_URL,
    )


def _order_row(o: OrderFacts) -> tuple[str, str, str, str, list[tuple[str, int]]]:
    return (
        o.order_id,
        fulfillment_of(o.fulfillment_channel).value,
        o.status,
        o.purchased,
        list(o.units),
    )


async def sync_amazon(
    pool: asyncpg.Pool, company_id: UUID, account: MarketplaceAccount
) -> list[str]:
    """Fetch and store what is new; returns the refusals (settlements not taken)."""
    client = client_for(account)
    problems: list[str] = []
    try:
        ids = account.settings.get("marketplaceIds") or []
        start = account.last_synced_at or dt.datetime.now(dt.UTC) - ORDERS_LOOKBACK
        orders = await client.orders(list(ids), start)
        async with pool.acquire() as conn, conn.transaction():
            await save_orders(conn, company_id, account.store_id, [_order_row(o) for o in orders])
        channels = {o.order_id: fulfillment_of(o.fulfillment_channel) for o in orders}
        since = account.last_synced_at - dt.timedelta(days=2) if account.last_synced_at else None
        for ref in await client.settlement_reports(since):
            raw = await client.report_document(ref.document_id)
            try:
                settlement = with_fulfillment(parse_settlement(raw), channels)
                async with pool.acquire() as conn, conn.transaction():
                    await save_settlement(conn, company_id, account.store_id, settlement, "API")
            except SettlementError as exc:
                problems.append(f"report {ref.report_id}: {exc}")
    finally:
        await client.aclose()
    return problems
