"""Costs from inventory systems (Finale Inventory, Goflow), per order and SKU.

An inventory system records the cost of goods when stock ships, per
product (seeds 001 and 004; docs/inventory-systems.md). A sync (in
``service.sync.inventory_systems``) asks it for every unit shipped since
the books' first order; here each unit is joined to the store's order by
the order reference the system keeps, the products are turned into the
store's SKUs with the merchant's SKU mapping (packs, bundles, other product
ids), one cost per order and SKU is stored (a missing cost as missing), and
the orders whose cost changed are re-posted.

Every sync reads the whole window again: a back-dated receipt or average
cost change re-values what shipped after it, and a cost missing today can
appear once the merchant enters it in the inventory system.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import asyncpg

from service.domain.inventory_costs import ShippedUnits, SkuComponent, SkuCost, sku_costs
from service.ledger.jobs import JobRecord, finish_job, record_job
from service.ledger.order_posting import current_version, repost_order
from service.ledger.secrets import seal, unseal

INVENTORY_SYNC = "inventory_sync"
INVENTORY_FUNCTION = "sync_inventory_costs"
BATCH = 100
SkuMap = dict[str, tuple[SkuComponent, ...]]


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


async def request_sync(conn: asyncpg.Connection, company_id: UUID, provider: str) -> JobRecord:
    stamp = await conn.fetchval("SELECT clock_timestamp()")
    job_id = f"inventory:{company_id}:{provider}:{int(stamp.timestamp() * 1_000_000)}"
    return await record_job(conn, company_id, job_id, INVENTORY_SYNC, {"provider": provider})


async def load_sku_map(
    conn: asyncpg.Connection | asyncpg.Pool, company_id: UUID, provider: str
) -> SkuMap:
    rows = await conn.fetch(
        "SELECT sku, product_id, units FROM inventory_sku_maps "
        "WHERE company_id = $1 AND provider = $2 ORDER BY sku, product_id",
        company_id,
        provider,
    )
    out: dict[str, list[SkuComponent]] = defaultdict(list)
    for r in rows:
        out[r["sku"]].append(SkuComponent(r["product_id"], r["units"]))
    return {sku: tuple(parts) for sku, parts in out.items()}


async def save_sku_map(
    conn: asyncpg.Connection,
    company_id: UUID,
    provider: str,
    sku: str,
    components: Sequence[SkuComponent],
) -> None:
    """Replace one SKU's components; none restores "the SKU is its own product"."""
    await conn.execute(
        "DELETE FROM inventory_sku_maps WHERE company_id = $1 AND provider = $2 AND sku = $3",
        company_id,
        provider,
        sku,
    )
    await conn.executemany(
        "INSERT INTO inventory_sku_maps (company_id, provider, sku, product_id, units) "
        "VALUES ($1, $2, $3, $4, $5)",
        [(company_id, provider, sku, c.product_id, c.units) for c in components],
    )


async def _store_costs(
    conn: asyncpg.Connection,
    company_id: UUID,
    store_id: UUID,
    order_id: str,
    costs: Sequence[SkuCost],
    provider: str,
) -> bool:
    """One cost per SKU of the order; True when anything changed."""
    changed = False
    for c in costs:
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
            c.sku,
            c.unit_cost,
            c.missing,
            provider.lower(),
        )
        changed = changed or bool(row)
    return changed


async def books_span(pool: asyncpg.Pool, company_id: UUID) -> tuple[dt.date, dt.date] | None:
    """From the day before the first order (time zones) to today."""
    async with pool.acquire() as conn:
        version, _ = await current_version(conn, company_id)
        first = await conn.fetchval(
            "SELECT min(placed_at) FROM order_summaries WHERE company_id = $1 "
            "AND journal_version = $2",
            company_id,
            version,
        )
    if first is None:
        return None
    today = dt.datetime.now(dt.UTC).date()
    return first.date() - dt.timedelta(days=1), today


async def apply_shipped_costs(
    pool: asyncpg.Pool,
    company_id: UUID,
    provider: str,
    shipped: Sequence[ShippedUnits],
    order_ref: Callable[[str], str],
) -> int:
    """Store the costs of every books order that shipped; returns orders re-posted.

    ``order_ref`` turns a books order name into the reference the system
    keeps for it (each system spells it its own way)."""
    by_ref: dict[str, list[ShippedUnits]] = defaultdict(list)
    for row in shipped:
        by_ref[row.order_ref].append(row)
    names = sorted({n for ref in by_ref for n in (ref, f"#{ref}")})
    sku_map = await load_sku_map(pool, company_id, provider)
    reposted = 0
    for start in range(0, len(names), BATCH):
        async with pool.acquire() as conn, conn.transaction():
            version, _ = await current_version(conn, company_id)
            rows = await conn.fetch(
                """
                SELECT o.store_id, o.order_id, o.name, o.currency_code,
                       coalesce(array_agg(k.sku) FILTER (WHERE k.sku IS NOT NULL), '{}') AS skus
                FROM order_summaries o
                LEFT JOIN order_skus k ON k.company_id = o.company_id
                     AND k.store_id = o.store_id AND k.order_id = o.order_id
                WHERE o.company_id = $1 AND o.journal_version = $2 AND o.name = any($3::text[])
                GROUP BY o.store_id, o.order_id, o.name, o.currency_code
                """,
                company_id,
                version,
                names[start : start + BATCH],
            )
            for r in rows:
                units = by_ref.get(order_ref(r["name"]))
                if not units:
                    continue
                costs = sku_costs(units, r["skus"], sku_map, r["currency_code"])
                if await _store_costs(
                    conn, company_id, r["store_id"], r["order_id"], costs, provider
                ):
                    await repost_order(conn, company_id, r["store_id"], r["order_id"])
                    reposted += 1
    return reposted


async def finish_inventory_sync(
    pool: asyncpg.Pool, company_id: UUID, provider: str, job_id: str
) -> None:
    """Note when the system was last read, and end the sync's job."""
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute(
            "UPDATE inventory_connections SET last_synced_at = $3 "
            "WHERE company_id = $1 AND provider = $2",
            company_id,
            provider,
            dt.datetime.now(dt.UTC),
        )
        await finish_job(conn, company_id, job_id)
