"""Costs from inventory systems (Finale Inventory, Goflow), per order line.

The inventory system knows what each shipped unit cost (its average at the
time of the order, seeds 001 and 004). A sync asks it for the orders the
books hold, stores each line's cost, a zero or absent cost as missing, and
re-posts the orders whose cost changed. Orders are named as the inventory
system knows them: Finale by the channel's order name (#1001), Goflow by
its number (1001).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import asyncpg

from service.connectors.finale.client import FinaleClient
from service.connectors.goflow.client import GoflowClient
from service.connectors.inventory import InventoryLineCost
from service.ledger.jobs import JobRecord, finish_job, record_job, start_job
from service.ledger.order_posting import current_version, repost_order
from service.ledger.secrets import seal, unseal

FINALE = "FINALE"
GOFLOW = "GOFLOW"
INVENTORY_SYNC = "inventory_sync"
INVENTORY_FUNCTION = "sync_inventory_costs"
BATCH = 100


@dataclass(frozen=True, slots=True)
class Connection:
    provider: str
    settings: dict[str, Any]
    credentials: dict[str, Any]


async def connect(
    conn: asyncpg.Connection,
    company_id: UUID,
    secret_key: str,
    provider: str,
    settings: dict[str, Any],
    credentials: dict[str, Any],
) -> None:
    await conn.execute(
        """
        INSERT INTO inventory_connections (company_id, provider, settings, credentials)
        VALUES ($1, $2, $3, $4)
        ON CONFLICT (company_id, provider) DO UPDATE
            SET settings = excluded.settings, credentials = excluded.credentials,
                connected_at = now()
        """,
        company_id,
        provider,
        settings,
        seal(secret_key, credentials),
    )


async def load_connection(
    conn: asyncpg.Connection | asyncpg.Pool, company_id: UUID, provider: str, secret_key: str
) -> Connection | None:
    row = await conn.fetchrow(
        "SELECT settings, credentials FROM inventory_connections "
        "WHERE company_id = $1 AND provider = $2",
        company_id,
        provider,
    )
    if row is None:
        return None
    return Connection(provider, row["settings"], unseal(secret_key, row["credentials"]))


def client_for(c: Connection, currency: str) -> FinaleClient | GoflowClient:
    base = c.settings.get("baseUrl")
    if c.provider == FINALE:
        return FinaleClient(
            c.settings["account"],
            c.credentials["apiKey"],
            c.credentials["apiSecret"],
            base,
            currency=currency,
        )
    return GoflowClient(c.settings["subdomain"], c.credentials["token"], base, currency=currency)


def order_ref(provider: str, name: str) -> str:
    return name if provider == FINALE else name.lstrip("#")


async def request_sync(conn: asyncpg.Connection, company_id: UUID, provider: str) -> JobRecord:
    stamp = await conn.fetchval("SELECT clock_timestamp()")
    job_id = f"inventory:{company_id}:{provider}:{int(stamp.timestamp() * 1_000_000)}"
    return await record_job(conn, company_id, job_id, INVENTORY_SYNC, {"provider": provider})


async def _store_costs(
    conn: asyncpg.Connection,
    company_id: UUID,
    store_id: UUID,
    order_id: str,
    costs: tuple[InventoryLineCost, ...],
) -> bool:
    """Keep one cost per SKU of the order; True when anything changed."""
    by_sku: dict[str, InventoryLineCost] = {}
    for c in costs:
        held = by_sku.get(c.sku)
        if held is None or (held.missing and not c.missing):
            by_sku[c.sku] = c
    changed = False
    for sku, c in sorted(by_sku.items()):
        row = await conn.fetchval(
            """
            INSERT INTO line_costs (company_id, store_id, order_id, sku, source, unit_cost,
                                    missing, provider)
            VALUES ($1, $2, $3, $4, 'INVENTORY_SYSTEM', $5, $6, $7)
            ON CONFLICT (company_id, store_id, order_id, sku, source) DO UPDATE
                SET unit_cost = excluded.unit_cost, missing = excluded.missing,
                    provider = excluded.provider, updated_at = now()
                WHERE line_costs.unit_cost <> excluded.unit_cost
                   OR line_costs.missing <> excluded.missing
            RETURNING true
            """,
            company_id,
            store_id,
            order_id,
            sku,
            c.unit_cost,
            c.missing,
            c.source,
        )
        changed = changed or bool(row)
    return changed


async def run_inventory_sync(
    pool: asyncpg.Pool, secret_key: str, company_id: UUID, job_id: str
) -> bool:
    """Fetch line costs for every order of the books, in batches; re-post what changed."""
    async with pool.acquire() as conn, conn.transaction():
        job = await start_job(conn, company_id, job_id)
    if job is None:
        return False
    provider = job.payload["provider"]
    connection = await load_connection(pool, company_id, provider, secret_key)
    if connection is None:
        async with pool.acquire() as conn:
            await finish_job(conn, company_id, job_id)
        return True
    currency = await pool.fetchval(
        "SELECT coalesce(min(currency_code), 'USD') FROM stores WHERE company_id = $1", company_id
    )
    client = client_for(connection, currency)
    try:
        after = ""
        while True:
            async with pool.acquire() as conn:
                version, _ = await current_version(conn, company_id)
                rows = await conn.fetch(
                    "SELECT store_id, order_id, name FROM order_summaries WHERE company_id = $1 "
                    "AND journal_version = $2 AND order_id > $3 ORDER BY order_id LIMIT $4",
                    company_id,
                    version,
                    after,
                    BATCH,
                )
            if not rows:
                break
            after = rows[-1]["order_id"]
            refs = {order_ref(provider, r["name"]): r for r in rows}
            found = await client.order_line_costs(list(refs))
            async with pool.acquire() as conn, conn.transaction():
                for ref, costs in found.items():
                    r = refs[ref]
                    if costs and await _store_costs(
                        conn, company_id, r["store_id"], r["order_id"], costs
                    ):
                        await repost_order(conn, company_id, r["store_id"], r["order_id"])
    finally:
        await client.aclose()
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute(
            "UPDATE inventory_connections SET last_synced_at = $3 "
            "WHERE company_id = $1 AND provider = $2",
            company_id,
            provider,
            dt.datetime.now(dt.UTC),
        )
        await finish_job(conn, company_id, job_id)
    return True
